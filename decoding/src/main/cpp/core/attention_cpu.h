// Fast CPU attention (float32, tiled, online softmax): what the Java API runs without a GPU.
// Same rule and layouts as the reference (attention_dims.h, visibility.h). Query tiles of
// kCpuQueryTile rows meet key tiles of kCpuKeyTile keys; pairs that are wholly invisible by labels
// (a branch tile against a sibling-only tile) or by causality are skipped without any dot product.
#pragma once

#include <cstdint>

#include "attention_dims.h"

namespace aspd {

constexpr int64_t kCpuQueryTile = 32;
constexpr int64_t kCpuKeyTile = 64;

// Counts over (head, query tile, key tile) triples at or below the causal diagonal.
struct TileStats {
  int64_t visited = 0;
  int64_t skipped = 0;  // wholly invisible by labels
};

struct CpuAttention {
  int32_t threads;  // worker threads per call (>= 1)
};

CpuAttention* create_cpu_attention(int32_t threads);
void free_cpu_attention(CpuAttention* ctx);

// Q [T, H, D], K/V [T, Hkv, D] -> out [T, H, D]; stats may be null.
void prefill_cpu(const CpuAttention* ctx, const float* q, const float* k, const float* v,
                 const int32_t* group, const int32_t* branch, const PrefillDims& dims, float scale,
                 float* out, TileStats* stats);

// Q [A, H, D] (tags [A]) against cache K/V [N, Hkv, D] (tags [N]) -> out [A, H, D].
void decode_cpu(const CpuAttention* ctx, const float* q, const float* k, const float* v,
                TokenTags query, TokenTags entry, const DecodeDims& dims, float scale, float* out);

}  // namespace aspd
