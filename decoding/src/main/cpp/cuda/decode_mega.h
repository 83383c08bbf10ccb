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
// Products: mma.sync m16n8k16 with 16 weight rows as A (a k permutation inside each 32-wide k step,
// applied to A and B alike, makes each lane's fragment two 16-byte pieces) and the step rows as B
// (one or two 8-row tiles). A product is cut into units (an output group and a range of its K);
// a block takes a run of units, its warps take a unit's k steps in turn and sum in shared memory
// in a fixed order; where a cost model splits K across blocks, the last block of a group adds the
// parts in part order, so results are deterministic. Weights reach each warp through a ring of
// four 1 KB items in shared memory, filled by cp.async four items ahead, and the first items of a
// phase are issued at the end of the phase before: weights do not depend on activations, so they
// load while the grid barrier and the input staging run. Attention: a block per (head, split of
// the cache), its warps over 32-entry chunks, the step rows as one m16 tile on tensor cores
// (prefill_mma::attend_keys with the tag rule), merged in the block; the O product's input staging
// merges the splits (in split order again).
//
// Status: opt-in (GpuModelOptions::mega_decode). The first version (register loads of weights,
// whole-K units) was correct and as fast as the cuBLAS path, not faster: 1.173 against 1.170 ms
// per Qwen2.5-0.5B step on an H200 (8.1 against 4.9 ms at 7B). Each phase was a chain of dependent
// round trips of ~1-2 us (grid barrier 1.6-1.9 us, weight loads, a reduction, an epilogue), ~45 us
// per 0.5B layer, with only 36 to 56 of 132 SMs busy in the QKV, O and down products. The ring,
// the weights issued ahead of each barrier, the split of K across blocks, the split merge moved
// into the O product and tensor-core attention are the answer to those measurements. Measured on
// an H200 (2026-11-26) they first ran at 93 us per 0.5B layer; with the helpers as calls, the
// item walk in registers and the launch constants read once, 64 us: still slower than the first
// version and the separate-kernel path (decoding/README.md).
// Measured and dropped in the first version: L2 prefetch of the next matrices, of each phase's
// own rows (per row or per line) and of the next phase's rows before each barrier (all slower),
// an atomic-count barrier (slower), relaxed polls (2.05 against 1.6 us). See decoding/README.md.
#pragma once

#include <cstdint>
#include <string>

#include "model_kernels.h"

namespace aspd {

constexpr int32_t kMegaMaxRows = 16;
constexpr int32_t kMegaMaxSplits = 16;  // attention splits per head
constexpr int32_t kMegaMaxBlocks = 480;  // one per SM
constexpr int32_t kMegaBarrierWords = 32 + kMegaMaxBlocks;  // [0] the count, [32 + b] block b's arrival
// Units of a product whose K is split across blocks (MegaArgs::product_partial holds one partial
// tile pair per unit; product_counters one count per output group).
constexpr int32_t kMegaSplitUnits = 2048;
constexpr int64_t kMegaProductPartialFloats = static_cast<int64_t>(kMegaSplitUnits) * 2 * 256;

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
  float* attn_partial;    // [kMegaMaxRows, H, kMegaMaxSplits, D + 2]: attention's split states
  float* product_partial;     // [kMegaProductPartialFloats]
  int32_t* product_counters;  // [kMegaSplitUnits], zero before the first launch (left zero)
  // Split of K across blocks of the QKV, O, gate/up and down products: 0 = the cost model's
  // choice, n > 0 = n parts (tests, and benchmarks that calibrate the model). The launch resolves
  // them on the host (resolve_parts): the kernel reads counts >= 1.
  int32_t product_parts[4];
  // Where the weight ring lies in shared memory (set by launch_decode_mega): ring_apart = 1 when
  // it is clear of attention's buffers (the O product's weights then load during attention).
  int32_t ring_offset, ring_apart;
  uint32_t* barrier;       // [kMegaBarrierWords], zero before the first launch
  uint64_t* timings;       // null, or [5 L + 1] nanosecond stamps of the phase boundaries (benches)
  const float* rope;       // [M, D / 2, 2]: cos, sin of each row's RoPE angles (launch_decode_prologue)
  int32_t only_barriers;   // 1: run the grid barriers alone (a bench's measure of their cost)
};

// Before the megakernel: launch_decode_prologue (model_kernels.h) fills x, the tags and `rope`.

namespace mega {
// Where a thread of the megakernel is (decode_mega_body.cuh).
struct Ctx {
  int tid, block, nblocks;
  uint32_t barrier_base;  // the grid barrier's count at launch (MegaArgs::barrier[0])
  // Read or derived once at launch, so that no phase waits on a global load for them: the cache
  // entries before this step (io.length_before()) and attention's splits per head.
  int32_t length_before, splits;
};
}  // namespace mega

// Whether the kernel handles a model on this device (D in {32, 64, 128}, E, I and H D multiples
// of 32, GQA, shared memory); why not in *why.
bool decode_mega_supported(int32_t E, int32_t I, int32_t H, int32_t Hkv, int32_t D, int device, std::string* why);

// The split of K (parts across blocks) the megakernel gives its QKV, O, gate/up and down products
// on this device: forced[i] > 0 as asked, else its cost model's choice (benchmark reports).
bool decode_mega_parts(int32_t E, int32_t I, int32_t H, int32_t Hkv, int32_t D, int device, const int32_t (&forced)[4],
                       int32_t (&parts)[4], std::string* why);

// One decode step's layers; io.M <= kMegaMaxRows. Cooperative launch of one block per SM.
cudaError_t launch_decode_mega(const MegaArgs& a, cudaStream_t s);

}  // namespace aspd
