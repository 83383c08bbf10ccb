#include "gpu_backend.h"

#include <algorithm>
#include <exception>
#include <vector>

namespace aspd {

namespace {

// The GPU's pick of a row whose logits hold NaN or Inf, as the CPU backend words it.
bool non_finite(std::string* err) {
  *err = std::string(kNonFiniteLogits) + ": the forward gave NaN or an infinite value"
         " (damaged weights, or an overflow in the forward; the GPU does not say for which id)";
  return false;
}

bool permits(const Restriction& r, int32_t token) {
  if (!r.allow_only.empty()) return std::find(r.allow_only.begin(), r.allow_only.end(), token) != r.allow_only.end();
  return std::find(r.banned.begin(), r.banned.end(), token) == r.banned.end();
}

// Exceptions must not unwind into the engine: it may live in another shared library (JNI), each
// with its own static C++ runtime. Every override reports failures as false + *err instead.
template <typename F>
bool guarded(std::string* err, F body) {
  try {
    return body();
  } catch (const std::bad_alloc&) {
    *err = "out of memory in the GPU backend";
  } catch (const std::exception& e) {
    *err = std::string("GPU backend: ") + e.what();
  }
  return false;
}

class GpuSession : public DecodeSession {
 public:
  GpuSession(GpuModel* m, const SamplerConfig& sampling) : m_(m), sampling_(sampling) { gpu_model_clear(m_); }
  ~GpuSession() override { gpu_model_release(m_); }

  int64_t cache_length() const override { return gpu_model_cache_length(*m_); }

  bool forward(const int32_t* ids, const int32_t* positions, const int32_t* group, const int32_t* branch, int64_t A,
               int64_t out_rows, std::string* err) override {
    return guarded(err, [&] {
      argmax_.resize(static_cast<size_t>(out_rows));
      host_logits_.clear();
      const int64_t chunk = gpu_model_max_chunk(*m_);
      if (out_rows <= 1 || A <= chunk)
        return gpu_model_forward(m_, ids, positions, group, branch, A, out_rows, argmax_.data(), err);
      // Every row's logits of a long input (kept logits): chunk by chunk, copied out as they come.
      const int64_t V = gpu_model_config(*m_).vocab_size;
      host_logits_.resize(static_cast<size_t>(A * V));
      for (int64_t off = 0; off < A; off += chunk) {
        const int64_t n = std::min(chunk, A - off);
        if (!gpu_model_forward(m_, ids + off, positions + off, group + off, branch + off, n, n, argmax_.data() + off,
                               err))
          return false;
        for (int64_t r = 0; r < n; ++r)
          if (!gpu_model_logits(m_, r, host_logits_.data() + (off + r) * V, err)) return false;
      }
      return true;
    });
  }

  bool logits(int64_t r, float* dst, std::string* err) override {
    return guarded(err, [&] {
      if (host_logits_.empty()) return gpu_model_logits(m_, r, dst, err);
      const int64_t V = gpu_model_config(*m_).vocab_size;
      if (r < 0 || (r + 1) * V > static_cast<int64_t>(host_logits_.size())) {
        *err = "internal: no output row " + std::to_string(r) + " in the last forward";
        return false;
      }
      std::copy_n(host_logits_.data() + r * V, V, dst);
      return true;
    });
  }

  bool pick(int64_t r, const Restriction& restriction, bool greedy, int32_t* token, std::string* err) override {
    return guarded(err, [&] {
      const bool argmax_only = greedy || sampling_.temperature == 0.f || sampling_.top_k == 1;
      if (r >= 0 && r < static_cast<int64_t>(argmax_.size()) && argmax_[r] == kNonFiniteToken) return non_finite(err);
      if (argmax_only && r >= 0 && r < static_cast<int64_t>(argmax_.size()) && permits(restriction, argmax_[r])) {
        *token = argmax_[r];
        return true;
      }
      if (!host_logits_.empty()) {
        *err = "internal: sampling from a chunked forward's outputs";
        return false;
      }
      DeviceSampling p{};
      p.temperature = argmax_only ? 0.f : sampling_.temperature;
      p.top_k = sampling_.top_k;
      p.top_p = sampling_.top_p;
      p.seed = sampling_.seed;
      p.counter = draws_++;
      if (!gpu_model_sample(m_, r, restriction.allow_only.data(), static_cast<int32_t>(restriction.allow_only.size()),
                            restriction.banned.data(), static_cast<int32_t>(restriction.banned.size()), p, token, err))
        return false;
      return *token == kNonFiniteToken ? non_finite(err) : true;
    });
  }

 private:
  GpuModel* m_;
  SamplerConfig sampling_;
  std::vector<int32_t> argmax_;
  std::vector<float> host_logits_;  // [A, V] after a chunked all-rows forward; empty otherwise
  uint64_t draws_ = 0;
};

class GpuBackend : public DecodeBackend {
 public:
  explicit GpuBackend(GpuModel* m) : m_(m), config_(gpu_model_config(*m)) {
    config_.max_positions = std::min(config_.max_positions, gpu_model_capacity(*m));
  }
  const ModelConfig& config() const override { return config_; }

  // The run's lock lives in the model, so engines sharing one model never run at once.
  std::unique_ptr<DecodeSession> begin(const SamplerConfig& sampling, std::string* err) override {
    if (!gpu_model_acquire(m_)) {
      *err = "this GPU model is already decoding (one run at a time)";
      return nullptr;
    }
    try {
      return std::make_unique<GpuSession>(m_, sampling);
    } catch (const std::bad_alloc&) {
      gpu_model_release(m_);
      *err = "out of memory in the GPU backend";
      return nullptr;
    }
  }

 private:
  GpuModel* m_;
  ModelConfig config_;
};

}  // namespace

std::unique_ptr<DecodeBackend> make_gpu_backend(GpuModel* model) { return std::make_unique<GpuBackend>(model); }

}  // namespace aspd
