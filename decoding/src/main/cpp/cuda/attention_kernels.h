// Launchers of the CUDA attention kernels. All pointers are device pointers; layouts as in
// core/attention_dims.h (Q [T, H, D], K/V [T, Hkv, D], row-major). Inputs are bf16 or fp16,
// accumulation and output are fp32. Each launcher returns the launch error (no sync).
//
// Limits: D a multiple of 16 and <= 256 (prefill tiles use 16x16x16 tensor-core fragments),
// H % Hkv == 0.
#pragma once

#include <cuda_runtime.h>

#include <cstdint>

#include "../core/attention_dims.h"
#include "../core/visibility.h"

namespace aspd {

enum class DType : int32_t { kBf16 = 0, kFp16 = 1 };

constexpr int kPrefillTile = 64;  // query rows per block = keys per key tile

// Bytes of dynamic shared memory the prefill kernel needs for head dim D.
size_t prefill_smem_bytes(int32_t D);

// tile_scratch: device buffer of ceil(T / kPrefillTile) TileLabels, filled by the launcher.
// skipped_tiles: optional device counter (int64) of key tiles skipped as wholly invisible.
cudaError_t launch_prefill(DType dtype, const void* q, const void* k, const void* v,
                           const int32_t* group, const int32_t* branch, TileLabels* tile_scratch,
                           const PrefillDims& dims, float scale, float* out,
                           unsigned long long* skipped_tiles, cudaStream_t stream);

// Query tags [A] and entry tags [N] are device arrays.
cudaError_t launch_decode(DType dtype, const void* q, const void* k, const void* v,
                          TokenTags query, TokenTags entry, const DecodeDims& dims, float scale,
                          float* out, cudaStream_t stream);

}  // namespace aspd
