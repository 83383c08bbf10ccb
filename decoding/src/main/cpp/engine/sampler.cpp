#include "sampler.h"

#include <algorithm>
#include <cmath>
#include <limits>

namespace aspd {

const char* sampler_config_error(const SamplerConfig& c) {
  if (!(c.temperature >= 0.f) || std::isinf(c.temperature)) return "temperature must be finite and >= 0";
  if (c.top_k < 0) return "top_k must be >= 0 (0 = off)";
  if (!(c.top_p > 0.f && c.top_p <= 1.f)) return "top_p must lie in (0, 1]";
  return "";
}

Sampler::Sampler(const SamplerConfig& config) : config_(config), state_(config.seed) {}

double Sampler::uniform() {
  uint64_t z = (state_ += 0x9E3779B97F4A7C15ull);
  z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
  z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
  z ^= z >> 31;
  return static_cast<double>(z >> 11) * (1.0 / 9007199254740992.0);  // [0, 1)
}

int32_t Sampler::argmax(const float* logits, int64_t V) {
  int64_t best = 0;
  for (int64_t v = 1; v < V; ++v)
    if (logits[v] > logits[best]) best = v;
  return static_cast<int32_t>(best);
}

int32_t Sampler::sample(const float* logits, int64_t V) {
  if (config_.temperature == 0.f || config_.top_k == 1) return argmax(logits, V);
  order_.clear();
  for (int64_t v = 0; v < V; ++v)
    if (logits[v] != -std::numeric_limits<float>::infinity()) order_.push_back(static_cast<int32_t>(v));
  if (order_.empty()) return argmax(logits, V);
  // Descending logit, ties by id so the order is deterministic.
  auto by_logit = [&](int32_t a, int32_t b) { return logits[a] > logits[b] || (logits[a] == logits[b] && a < b); };
  const size_t keep_k = config_.top_k > 0 ? std::min(order_.size(), static_cast<size_t>(config_.top_k)) : order_.size();
  std::partial_sort(order_.begin(), order_.begin() + keep_k, order_.end(), by_logit);
  order_.resize(keep_k);
  const double inv_t = 1.0 / config_.temperature;
  const double top = logits[order_[0]];
  probs_.resize(order_.size());
  double total = 0;
  for (size_t i = 0; i < order_.size(); ++i) total += probs_[i] = std::exp((logits[order_[i]] - top) * inv_t);
  size_t keep = order_.size();
  if (config_.top_p < 1.f) {  // smallest prefix whose mass reaches top_p (at least one token)
    double mass = 0;
    for (size_t i = 0; i < order_.size(); ++i) {
      mass += probs_[i] / total;
      if (mass >= config_.top_p) {
        keep = i + 1;
        break;
      }
    }
  }
  double kept = 0;
  for (size_t i = 0; i < keep; ++i) kept += probs_[i];
  double r = uniform() * kept;
  for (size_t i = 0; i < keep; ++i) {
    r -= probs_[i];
    if (r < 0) return order_[i];
  }
  return order_[keep - 1];
}

}  // namespace aspd
