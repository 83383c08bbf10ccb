// Attention of a decode step (M <= 16 new rows) against the KV cache under the tag rule.
//
// One block per (query head, split of the cache entries), covering every step row: the block
// stages its entries' K and V rows in shared memory with coalesced 16-byte loads, once for all
// rows, scores them, and keeps an online-softmax state per row. The last split block of a head to
// finish merges the splits' states in split order (deterministic) and writes the output, so a step
// costs one launch per layer. The split count is fixed (it is baked into captured CUDA graphs); each
// split's range follows the cache length read on the device.
#pragma once

#include <cstdint>

#include "model_kernels.h"

namespace aspd {

constexpr int32_t kDecodeAttentionSplits = 16;
constexpr int32_t kDecodeAttentionMaxRows = 16;

// partial: fp32 [M, H, kDecodeAttentionSplits, D + 2] scratch; counters: int32 [H], zero before the
// first launch (every launch leaves them zero). out bf16 [M, H * D]. D % 8 == 0, D <= 256.
cudaError_t launch_decode_attention(const bf16* q, const bf16* k_cache, const bf16* v_cache, EntryTags tags,
                                    StepIoView io, int32_t H, int32_t Hkv, int32_t D, float scale, float* partial,
                                    int32_t* counters, bf16* out, cudaStream_t s);

}  // namespace aspd
