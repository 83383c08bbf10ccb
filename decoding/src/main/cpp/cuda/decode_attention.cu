// Decode-step attention over the KV cache; see decode_attention.h.
#include "decode_attention.h"

#include <cuda_bf16.h>

#include "../core/visibility.h"
#include "warp_reduce.cuh"

namespace aspd {

namespace {

constexpr int kThreads = 256;

__host__ __device__ constexpr int chunk_for(int D) { return D > 128 ? 32 : 64; }  // entries staged per pass

__host__ __device__ constexpr size_t smem_bytes(int D) {
  // K and V [chunk][D + 8] bf16 (8 elements of padding: conflict-free 16-byte row reads), q
  // [16][D + 8] bf16, scores [16][chunk] fp32, entry tags [3][chunk].
  return (2 * static_cast<size_t>(chunk_for(D)) + kDecodeAttentionMaxRows) * (D + 8) * 2 +
         static_cast<size_t>(kDecodeAttentionMaxRows) * chunk_for(D) * 4 + 3 * static_cast<size_t>(chunk_for(D)) * 4;
}

// Grid (H, splits), kThreads threads. Thread t owns the output dims (2p, 2p + 1), p = t % (D / 2),
// of rows t / (D / 2) + j * groups: its accumulators stay in registers across the chunks.
__global__ void __launch_bounds__(kThreads)
decode_attention_kernel(const bf16* __restrict__ q, const bf16* __restrict__ k_cache, const bf16* __restrict__ v_cache,
                        EntryTags tags, StepIoView io, int32_t H, int32_t Hkv, int32_t D, float scale_log2,
                        float* __restrict__ partial, int32_t* __restrict__ counters, bf16* __restrict__ out) {
  extern __shared__ __align__(16) unsigned char raw[];
  __shared__ float s_m[kDecodeAttentionMaxRows], s_l[kDecodeAttentionMaxRows], s_alpha[kDecodeAttentionMaxRows];
  __shared__ int32_t s_qp[kDecodeAttentionMaxRows], s_qg[kDecodeAttentionMaxRows], s_qb[kDecodeAttentionMaxRows];
  __shared__ bool s_last;
  constexpr int splits = kDecodeAttentionSplits;  // compile time: the merge loops unroll
  const int h = blockIdx.x, split = blockIdx.y, kv_head = h / (H / Hkv);
  const int tid = threadIdx.x, warp = tid / 32, lane = tid % 32, M = io.M;
  const int chunk = chunk_for(D), row = D + 8, vecs = D / 8;
  bf16* sK = reinterpret_cast<bf16*>(raw);
  bf16* sV = sK + chunk * row;
  bf16* sQ = sV + chunk * row;
  float* sP = reinterpret_cast<float*>(sQ + kDecodeAttentionMaxRows * row);
  int32_t* sTag = reinterpret_cast<int32_t*>(sP + kDecodeAttentionMaxRows * chunk);

  const int64_t n = io.length_before() + M;
  const int64_t per = (n + splits - 1) / splits;
  const int64_t begin = split * per < n ? split * per : n, end = begin + per < n ? begin + per : n;

  for (int i = tid; i < M * vecs; i += kThreads) {
    const int m = i / vecs, c = i % vecs;
    *reinterpret_cast<uint4*>(sQ + m * row + 8 * c) =
        *reinterpret_cast<const uint4*>(q + (static_cast<int64_t>(m) * H + h) * D + 8 * c);
  }
  if (tid < M) {
    s_m[tid] = -INFINITY;
    s_l[tid] = 0.f;
    s_qp[tid] = io.position()[tid];
    s_qg[tid] = io.group()[tid];
    s_qb[tid] = io.branch()[tid];
  }
  const int pairs = D / 2, groups = kThreads / pairs > 0 ? kThreads / pairs : 1;
  const int dp = tid % pairs, rg = tid / pairs;
  const bool owner = rg < groups && tid < groups * pairs;
  const int my_rows = owner && rg < M ? (M - rg + groups - 1) / groups : 0;  // rows rg, rg + groups, ...
  float acc[kDecodeAttentionMaxRows][2];
#pragma unroll
  for (int j = 0; j < kDecodeAttentionMaxRows; ++j) acc[j][0] = acc[j][1] = 0.f;
  __syncthreads();

  for (int64_t c0 = begin; c0 < end; c0 += chunk) {
    const int cn = end - c0 < chunk ? static_cast<int>(end - c0) : chunk;
    for (int i = tid; i < cn * vecs; i += kThreads) {
      const int e = i / vecs, c = i % vecs;
      const int64_t src = ((c0 + e) * Hkv + kv_head) * D + 8 * c;
      *reinterpret_cast<uint4*>(sK + e * row + 8 * c) = *reinterpret_cast<const uint4*>(k_cache + src);
      *reinterpret_cast<uint4*>(sV + e * row + 8 * c) = *reinterpret_cast<const uint4*>(v_cache + src);
    }
    for (int i = tid; i < cn; i += kThreads) {
      sTag[i] = tags.position[c0 + i];
      sTag[chunk + i] = tags.group[c0 + i];
      sTag[2 * chunk + i] = tags.branch[c0 + i];
    }
    __syncthreads();
    for (int i = tid; i < M * chunk; i += kThreads) {
      const int m = i / chunk, e = i % chunk;
      float s = -INFINITY;
      if (e < cn && tagged_visible(s_qp[m], s_qg[m], s_qb[m], sTag[e], sTag[chunk + e], sTag[2 * chunk + e])) {
        float dot = 0.f;
        for (int c = 0; c < vecs; ++c) {
          const uint4 qa = *reinterpret_cast<const uint4*>(sQ + m * row + 8 * c);
          const uint4 ka = *reinterpret_cast<const uint4*>(sK + e * row + 8 * c);
          const __nv_bfloat162* q2 = reinterpret_cast<const __nv_bfloat162*>(&qa);
          const __nv_bfloat162* k2 = reinterpret_cast<const __nv_bfloat162*>(&ka);
#pragma unroll
          for (int u = 0; u < 4; ++u) {
            const float2 a = __bfloat1622float2(q2[u]), b = __bfloat1622float2(k2[u]);
            dot += a.x * b.x + a.y * b.y;
          }
        }
        s = dot * scale_log2;
      }
      sP[m * chunk + e] = s;
    }
    __syncthreads();
    // Online softmax: one warp per row folds the chunk's scores into the row's state.
    for (int m = warp; m < M; m += kThreads / 32) {
      float mx = -INFINITY;
      for (int e = lane; e < chunk; e += 32) mx = fmaxf(mx, sP[m * chunk + e]);
      mx = warp_max(mx);
      const float m_old = s_m[m], m_new = fmaxf(m_old, mx);
      float sum = 0.f;
      for (int e = lane; e < chunk; e += 32) {
        const float sv = sP[m * chunk + e];
        const float p = sv == -INFINITY ? 0.f : exp2f(sv - m_new);
        sP[m * chunk + e] = p;
        sum += p;
      }
      sum = warp_sum(sum);
      if (lane == 0) {
        const float alpha = m_old == -INFINITY ? 0.f : exp2f(m_old - m_new);
        s_alpha[m] = alpha;
        s_l[m] = s_l[m] * alpha + sum;
        s_m[m] = m_new;
      }
    }
    __syncthreads();
    if (owner) {
#pragma unroll
      for (int j = 0; j < kDecodeAttentionMaxRows; ++j) {
        if (j >= my_rows) break;  // warp-uniform: a warp's threads share rg for D >= 64
        const int m = rg + j * groups;
        acc[j][0] *= s_alpha[m];
        acc[j][1] *= s_alpha[m];
      }
      for (int e = 0; e < cn; ++e) {
        const float2 v = __bfloat1622float2(*reinterpret_cast<const __nv_bfloat162*>(sV + e * row + 2 * dp));
#pragma unroll
        for (int j = 0; j < kDecodeAttentionMaxRows; ++j) {
          if (j >= my_rows) break;
          const float p = sP[(rg + j * groups) * chunk + e];
          acc[j][0] += p * v.x;
          acc[j][1] += p * v.y;
        }
      }
    }
    __syncthreads();  // the next chunk overwrites K, V, scores
  }

  // This split's state per row: (m, l, acc[D]); the last split block of the head merges them.
  const int64_t stride = D + 2;
  if (owner) {
#pragma unroll
    for (int j = 0; j < kDecodeAttentionMaxRows; ++j) {
      const int m = rg + j * groups;
      if (j < my_rows) {
        float* slot = partial + ((static_cast<int64_t>(m) * H + h) * splits + split) * stride;
        slot[2 + 2 * dp] = acc[j][0];
        slot[3 + 2 * dp] = acc[j][1];
      }
    }
  }
  if (tid < M) {
    float* slot = partial + ((static_cast<int64_t>(tid) * H + h) * splits + split) * stride;
    slot[0] = s_m[tid];
    slot[1] = s_l[tid];
  }
  __threadfence();
  __syncthreads();
  if (tid == 0) s_last = atomicAdd(&counters[h], 1) == splits - 1;
  __syncthreads();
  if (!s_last) return;
  __threadfence();
  // Merge: each split's weight per row, 2^(m_s - m) / sum_s l_s 2^(m_s - m), computed once; then
  // every output is a 16-term sum over the splits' accumulators.
  __shared__ float s_weight[kDecodeAttentionMaxRows][splits];
  for (int i = tid; i < M * splits; i += kThreads) {
    const float* slot = partial + ((static_cast<int64_t>(i / splits) * H + h) * splits + i % splits) * stride;
    s_weight[i / splits][i % splits] = __ldcg(slot);      // m_s for now
    sP[i] = __ldcg(slot + 1);                             // l_s (the scores are no longer needed)
  }
  __syncthreads();
  if (tid < M) {
    float m_all = -INFINITY, den = 0.f;
    for (int sp = 0; sp < splits; ++sp) m_all = fmaxf(m_all, s_weight[tid][sp]);
    float f[splits];
    for (int sp = 0; sp < splits; ++sp) {
      f[sp] = m_all == -INFINITY ? 0.f : exp2f(s_weight[tid][sp] - m_all);  // 0 for a split that saw nothing
      den += sP[tid * splits + sp] * f[sp];
    }
    for (int sp = 0; sp < splits; ++sp) s_weight[tid][sp] = den > 0.f ? f[sp] / den : 0.f;
  }
  __syncthreads();
  for (int i = tid; i < M * D; i += kThreads) {
    const int m = i / D, d = i % D;
    const float* base = partial + (static_cast<int64_t>(m) * H + h) * splits * stride + 2 + d;
    float o = 0.f;
#pragma unroll
    for (int sp = 0; sp < splits; ++sp) o += __ldcg(base + sp * stride) * s_weight[m][sp];
    out[(static_cast<int64_t>(m) * H + h) * D + d] = __float2bfloat16_rn(o);
  }
  if (tid == 0) counters[h] = 0;  // ready for the next launch
}

}  // namespace

cudaError_t launch_decode_attention(const bf16* q, const bf16* k_cache, const bf16* v_cache, EntryTags tags,
                                    StepIoView io, int32_t H, int32_t Hkv, int32_t D, float scale, float* partial,
                                    int32_t* counters, bf16* out, cudaStream_t s) {
  if (io.M < 1 || io.M > kDecodeAttentionMaxRows || D % 8 != 0 || D > 256 || Hkv <= 0 || H % Hkv != 0 ||
      partial == nullptr || counters == nullptr)
    return cudaErrorInvalidValue;
  constexpr float kLog2e = 1.4426950408889634f;
  decode_attention_kernel<<<dim3(H, kDecodeAttentionSplits), kThreads, smem_bytes(D), s>>>(
      q, k_cache, v_cache, tags, io, H, Hkv, D, scale * kLog2e, partial, counters, out);
  return cudaGetLastError();
}

}  // namespace aspd
