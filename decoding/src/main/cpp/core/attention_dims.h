// Shapes and layouts shared by every attention implementation (CPU reference, CPU fast, CUDA).
//
// Letters: T packed tokens, A decode queries (one per active branch / main token), N KV-cache
// entries, H query heads, Hkv key/value heads (GQA: query head h reads kv head h / (H / Hkv)),
// D head dim. All tensors are dense row-major:
//   prefill: Q [T, H, D], K [T, Hkv, D], V [T, Hkv, D], labels group/branch [T], out [T, H, D]
//   decode:  Q [A, H, D] with tags [A]; K/V cache [N, Hkv, D] with tags [N]; out [A, H, D]
// Scores are scaled by `scale` (usually 1/sqrt(D)). A row with no visible key gets zeros.
#pragma once

#include <cstdint>
#include <string>

namespace aspd {

struct PrefillDims {
  int64_t T;
  int32_t H, Hkv, D;
};

struct DecodeDims {
  int64_t A, N;
  int32_t H, Hkv, D;
};

// Per-token tags of decode queries or cache entries: position id, group id (-1 main), branch id.
struct TokenTags {
  const int32_t* position;
  const int32_t* group;
  const int32_t* branch;
};

inline bool valid_heads(int32_t H, int32_t Hkv, int32_t D, std::string* err) {
  if (H <= 0 || Hkv <= 0 || D <= 0) {
    *err = "H, Hkv and D must be positive";
    return false;
  }
  if (H % Hkv != 0) {
    *err = "H must be a multiple of Hkv (GQA)";
    return false;
  }
  return true;
}

}  // namespace aspd
