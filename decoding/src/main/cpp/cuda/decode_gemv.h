// Matrix products of decode steps (M <= 16 rows) on tensor cores, with the layer's element-wise
// work fused into them, so that one decode layer is 5 kernels instead of 10 or more:
//   QKV  = RMSNorm prologue -> x W^T -> bias + RoPE + cache append epilogue
//   attention (decode_attention.h, q and the new entries read where the QKV epilogue left them), then
//   O    = x W^T -> residual add epilogue (also the partial sums of squares of the new residual)
//   G/U  = RMSNorm prologue -> x W^T -> SiLU(gate) * up epilogue
//   down = x W^T -> residual add epilogue
// At batch 1 a step is a chain of small, latency-bound launches; cuBLAS adds its own kernels
// (split-K reductions) and the element-wise kernels between them cost as much as the products.
//
// The product: y [M, N] = x [M, K] W^T, W bf16 [N, K] row-major (the checkpoint's layout). A block
// owns R rows of W (16 to 128) and a range of K. It copies 128-wide k chunks of its W rows
// (contiguous 256-byte pieces) and of the step rows into shared memory with cp.async, and each warp
// runs mma.sync m16n8k16 with 16 W rows as the A operand (ldmatrix) and the at most 16 step rows as
// B, so the weights are read once for all rows. Warps split the chunk's k steps inside a block.
//
// Where the block's whole K range fits in shared memory (every product of a 0.5B-sized layer), all
// its weights are copied before the kernel waits for the one before it (pdl.cuh), so what is left
// after the wait is one round of loads (the step rows, the norm's sums, the residual slice), the
// multiply and the epilogue. Larger ranges stream through a 3-4 stage pipeline.
//
// Blocks split K across the grid when there are too few rows to fill the GPU: the splits of a row
// range form a thread-block cluster (at most kDecodeGemvMaxSplits), and the split-0 block sums the
// others' partials from their shared memory in split order (deterministic) and runs the epilogue.
// No global scratch, atomics or fences: the chain of dependent round trips is what a batch-1 decode
// step pays for.
//
// The RMSNorm prologue needs each row's sum of squares over the whole hidden vector. The kernel
// that last wrote the residual stream (embedding, or a residual-add epilogue) leaves per-block
// partial sums in `sumsq` [M, slots]; the consumer adds them in order: no extra kernel, no atomics.
#pragma once

#include <algorithm>
#include <cstdint>

#include "model_kernels.h"

