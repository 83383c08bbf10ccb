// Launchers of the CUDA attention kernels. All pointers are device pointers; layouts as in
// core/attention_dims.h (Q [T, H, D], K/V [T, Hkv, D], row-major). Inputs are bf16 or fp16,
// accumulation and output are fp32. Each launcher returns the launch error (no sync).
//
// Limits: D a multiple of 16 and <= 256 (tensor-core fragments are 16 wide), H % Hkv == 0,
// q/k/v 16-byte aligned.
#pragma once

#include <cuda_runtime.h>

#include <cstdint>
#include <string>

#include "../core/attention_dims.h"
#include "../core/visibility.h"

namespace aspd {

enum class DType : int32_t { kBf16 = 0, kFp16 = 1 };

constexpr int kPrefillTile = 64;  // keys per key tile; TileLabels summarize runs of 64 tokens

// Which prefill kernel runs. Both compute the same thing (fp32 accumulation, P rounded to the input
// dtype before P V) and skip key tiles that are wholly invisible by labels.
enum class PrefillKernel : int32_t {
  kMma = 0,       // prefill_mma_kernel.cu: FlashAttention-2 style, S/P/O in registers (mma.sync,
                  // ldmatrix, cp.async double buffering), 128-row query blocks of 4 warps x 32
                  // rows; D in {32, 64, 128}, other D run kTiled. What kWgmma falls back to.
  kTiled = 1,     // prefill_kernel.cu: wmma 16x16x16 with O in shared memory, 64-row query blocks;
                  // any D % 16 == 0 up to 256.
  kMmaQRegs = 2,  // kMma's code with 8 warps x 16 rows and Q fragments held in registers.
  kMma64 = 3,     // kMma's code with 64-row blocks of 4 warps x 16 rows (more, smaller blocks).
  kWgmma = 4,     // prefill_wgmma_kernel.cu: Hopper warpgroup MMA (sm_90a build on a CC 9.0 GPU),
                  // 128-row blocks of 2 warpgroups x 64 rows, 128-key K/V tiles by TMA; D in {64, 128}.
                  // Elsewhere (other GPU, build or D): kMma. The default: 0.196 ms against
                  // FlexAttention's 0.212 ms on the issue layout (H200, same run).
};

// Optional device counters (each may be null) of how key tiles were handled, summed over heads.
// Units: (query rows of one warp x 64 keys) per head for the kMma layouts (32 rows for kMma, 16
// for the others), (64 x 64) for kTiled and kWgmma (64 rows = one warpgroup); tiles past the diagonal are not counted. kTiled masks
// every tile it computes (unmasked stays 0).
struct PrefillTileCounters {
  unsigned long long* skipped = nullptr;   // wholly invisible by labels: never computed
  unsigned long long* unmasked = nullptr;  // wholly visible: computed without a per-element mask
  unsigned long long* masked = nullptr;    // computed with the per-element mask
};

// Bytes of dynamic shared memory the kTiled kernel needs for head dim D.
size_t prefill_smem_bytes(int32_t D);

// True when the kMma kernel has an instantiation for head dim D.
bool prefill_mma_supports(int32_t D);

// True when kWgmma can run here: head dim 64 or 128, the current device is compute capability 9.0
// and the driver picked the sm_90a machine code of the kernel (the build has it).
bool prefill_wgmma_usable(DType dtype, int32_t D);

// kWgmma's tunings (key tile, pipeline stages, TMA or cp.async loads), for the bench:
// it times each; set_tuning(-1) restores the default. Not for concurrent use with launches.
int prefill_wgmma_tuning_count();
std::string prefill_wgmma_tuning_name(int tuning);
void prefill_wgmma_set_tuning(int tuning);

// tiles [ceil(T / kPrefillTile)] = summarize_tile of each run of 64 tokens.
cudaError_t launch_summarize_tiles(const int32_t* group, const int32_t* branch, int64_t T,
                                   TileLabels* tiles, cudaStream_t stream);

// tile_scratch: device buffer of ceil(T / kPrefillTile) TileLabels, filled by the launcher
// (launch_summarize_tiles), then the chosen kernel runs (kMma falls back to kTiled for other D or
// an output pointer not 8-byte aligned).
cudaError_t launch_prefill(PrefillKernel kernel, DType dtype, const void* q, const void* k,
                           const void* v, const int32_t* group, const int32_t* branch,
                           TileLabels* tile_scratch, const PrefillDims& dims, float scale, float* out,
                           const PrefillTileCounters& counters, cudaStream_t stream);

// The default kernel (kWgmma where usable, else kMma, else kTiled); skipped_tiles: optional device
// counter (int64).
cudaError_t launch_prefill(DType dtype, const void* q, const void* k, const void* v,
                           const int32_t* group, const int32_t* branch, TileLabels* tile_scratch,
                           const PrefillDims& dims, float scale, float* out,
                           unsigned long long* skipped_tiles, cudaStream_t stream);

// The kernels alone, on tiles already summarized; no fallback (cudaErrorInvalidValue instead).
// variant: kMma, kMmaQRegs or kMma64.
cudaError_t launch_prefill_mma(PrefillKernel variant, DType dtype, const void* q, const void* k,
                               const void* v, const int32_t* group, const int32_t* branch,
                               const TileLabels* tiles, const PrefillDims& dims, float scale, float* out,
                               const PrefillTileCounters& counters, cudaStream_t stream);
cudaError_t launch_prefill_wgmma(DType dtype, const void* q, const void* k, const void* v,
                                 const int32_t* group, const int32_t* branch, const TileLabels* tiles,
                                 const PrefillDims& dims, float scale, float* out,
                                 const PrefillTileCounters& counters, cudaStream_t stream);
cudaError_t launch_prefill_tiled(DType dtype, const void* q, const void* k, const void* v,
                                 const int32_t* group, const int32_t* branch, const TileLabels* tiles,
                                 const PrefillDims& dims, float scale, float* out,
                                 const PrefillTileCounters& counters, cudaStream_t stream);

// Query tags [A] and entry tags [N] are device arrays.
cudaError_t launch_decode(DType dtype, const void* q, const void* k, const void* v,
                          TokenTags query, TokenTags entry, const DecodeDims& dims, float scale,
                          float* out, cudaStream_t stream);

}  // namespace aspd
