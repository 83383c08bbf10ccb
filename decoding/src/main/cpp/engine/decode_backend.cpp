#include "decode_backend.h"

#include <algorithm>
#include <limits>

namespace aspd {

void Restriction::apply(float* logits, int64_t V) const {
  constexpr float kBanned = -std::numeric_limits<float>::infinity();
  if (!allow_only.empty()) {
    for (int64_t v = 0; v < V; ++v)
      if (std::find(allow_only.begin(), allow_only.end(), v) == allow_only.end()) logits[v] = kBanned;
    return;
  }
  for (int32_t v : banned)
    if (v >= 0 && v < V) logits[v] = kBanned;
}

}  // namespace aspd
