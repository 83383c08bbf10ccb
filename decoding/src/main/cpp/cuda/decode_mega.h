// Every layer of a decode step (M <= 16 rows) in one persistent kernel.
//
// At batch 1 a step is ~250 small dependent kernels; each costs a launch, a ramp-up, a DRAM round
// trip before its first byte and a tail, so the GPU idles most of the step (0.5B on an H200: 1.16
// ms per step against ~0.25 ms to read the weights once). Here one cooperative launch of one block
// per SM runs the layers as phases separated by grid barriers:
//   QKV   = RMSNorm(x) W_qkv^T + bias, RoPE, q out and k/v appended to the cache
//   attn  = the step rows against the cache under the tag rule (visibility.h)
//   O     = x += attn W_o^T
//   G/U   = silu(RMSNorm(x) W_g^T) * (RMSNorm(x) W_u^T)
//   down  = x += act W_d^T
// and finally h = RMSNorm(x, final_norm) for the LM head (cuBLAS, outside).
//
// Products: mma.sync m16n8k16 with 16 weight rows as A, read straight from global memory 16 bytes
// per lane (a k permutation inside each 32-wide k step, applied to A and B alike, makes the
// fragments plain 16-byte loads), and the step rows as B (one or two 8-row tiles). A block owns
// whole output tiles; its warps split K and sum in shared memory in a fixed order, so results are
// deterministic and no partial sums leave the SM. Attention: a block per (head, split of the
// cache), its warps over 32-entry chunks with online softmax, merged in the block and, across
// splits, by the last block of the head to finish (fixed order again).
//
// Status: correct (CPU emulation of this text, GPU tests against the separate-kernel path), but
// not faster: 1.173 ms per Qwen2.5-0.5B step on an H200 against 1.170 ms for the cuBLAS path in
// the same run (8.1 against 4.9 ms at 7B), so it is opt-in (GpuModelOptions::mega_decode). Each
// phase is a chain of dependent round trips of ~1-2 us on that card (grid barrier 1.6-1.9 us, then
// loads, then a reduction and an epilogue): ~45 us per 0.5B layer.
// Measured and dropped: L2 prefetch of the next matrices, of each phase's own rows (per row or per
// line) and of the next phase's rows before each barrier (all slower), an atomic-count barrier
// (slower), relaxed polls (2.05 against 1.6 us). See decoding/README.md for the per-phase times.
#pragma once

#include <cstdint>
#include <string>

#include "model_kernels.h"

namespace aspd {

constexpr int32_t kMegaMaxRows = 16;
constexpr int32_t kMegaMaxSplits = 16;  // attention splits per head
constexpr int32_t kMegaMaxBlocks = 480;  // one per SM
constexpr int32_t kMegaBarrierWords = 32 + kMegaMaxBlocks;  // [0] the count, [32 + b] block b's arrival

struct MegaLayer {
  const bf16 *wqkv, *wo, *wgu, *wd;  // [ (H + 2Hkv) D, E ], [E, H D], [2I, E] (gate rows, then up), [E, I]
  const float *bqkv, *in_norm, *post_norm;  // bqkv may be null
  bf16 *k_cache, *v_cache;                  // [capacity, Hkv, D]
};

struct MegaArgs {
  const MegaLayer* layers;  // device array [L]
  int32_t L, E, I, H, Hkv, D;
  float eps;
  double theta;
  float scale_log2;  // log2(e) / sqrt(D)
  const float* final_norm;
  EntryTags tags;  // the step rows' tags already appended (launch_append_tags)
  StepIoView io;
  float* x;               // fp32 [M, E]: the embeddings in, the residual stream out
  bf16 *q, *attn, *act;   // [M, H, D], [M, H D], [M, I]
  bf16* h_out;            // [M, E] = RMSNorm(x, final_norm), the LM head's input
  float* attn_partial;    // [kMegaMaxRows, H, kMegaMaxSplits, D + 2]
  int32_t* attn_counters;  // [H], zero before the first launch (every launch leaves them zero)
  uint32_t* barrier;       // [kMegaBarrierWords], zero before the first launch
  uint64_t* timings;       // null, or [5 L + 1] nanosecond stamps of the phase boundaries (benches)
  const float* rope;       // [M, D / 2, 2]: cos, sin of each row's RoPE angles (launch_mega_prologue)
  int32_t only_barriers;   // 1: run the grid barriers alone (a bench's measure of their cost)
};

// Before the megakernel, one launch: the step rows' embeddings into x (fp32), their entry tags
// appended, and the RoPE table (rope_cos_sin of each row and dim pair).
cudaError_t launch_mega_prologue(const bf16* embed, StepIoView io, int64_t E, float* x, EntryTags tags, int32_t D,
                                 double theta, float* rope, cudaStream_t s);

namespace mega {
// Where a thread of the megakernel is (decode_mega_body.cuh).
struct Ctx {
  int tid, block, nblocks;
  uint32_t barrier_base;  // the grid barrier's count at launch (MegaArgs::barrier[0])
};
}  // namespace mega

// Whether the kernel handles a model on this device (D in {32, 64, 128}, E, I and H D multiples
// of 32, GQA, shared memory); why not in *why.
bool decode_mega_supported(int32_t E, int32_t I, int32_t H, int32_t Hkv, int32_t D, int device, std::string* why);

// One decode step's layers; io.M <= kMegaMaxRows. Cooperative launch of one block per SM.
cudaError_t launch_decode_mega(const MegaArgs& a, cudaStream_t s);

}  // namespace aspd