namespace aspd {

constexpr int32_t kDecodeGemvMaxRows = 16;
constexpr int32_t kDecodeGemvChunk = 128;  // k per pipeline stage
constexpr int32_t kDecodeGemvWarps = 8;    // per block
// Most blocks along K per row range: a portable cluster size.
constexpr int32_t kDecodeGemvMaxSplits = 8;
// Most shared memory a block's resident weights and step rows may take (16 rows, the worst case);
// past it the block streams its K range through the pipeline.
constexpr int64_t kDecodeGemvResidentBytes = 160 * 1024;

// Rows per block of the residual-add epilogue: the hidden vector's sum of squares arrives in
// ceil(E / kResidualRowsPerBlock) partial slots per step row.
constexpr int32_t kResidualRowsPerBlock = 64;
inline int32_t residual_sumsq_slots(int64_t E) {
  return static_cast<int32_t>((E + kResidualRowsPerBlock - 1) / kResidualRowsPerBlock);
}

struct GemvInput {
  // bf16 rows [M, K] as they are, or (x == nullptr) the fp32 residual stream normalized on the fly:
  // h = bf16(norm_weight * (residual * inv_rms)), inv_rms = 1 / sqrt(sum(sumsq slots) / K + eps).
  const bf16* x = nullptr;
  const float* residual = nullptr;
  const float* norm_weight = nullptr;
  const float* sumsq = nullptr;  // [M, sumsq_slots]
  int32_t sumsq_slots = 0;
  float eps = 0.f;
};

enum class GemvEpilogue {
  kStore,        // y fp32 [M, N]
  kAddResidual,  // residual fp32 [M, N] += product; sumsq_out [M, residual_sumsq_slots(N)] written
  kSiluMul,      // act bf16 [M, N / 2] = silu(gate) * up; W rows interleaved by 16 (see gpu_model.cu)
  kRopeAppend,   // + bias, RoPE from the step's table, q bf16 [M, H, D], k/v appended to the cache
};

struct GemvOutput {
  GemvEpilogue kind = GemvEpilogue::kStore;
  float* y = nullptr;
  float* residual = nullptr;
  float* sumsq_out = nullptr;
  bf16* act = nullptr;
  const float* bias = nullptr;
  StepIoView io{nullptr, 0};
  int32_t H = 0, Hkv = 0, D = 0;
  const float* rope = nullptr;  // [M, D / 2] float2 (cos, sin): launch_decode_prologue's table
  bf16 *q = nullptr, *k_cache = nullptr, *v_cache = nullptr;
};

struct GemvPlan {
  int32_t rows_per_block;  // 16 * tiles
  int32_t row_blocks;
  int32_t splits;          // blocks along K per row range: one cluster (<= kDecodeGemvMaxSplits)
  // Chunk slots in shared memory: the block's whole K range (resident) or a 3-4 stage pipeline.
  int32_t stages;
  bool resident;
  // Programmatic dependent launch (pdl.cuh): the kernel starts while the one before it runs and
  // copies its weights (resident) or its first stages' weights before it waits for it.
  bool pdl = false;
};

// The pipeline's depth: 4 stages (3 in flight), 3 for blocks of more than 64 rows.
inline int32_t decode_gemv_pipeline_stages(int32_t rows_per_block) { return rows_per_block > 64 ? 3 : 4; }

#if defined(__CUDACC__)
#define ASPD_GEMV_LAYOUT_FN __host__ __device__
#else
#define ASPD_GEMV_LAYOUT_FN
#endif

// Shared memory of a block, offsets in bytes: weight slots [stages][R][kChunk + 8] bf16 (8 elements
// of padding: conflict-free ldmatrix; once the products are done, also the warps' reduction buffer
// [kDecodeGemvWarps][16][16] fp32), step-row slots [stages][rows][kChunk + 8] (fp32 residual rows under the
// norm prologue, else bf16), norm-weight slots [stages][kChunk] fp32, the rows' sums of squares
// [rows][slots], the residual slice [rows][R] and the result [R][16], all fp32.
struct GemvSmem {
  int32_t R, stages, rows;
  bool norm;
  int32_t sumsq_slots;
  static constexpr int64_t kRow = kDecodeGemvChunk + 8;
  ASPD_GEMV_LAYOUT_FN int64_t w_stage() const { return static_cast<int64_t>(R) * kRow * 2; }
  ASPD_GEMV_LAYOUT_FN int64_t x_stage() const { return static_cast<int64_t>(rows) * kRow * (norm ? 4 : 2); }
  ASPD_GEMV_LAYOUT_FN int64_t nw_stage() const { return norm ? kDecodeGemvChunk * 4 : 0; }
  ASPD_GEMV_LAYOUT_FN int64_t x_at() const {
    const int64_t w = w_stage() * stages, red = static_cast<int64_t>(kDecodeGemvWarps) * 256 * 4;
    return w > red ? w : red;
  }
  ASPD_GEMV_LAYOUT_FN int64_t nw_at() const { return x_at() + x_stage() * stages; }
  ASPD_GEMV_LAYOUT_FN int64_t sums_at() const { return nw_at() + nw_stage() * stages; }
  ASPD_GEMV_LAYOUT_FN int64_t residual_at() const {
    return sums_at() + (norm ? (static_cast<int64_t>(rows) * sumsq_slots * 4 + 15) / 16 * 16 : 0);
  }
  ASPD_GEMV_LAYOUT_FN int64_t result_at() const { return residual_at() + static_cast<int64_t>(rows) * R * 4; }
  ASPD_GEMV_LAYOUT_FN int64_t bytes() const { return result_at() + static_cast<int64_t>(R) * 16 * 4; }
};

// The launch shape for a product (the same for every M <= 16): D is the head dim for kRopeAppend;
// max_splits and allow_resident are there to compare plans on a GPU (the engine bench's options).
inline GemvPlan plan_decode_gemv(GemvEpilogue kind, int64_t N, int64_t K, int32_t D, int32_t sms,
                                 int32_t max_splits = kDecodeGemvMaxSplits, bool allow_resident = true) {
  GemvPlan plan{};
  plan.rows_per_block = kind == GemvEpilogue::kRopeAppend ? D
                        : kind == GemvEpilogue::kSiluMul  ? 32
                                                          : kResidualRowsPerBlock;
  plan.row_blocks = static_cast<int32_t>((N + plan.rows_per_block - 1) / plan.rows_per_block);
  // Two blocks per SM at least, each with one k chunk or more.
  const int64_t chunks = (K + kDecodeGemvChunk - 1) / kDecodeGemvChunk;
  const int64_t want = (2 * static_cast<int64_t>(std::max(sms, 1)) + plan.row_blocks - 1) / plan.row_blocks;
  const int64_t most = std::max<int64_t>(1, std::min<int64_t>(chunks, std::clamp(max_splits, 1, kDecodeGemvMaxSplits)));
  plan.splits = static_cast<int32_t>(std::max<int64_t>(1, std::min(want, most)));
  // The residual epilogue's sums of squares are per block of kResidualRowsPerBlock rows, which the
  // consumer counts as residual_sumsq_slots(N): the grid must be exactly that.
  const int32_t per_block = static_cast<int32_t>((chunks + plan.splits - 1) / plan.splits);
  // The sums of squares a norm prologue reads are at most residual_sumsq_slots(K) per row.
  const GemvSmem worst{plan.rows_per_block, per_block, kDecodeGemvMaxRows, true, residual_sumsq_slots(K)};
  plan.resident = allow_resident && worst.bytes() <= kDecodeGemvResidentBytes;
  plan.stages = plan.resident ? per_block : decode_gemv_pipeline_stages(plan.rows_per_block);
  return plan;
}

// Whether launch_decode_gemv can run a product: 1 to kDecodeGemvMaxRows rows, K a multiple of 8,
// a plan that fits the product (plan_decode_gemv's rules, whatever its options), the norm
// prologue's inputs when x is null, the epilogue's outputs (RoPE: the step's rows, heads that make
// up N, the table, q and the caches), and the alignment the copies and loads need (16 bytes for
// what cp.async reads). decode_gemv_emulation_test.cpp checks each rule on the CPU.
inline bool decode_gemv_args_ok(const bf16* w, int64_t N, int64_t K, int32_t M, const GemvInput& in,
                                const GemvOutput& out, const GemvPlan& plan) {
  auto aligned = [](const void* p, uintptr_t bytes) { return reinterpret_cast<uintptr_t>(p) % bytes == 0; };
  const int32_t R = plan.rows_per_block;
  const int64_t chunks = (K + kDecodeGemvChunk - 1) / kDecodeGemvChunk;
  if (w == nullptr || !aligned(w, 16) || N < 1 || K < 8 || K % 8 != 0 || M < 1 || M > kDecodeGemvMaxRows) return false;
  if (R < 16 || R % 16 != 0 || R > 128 || plan.row_blocks != (N + R - 1) / R || plan.splits < 1 ||
      plan.splits > kDecodeGemvMaxSplits || plan.splits > chunks)
    return false;
  if (plan.resident ? plan.stages < (chunks + plan.splits - 1) / plan.splits
                    : plan.stages != decode_gemv_pipeline_stages(R))
    return false;
  if (in.x != nullptr ? !aligned(in.x, 16)
                      : in.residual == nullptr || !aligned(in.residual, 16) || in.norm_weight == nullptr ||
                            !aligned(in.norm_weight, 16) || in.sumsq == nullptr || !aligned(in.sumsq, 4) ||
                            in.sumsq_slots < 1)
    return false;
  switch (out.kind) {
    case GemvEpilogue::kStore:
      return out.y != nullptr && aligned(out.y, 4);
    case GemvEpilogue::kAddResidual:
      return R == kResidualRowsPerBlock && out.residual != nullptr && aligned(out.residual, 4) &&
             out.sumsq_out != nullptr && aligned(out.sumsq_out, 4);
    case GemvEpilogue::kSiluMul:
      return R % 32 == 0 && N % 32 == 0 && out.act != nullptr && aligned(out.act, 2);
    case GemvEpilogue::kRopeAppend:
      return R == out.D && out.H > 0 && out.Hkv > 0 && N == static_cast<int64_t>(out.H + 2 * out.Hkv) * out.D &&
             out.io.base != nullptr && out.io.M == M && out.rope != nullptr && aligned(out.rope, 8) &&
             (out.bias == nullptr || aligned(out.bias, 4)) && out.q != nullptr && out.k_cache != nullptr &&
             out.v_cache != nullptr && aligned(out.q, 2) && aligned(out.k_cache, 2) && aligned(out.v_cache, 2);
  }
  return false;
}

// plan_decode_gemv fitted to the current device: the launch at its most rows must fit a block's
// shared memory opt-in and one cluster of its K splits must be placeable
// (cudaOccupancyMaxActiveClusters; a small GPU partition may hold fewer blocks per GPC than a
// cluster). At each split count, most first, the weights resident, else streamed; then fewer
// splits. norm: the product normalizes its input (GemvInput::x null). cudaErrorInvalidConfiguration
// when nothing fits.
cudaError_t fit_decode_gemv_plan(GemvEpilogue kind, int64_t N, int64_t K, int32_t D, bool norm, int32_t sms,
                                 int32_t max_splits, bool allow_resident, GemvPlan* plan);

// Whether the fused path supports a model (head dim a multiple of 16 up to 128, hidden size a
// multiple of 8, intermediate size of 16).
bool decode_gemv_supports(int64_t E, int64_t I, int32_t D);

// decode_gemv_args_ok, else cudaErrorInvalidValue and nothing launched. stamps: null, or [3]
// nanosecond times for the bench's timeline (decode_gemv_body.cuh).
cudaError_t launch_decode_gemv(const bf16* w, int64_t N, int64_t K, int32_t M, const GemvInput& in,
                               const GemvOutput& out, const GemvPlan& plan, cudaStream_t s, uint64_t* stamps = nullptr);

// The step's first kernel, which writes the embeddings, their sums of squares for the first norm
// prologue and the RoPE table, is launch_decode_prologue (model_kernels.h).

}  // namespace aspd
