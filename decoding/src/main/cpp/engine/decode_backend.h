// Where the engine's forwards run: the CPU model (cpu_backend.h) or the GPU model
// (cuda/gpu_backend.h). The engine decides structure (grammar, switch, forced prefixes, merge);
// a backend feeds rows into its KV cache and picks tokens from the logits it produced, so a GPU
// backend never has to ship logits to the host.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "engine/sampler.h"
#include "model/model_config.h"

namespace aspd {

// How a pick's error starts when the model's logits hold NaN or Inf: a model failure, not a
// request the engine cannot run (the JNI layer throws NativeFailureException for it).
inline constexpr const char* kNonFiniteLogits = "non-finite logits";

// Which tokens a pick may return: only `allow_only` when it is non-empty, else all but `banned`.
struct Restriction {
  std::vector<int32_t> allow_only;
  std::vector<int32_t> banned;
  // Sets every excluded logit to -inf (logits [V]).
  void apply(float* logits, int64_t V) const;
};

// One decoding run: owns its KV cache (empty at the start).
class DecodeSession {
 public:
  virtual ~DecodeSession() = default;
  virtual int64_t cache_length() const = 0;
  // Appends A rows (labels: main = (-1, 0)) to the cache. out_rows: 1 = only the last row's
  // output is needed, A = every row's. Outputs are numbered 0..out_rows-1.
  virtual bool forward(const int32_t* ids, const int32_t* positions, const int32_t* group, const int32_t* branch,
                       int64_t A, int64_t out_rows, std::string* err) = 0;
  // Logits [V] of output row r of the last forward.
  virtual bool logits(int64_t r, float* dst, std::string* err) = 0;
  // A token for output row r of the last forward: greedy, or one draw of the run's sampler.
  virtual bool pick(int64_t r, const Restriction& restriction, bool greedy, int32_t* token, std::string* err) = 0;
};

class DecodeBackend {
 public:
  virtual ~DecodeBackend() = default;
  virtual const ModelConfig& config() const = 0;
  // nullptr with *err when a run cannot start (e.g. a GPU backend already in use).
  virtual std::unique_ptr<DecodeSession> begin(const SamplerConfig& sampling, std::string* err) = 0;
};

}  // namespace aspd
