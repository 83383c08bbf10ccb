// Kernels of the GPU model forward and of on-device sampling (gpu_model.cu strings them together).
// Activations: residual stream x fp32 [M, E]; GEMM inputs bf16; GEMM outputs fp32; KV cache bf16
// [capacity, Hkv, D] per layer with entry tags position/group/branch [capacity].
//
// Step inputs live in one device int32 buffer (StepIo) so that a captured CUDA graph can be
// replayed for every step with the same M: [length_before, ids[M], position[M], group[M], branch[M]].
#pragma once

#include <cuda_bf16.h>
#include <cuda_runtime.h>

#include <cmath>
#include <cstdint>

namespace aspd {

using bf16 = __nv_bfloat16;

struct StepIoView {
  const int32_t* base;  // device buffer
  int32_t M;
  __host__ __device__ int32_t length_before() const { return base[0]; }
  __host__ __device__ const int32_t* ids() const { return base + 1; }
  __host__ __device__ const int32_t* position() const { return base + 1 + M; }
  __host__ __device__ const int32_t* group() const { return base + 1 + 2 * M; }
  __host__ __device__ const int32_t* branch() const { return base + 1 + 3 * M; }
  static constexpr size_t ints(int32_t M) { return 1 + 4 * static_cast<size_t>(M); }
};

struct EntryTags {
  int32_t* position;
  int32_t* group;
  int32_t* branch;
};

// cos and sin of the RoPE angle of a position and dim pair i (rotate_half, angle = position *
// theta^(-2i/D)), computed in double as the CPU forward computes it, then rounded to float: every
// GPU path (qkv_rope_append, the fused products, the decode prologue's table that the decode
// attention and the megakernel read) rotates by these floats.
__host__ __device__ inline float2 rope_cos_sin(int32_t position, int32_t i, int32_t D, double theta) {
  const double angle = static_cast<double>(position) * pow(theta, -2.0 * i / D);
  double s, c;
  sincos(angle, &s, &c);
  return make_float2(static_cast<float>(c), static_cast<float>(s));
}

// x[r] = embedding[ids[r]] (fp32).
cudaError_t launch_embed(const bf16* table, StepIoView io, int64_t E, float* x, cudaStream_t s);

// Optionally x += add (fp32, the residual); then h = bf16(w * x / sqrt(mean(x^2) + eps)).
cudaError_t launch_rms_norm(float* x, const float* add, const float* w, int64_t M, int64_t E, float eps, bf16* h,
                            cudaStream_t s);

// qkv fp32 [M, (H + 2 Hkv) D] (+ bias) -> RoPE (rotate_half, angle = position * theta^(-2i/D)) ->
// q bf16 [M, H, D]; k, v appended to the layer's cache at entry length_before + r.
cudaError_t launch_qkv_rope_append(const float* qkv, const float* bias, StepIoView io, int32_t H, int32_t Hkv,
                                   int32_t D, double theta, bf16* q, bf16* k_cache, bf16* v_cache, cudaStream_t s);

// Entry tags of the new rows (once per step, before the layers).
cudaError_t launch_append_tags(StepIoView io, EntryTags tags, cudaStream_t s);

// A decode step's first launch (M <= kDecodePrologueMaxRows): the rows' embeddings into x (fp32),
// their entry tags appended, and the RoPE table rope [M, D / 2] of float2 (cos, sin) =
// rope_cos_sin(position, i, D, theta), so that later kernels rotate without double-precision math.
// With sumsq [M, sumsq_slots] (the fused products' norm prologue, decode_gemv.h): slot 0 of each
// row gets the sum of squares of its embedding, the other slots zero.
constexpr int32_t kDecodePrologueMaxRows = 16;  // as many rows as a decode step has (static_asserts in gpu_model.cu)
cudaError_t launch_decode_prologue(const bf16* embed, StepIoView io, int64_t E, float* x, EntryTags tags, int32_t D,
                                   double theta, float* rope, cudaStream_t s, float* sumsq = nullptr,
                                   int32_t sumsq_slots = 0);

// Each new row attends to entries [0, length_before + M) under the tag rule (visibility.h), one
// block per (row, head): the prefill of chunks over 16 rows, and decode steps of head dims that
// decode_attention.h does not take.
// out bf16 [M, H * D]. D <= 256.
cudaError_t launch_cache_attention(const bf16* q, const bf16* k_cache, const bf16* v_cache, EntryTags tags,
                                   StepIoView io, int32_t H, int32_t Hkv, int32_t D, float scale, bf16* out,
                                   cudaStream_t s);

// Rows of the fused gate/up weight for the fused decode products (decode_gemv.h): groups of
// 2 * kGateUpGroup rows, kGateUpGroup gate rows then the up rows of the same features.
constexpr int64_t kGateUpGroup = 16;

// gu fp32 [M, 2I] -> bf16 silu(gate) * up [M, I]. group 0: columns [gate | up]; group G: gate and
// up interleaved in groups of G (I % G == 0).
cudaError_t launch_silu_mul(const float* gu, int64_t M, int64_t I, int64_t group, bf16* out, cudaStream_t s);

// Fallback GEMM without cuBLAS: y fp32 [M, N] = x bf16 [M, K] . W bf16 [N, K]^T, K % 8 == 0.
cudaError_t launch_gemv(const bf16* x, const bf16* w, int64_t M, int64_t N, int64_t K, float* y, cudaStream_t s);

// What argmax and sample write for a row whose logits hold NaN or Inf (a broken forward).
constexpr int32_t kNonFiniteToken = -1;

// out[r] = argmax of logits[r] (lowest index on ties), or kNonFiniteToken, rows [M]. Each row is split over
// kArgmaxBlocks blocks (one SM cannot stream a 150k-entry row fast); the last block of a row to
// finish reduces the blocks' bests. Scratch: value/index [M * kArgmaxBlocks], counters [M] zero
// before the first launch (every launch leaves them zero).
constexpr int32_t kArgmaxBlocks = 32;
struct ArgmaxScratch {
  float* value;
  int32_t* index;
  int32_t* counters;
};
cudaError_t launch_argmax(const float* logits, int64_t M, int64_t V, ArgmaxScratch scratch, int32_t* out,
                          cudaStream_t s);

// One draw for one row of logits [V]: restriction (allow-only ids, else banned ids), then
// temperature, top-k, top-p (thresholds found by bisection, ties kept as Hugging Face keeps them),
// then a Gumbel-max draw from the kept set (exact softmax sampling) with a counter-based RNG
// (seed, counter). temperature 0 = greedy. ids: device [n_allow + n_ban]. kNonFiniteToken when the
// row (before the restriction) holds NaN or Inf.
struct DeviceSampling {
  float temperature;
  int32_t top_k;
  float top_p;
  uint64_t seed;
  uint64_t counter;
  int32_t n_allow, n_ban;
};
cudaError_t launch_sample(const float* logits, int64_t V, const int32_t* ids, DeviceSampling p, int32_t* out,
                          cudaStream_t s);

// Deterministic fills for random-weight models: bf16 N(mean, std^2) and fp32 N(mean, std^2).
cudaError_t launch_fill_normal_bf16(bf16* w, int64_t n, uint64_t seed, float mean, float std, cudaStream_t s);
cudaError_t launch_fill_normal_f32(float* w, int64_t n, uint64_t seed, float mean, float std, cudaStream_t s);

}  // namespace aspd
