// Warp-wide reductions shared by the kernels (every lane of the warp gets the result), and the
// merge of per-warp online-softmax states.
#pragma once

#include <cuda_runtime.h>

namespace aspd {

__device__ __forceinline__ float warp_sum(float x) {
  for (int o = 16; o > 0; o >>= 1) x += __shfl_xor_sync(0xffffffffu, x, o);
  return x;
}

__device__ __forceinline__ float warp_max(float x) {
  for (int o = 16; o > 0; o >>= 1) x = fmaxf(x, __shfl_xor_sync(0xffffffffu, x, o));
  return x;
}

// Attention of one query row computed by kWarps warps over disjoint entry sets: each warp holds
// its running max m and sum l (log2 units) and acc for head dims lane + 32 t. Merged over the
// block: out(d, sum_w acc_w[d] 2^(m_w - m) / sum_w l_w 2^(m_w - m)) for d < D, 0 when no warp saw
// an entry. Every thread of the block calls it (it synchronizes the block).
template <int kWarps, int kDimsPerLane, typename Out>
__device__ void merge_warp_softmax(float m, float l, const float (&acc)[kDimsPerLane], int D, Out out) {
  __shared__ float s_m[kWarps], s_l[kWarps];
  __shared__ float s_acc[kWarps][kDimsPerLane * 32];
  const int warp = threadIdx.x / 32, lane = threadIdx.x % 32;
  if (lane == 0) {
    s_m[warp] = m;
    s_l[warp] = l;
  }
  for (int t = 0; t < kDimsPerLane; ++t) s_acc[warp][lane + 32 * t] = acc[t];
  __syncthreads();
  float m_all = -INFINITY;
  for (int w = 0; w < kWarps; ++w) m_all = fmaxf(m_all, s_m[w]);
  for (int d = threadIdx.x; d < D; d += blockDim.x) {
    float num = 0.f, den = 0.f;
    if (m_all != -INFINITY) {
      for (int w = 0; w < kWarps; ++w) {
        const float f = exp2f(s_m[w] - m_all);  // 0 for warps that saw nothing
        num += s_acc[w][d] * f;                 // dim d of warp w sits at lane d % 32, slot d / 32
        den += s_l[w] * f;
      }
    }
    out(d, den > 0.f ? num / den : 0.f);
  }
}

}  // namespace aspd
