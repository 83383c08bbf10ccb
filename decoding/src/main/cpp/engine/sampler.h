// Token sampling for the engine (§7): greedy, temperature, top-k, top-p, with a seeded RNG
// (splitmix64: the same draws for a seed on every platform). Banned tokens arrive as -inf logits.
#pragma once

#include <cstdint>
#include <vector>

namespace aspd {

struct SamplerConfig {
  float temperature = 0.f;  // 0 = greedy (argmax)
  int32_t top_k = 0;        // 0 = off
  float top_p = 1.f;        // (0, 1]; 1 = off
  uint64_t seed = 0;
};

// Empty string when the settings are usable, else why not.
const char* sampler_config_error(const SamplerConfig& c);

class Sampler {
 public:
  explicit Sampler(const SamplerConfig& config);

  // logits [V] (banned = -inf; at least one finite) -> token id. Order as in Hugging Face:
  // temperature, then top-k, then top-p over the renormalised probabilities, then one draw.
  int32_t sample(const float* logits, int64_t V);

  static int32_t argmax(const float* logits, int64_t V);

 private:
  double uniform();

  SamplerConfig config_;
  uint64_t state_;
  std::vector<int32_t> order_;  // scratch: candidate ids
  std::vector<double> probs_;   // scratch
};

}  // namespace aspd
