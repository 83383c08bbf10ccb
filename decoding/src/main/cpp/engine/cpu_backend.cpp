#include "cpu_backend.h"

#include <algorithm>
#include <cmath>
#include <numeric>

namespace aspd {

namespace {

class CpuSession : public DecodeSession {
 public:
  CpuSession(const Model& m, const SamplerConfig& sampling)
      : m_(m), V_(m.config.vocab_size), cache_(create_kv_cache(m)), sampler_(sampling) {}
  ~CpuSession() override { free_kv_cache(cache_); }

  int64_t cache_length() const override { return cache_->length(); }

  bool forward(const int32_t* ids, const int32_t* positions, const int32_t* group, const int32_t* branch, int64_t A,
               int64_t out_rows, std::string* err) override {
    std::vector<int32_t> wanted(static_cast<size_t>(out_rows));
    std::iota(wanted.begin(), wanted.end(), static_cast<int32_t>(A - out_rows));
    logits_.resize(static_cast<size_t>(out_rows * V_));
    if (!model_decode(m_, cache_, ids, positions, group, branch, A, wanted.data(), out_rows, logits_.data(), err))
      return false;
    rows_ = out_rows;
    return true;
  }

  bool logits(int64_t r, float* dst, std::string* err) override {
    if (!check_row(r, err)) return false;
    std::copy_n(logits_.data() + r * V_, V_, dst);
    return true;
  }

  bool pick(int64_t r, const Restriction& restriction, bool greedy, int32_t* token, std::string* err) override {
    if (!check_row(r, err)) return false;
    if (!check_finite(logits_.data() + r * V_, err)) return false;
    scratch_.assign(logits_.begin() + r * V_, logits_.begin() + (r + 1) * V_);
    restriction.apply(scratch_.data(), V_);
    *token = greedy ? Sampler::argmax(scratch_.data(), V_) : sampler_.sample(scratch_.data(), V_);
    return true;
  }

 private:
  // Argmax and the sampler order logits by '>', under which a NaN loses to everything: a broken
  // forward would decode as a run of one fixed token instead of failing.
  bool check_finite(const float* row, std::string* err) const {
    for (int64_t v = 0; v < V_; ++v) {
      if (std::isfinite(row[v])) continue;
      *err = std::string(kNonFiniteLogits) + ": the forward gave " + (std::isnan(row[v]) ? "NaN" : "an infinite value") +
             " for id " + std::to_string(v) + " (damaged weights, or an overflow in the forward)";
      return false;
    }
    return true;
  }

  bool check_row(int64_t r, std::string* err) const {
    if (r >= 0 && r < rows_) return true;
    *err = "internal: no output row " + std::to_string(r) + " in the last forward";
    return false;
  }

  const Model& m_;
  const int64_t V_;
  KvCache* cache_;
  Sampler sampler_;
  std::vector<float> logits_, scratch_;
  int64_t rows_ = 0;
};

class CpuBackend : public DecodeBackend {
 public:
  explicit CpuBackend(const Model& m) : m_(m) {}
  const ModelConfig& config() const override { return m_.config; }
  std::unique_ptr<DecodeSession> begin(const SamplerConfig& sampling, std::string*) override {
    return std::make_unique<CpuSession>(m_, sampling);
  }

 private:
  const Model& m_;
};

}  // namespace

std::unique_ptr<DecodeBackend> make_cpu_backend(const Model& model) { return std::make_unique<CpuBackend>(model); }

}  // namespace aspd
