// Decode step: A new queries (one per active branch, or one main token) against a shared KV cache
// whose entries carry (position, group_id, branch_id) tags. Grid (A, H), 4 warps per block.
// Warp w folds entries w, w+4, ... into its own online-softmax state (the tag check is uniform
// across the warp, so invisible entries cost one tag read and no K/V traffic); lane l owns head
// dims l, l+32, ... The four partial states are merged through shared memory at the end.
// Long caches use one block per (query, head); a split-K variant is not written yet.
#include <cuda_bf16.h>
#include <cuda_fp16.h>

#include <cstdint>

#include "attention_kernels.h"
#include "warp_reduce.cuh"

namespace aspd {

namespace {

constexpr int kWarps = 4;
constexpr int kThreads = kWarps * 32;
constexpr int kMaxDimsPerLane = 8;  // D <= 256
constexpr float kLog2e = 1.4426950408889634f;

__device__ __forceinline__ float to_float(__nv_bfloat16 x) { return __bfloat162float(x); }
__device__ __forceinline__ float to_float(__half x) { return __half2float(x); }

template <typename T>
__global__ void __launch_bounds__(kThreads)
decode_kernel(const T* __restrict__ q, const T* __restrict__ k, const T* __restrict__ v,
              TokenTags query, TokenTags entry, int64_t N, int H, int Hkv, int D, float scale_log2,
              float* __restrict__ out) {
  const int64_t a = blockIdx.x;
  const int h = blockIdx.y, kv_head = h / (H / Hkv);
  const int warp = threadIdx.x / 32, lane = threadIdx.x % 32;

  float qv[kMaxDimsPerLane], acc[kMaxDimsPerLane];
  for (int t = 0; t < kMaxDimsPerLane; ++t) {
    const int d = lane + 32 * t;
    qv[t] = d < D ? to_float(q[(a * H + h) * D + d]) : 0.f;
    acc[t] = 0.f;
  }
  const int32_t qp = query.position[a], qg = query.group[a], qb = query.branch[a];
  float m = -INFINITY, l = 0.f;
  for (int64_t e = warp; e < N; e += kWarps) {
    if (!tagged_visible(qp, qg, qb, entry.position[e], entry.group[e], entry.branch[e])) continue;
    const T* k_row = k + (e * Hkv + kv_head) * D;
    const T* v_row = v + (e * Hkv + kv_head) * D;
    float s = 0.f;
    for (int t = 0; t < kMaxDimsPerLane; ++t) {
      const int d = lane + 32 * t;
      if (d < D) s += qv[t] * to_float(k_row[d]);
    }
    s = warp_sum(s) * scale_log2;
    const float m_new = fmaxf(m, s);
    const float alpha = exp2f(m - m_new), p = exp2f(s - m_new);
    l = l * alpha + p;
    for (int t = 0; t < kMaxDimsPerLane; ++t) {
      const int d = lane + 32 * t;
      acc[t] = acc[t] * alpha + (d < D ? p * to_float(v_row[d]) : 0.f);
    }
    m = m_new;
  }
  merge_warp_softmax<kWarps>(m, l, acc, D, [&](int d, float value) { out[(a * H + h) * D + d] = value; });
}

template <typename T>
cudaError_t launch_typed(const void* q, const void* k, const void* v, TokenTags query,
                         TokenTags entry, const DecodeDims& dims, float scale, float* out,
                         cudaStream_t stream) {
  const dim3 grid(static_cast<unsigned>(dims.A), static_cast<unsigned>(dims.H));
  decode_kernel<T><<<grid, kThreads, 0, stream>>>(
      static_cast<const T*>(q), static_cast<const T*>(k), static_cast<const T*>(v), query, entry,
      dims.N, dims.H, dims.Hkv, dims.D, scale * kLog2e, out);
  return cudaGetLastError();
}

}  // namespace

cudaError_t launch_decode(DType dtype, const void* q, const void* k, const void* v,
                          TokenTags query, TokenTags entry, const DecodeDims& dims, float scale,
                          float* out, cudaStream_t stream) {
  if (dims.A <= 0) return cudaSuccess;
  if (dims.D <= 0 || dims.D > 32 * kMaxDimsPerLane || dims.Hkv <= 0 || dims.H % dims.Hkv != 0)
    return cudaErrorInvalidValue;
  if (dtype == DType::kBf16) return launch_typed<__nv_bfloat16>(q, k, v, query, entry, dims, scale, out, stream);
  return launch_typed<__half>(q, k, v, query, entry, dims, scale, out, stream);
}

}  // namespace aspd
