#include "gpu_backend.h"

#include <algorithm>
#include <atomic>
#include <vector>

namespace aspd {

namespace {

bool permits(const Restriction& r, int32_t token) {
  if (!r.allow_only.empty()) return std::find(r.allow_only.begin(), r.allow_only.end(), token) != r.allow_only.end();
  return std::find(r.banned.begin(), r.banned.end(), token) == r.banned.end();
}

class GpuSession : public DecodeSession {
 public:
  GpuSession(GpuModel* m, std::atomic<bool>* busy, const SamplerConfig& sampling)
      : m_(m), busy_(busy), sampling_(sampling) {
    gpu_model_clear(m_);
  }
  ~GpuSession() override { busy_->store(false); }

  int64_t cache_length() const override { return gpu_model_cache_length(*m_); }

  bool forward(const int32_t* ids, const int32_t* positions, const int32_t* group, const int32_t* branch, int64_t A,
               int64_t out_rows, std::string* err) override {
    argmax_.resize(static_cast<size_t>(out_rows));
    return gpu_model_forward(m_, ids, positions, group, branch, A, out_rows, argmax_.data(), err);
  }

  bool logits(int64_t r, float* dst, std::string* err) override { return gpu_model_logits(m_, r, dst, err); }

  bool pick(int64_t r, const Restriction& restriction, bool greedy, int32_t* token, std::string* err) override {
    greedy = greedy || sampling_.temperature == 0.f || sampling_.top_k == 1;
    if (greedy && r >= 0 && r < static_cast<int64_t>(argmax_.size()) && permits(restriction, argmax_[r])) {
      *token = argmax_[r];
      return true;
    }
    DeviceSampling p{};
    p.temperature = greedy ? 0.f : sampling_.temperature;
    p.top_k = sampling_.top_k;
    p.top_p = sampling_.top_p;
    p.seed = sampling_.seed;
    p.counter = draws_++;
    return gpu_model_sample(m_, r, restriction.allow_only.data(), static_cast<int32_t>(restriction.allow_only.size()),
                            restriction.banned.data(), static_cast<int32_t>(restriction.banned.size()), p, token, err);
  }

 private:
  GpuModel* m_;
  std::atomic<bool>* busy_;
  SamplerConfig sampling_;
  std::vector<int32_t> argmax_;
  uint64_t draws_ = 0;
};

class GpuBackend : public DecodeBackend {
 public:
  explicit GpuBackend(GpuModel* m) : m_(m), config_(gpu_model_config(*m)) {}
  const ModelConfig& config() const override { return config_; }

  std::unique_ptr<DecodeSession> begin(const SamplerConfig& sampling, std::string* err) override {
    if (busy_.exchange(true)) {
      *err = "this GPU model is already decoding (one run at a time)";
      return nullptr;
    }
    return std::make_unique<GpuSession>(m_, &busy_, sampling);
  }

  void set_capacity(int64_t capacity) { config_.max_positions = std::min(config_.max_positions, capacity); }

 private:
  GpuModel* m_;
  ModelConfig config_;
  std::atomic<bool> busy_{false};
};

}  // namespace

std::unique_ptr<DecodeBackend> make_gpu_backend(GpuModel* model) {
  auto backend = std::make_unique<GpuBackend>(model);
  backend->set_capacity(gpu_model_capacity(*model));
  return backend;
}

}  // namespace aspd
