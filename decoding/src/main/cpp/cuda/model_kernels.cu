// Kernels of the GPU model forward and of on-device sampling; see model_kernels.h.
#include "model_kernels.h"

#include <cuda_bf16.h>

#include <cstdint>

#include "../core/visibility.h"
#include "warp_reduce.cuh"

namespace aspd {

namespace {

constexpr float kLog2e = 1.4426950408889634f;

// Sum over a block of up to 1024 threads; every thread gets the result.
__device__ float block_sum(float x) {
  __shared__ float partial[32];
  __shared__ float total;
  x = warp_sum(x);
  const int warp = threadIdx.x / 32, lane = threadIdx.x % 32;
  if (lane == 0) partial[warp] = x;
  __syncthreads();
  if (warp == 0) {
    float y = lane < (blockDim.x + 31) / 32 ? partial[lane] : 0.f;
    y = warp_sum(y);
    if (lane == 0) total = y;
  }
  __syncthreads();
  const float r = total;
  __syncthreads();  // partial/total may be reused by the next call
  return r;
}

__device__ __forceinline__ uint64_t mix64(uint64_t z) {
  z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
  z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
  return z ^ (z >> 31);
}

// Uniform in (0, 1) from a counter-based hash (splitmix64 finalizer of a keyed counter).
__device__ __forceinline__ double uniform01(uint64_t seed, uint64_t a, uint64_t b) {
  const uint64_t z = mix64(seed * 0x9E3779B97F4A7C15ull + mix64(a * 0xD1B54A32D192ED03ull + b + 1));
  return (static_cast<double>(z >> 11) + 0.5) * (1.0 / 9007199254740992.0);
}

__global__ void embed_kernel(const bf16* __restrict__ table, StepIoView io, int64_t E, float* __restrict__ x) {
  const int64_t r = blockIdx.x;
  const bf16* row = table + static_cast<int64_t>(io.ids()[r]) * E;
  for (int64_t e = threadIdx.x; e < E; e += blockDim.x) x[r * E + e] = __bfloat162float(row[e]);
}

__global__ void rms_norm_kernel(float* __restrict__ x, const float* __restrict__ add, const float* __restrict__ w,
                                int64_t E, float eps, bf16* __restrict__ h) {
  const int64_t r = blockIdx.x;
  float* xr = x + r * E;
  float ss = 0.f;
  for (int64_t e = threadIdx.x; e < E; e += blockDim.x) {
    float v = xr[e];
    if (add != nullptr) {
      v += add[r * E + e];
      xr[e] = v;
    }
    ss += v * v;
  }
  const float inv = 1.f / sqrtf(block_sum(ss) / static_cast<float>(E) + eps);
  for (int64_t e = threadIdx.x; e < E; e += blockDim.x) h[r * E + e] = __float2bfloat16_rn(w[e] * (xr[e] * inv));
}

// Grid (M, H + 2 Hkv), D / 2 threads: thread i rotates the pair (i, i + D/2) of one head.
__global__ void qkv_rope_append_kernel(const float* __restrict__ qkv, const float* __restrict__ bias, StepIoView io,
                                       int32_t H, int32_t Hkv, int32_t D, double theta, bf16* __restrict__ q,
                                       bf16* __restrict__ k_cache, bf16* __restrict__ v_cache) {
  const int r = blockIdx.x, head = blockIdx.y, i = threadIdx.x, half = D / 2;
  const int64_t width = static_cast<int64_t>(H + 2 * Hkv) * D;
  const int64_t col = static_cast<int64_t>(head) * D;
  float a = qkv[r * width + col + i], b = qkv[r * width + col + i + half];
  if (bias != nullptr) {
    a += bias[col + i];
    b += bias[col + i + half];
  }
  const int64_t slot = io.length_before() + r;
  if (head < H + Hkv) {
    const float2 cs = rope_cos_sin(io.position()[r], i, D, theta);
    const float cf = cs.x, sf = cs.y;
    const float ra = a * cf - b * sf, rb = b * cf + a * sf;
    bf16* dst = head < H ? q + (static_cast<int64_t>(r) * H + head) * D
                         : k_cache + (slot * Hkv + (head - H)) * D;
    dst[i] = __float2bfloat16_rn(ra);
    dst[i + half] = __float2bfloat16_rn(rb);
  } else {
    bf16* dst = v_cache + (slot * Hkv + (head - H - Hkv)) * D;
    dst[i] = __float2bfloat16_rn(a);
    dst[i + half] = __float2bfloat16_rn(b);
  }
}

// Grid M, 256 threads: block r copies row r's embedding; its first threads write the row's tags
// and RoPE table.
__global__ void decode_prologue_kernel(const bf16* __restrict__ embed, StepIoView io, int64_t E, float* __restrict__ x,
                                       EntryTags tags, int32_t D, double theta, float* __restrict__ rope,
                                       float* __restrict__ sumsq, int32_t slots) {
  __shared__ float partial[32];
  const int r = blockIdx.x;
  const bf16* row = embed + static_cast<int64_t>(io.ids()[r]) * E;
  float ss = 0.f;
  for (int64_t e = threadIdx.x; e < E; e += blockDim.x) {
    const float v = __bfloat162float(row[e]);
    x[r * E + e] = v;
    ss += v * v;
  }
  if (sumsq != nullptr) {  // block-uniform
    ss = warp_sum(ss);
    if (threadIdx.x % 32 == 0) partial[threadIdx.x / 32] = ss;
    __syncthreads();
    if (threadIdx.x == 0) {
      float sum = 0.f;
      for (int w = 0; w < static_cast<int>(blockDim.x / 32); ++w) sum += partial[w];
      sumsq[r * slots] = sum;
    }
    for (int i = 1 + threadIdx.x; i < slots; i += blockDim.x) sumsq[r * slots + i] = 0.f;
  }
  if (threadIdx.x == 0) {
    const int64_t slot = io.length_before() + r;
    tags.position[slot] = io.position()[r];
    tags.group[slot] = io.group()[r];
    tags.branch[slot] = io.branch()[r];
  }
  for (int i = threadIdx.x; i < D / 2; i += blockDim.x)
    reinterpret_cast<float2*>(rope)[static_cast<int64_t>(r) * (D / 2) + i] = rope_cos_sin(io.position()[r], i, D, theta);
}

__global__ void append_tags_kernel(StepIoView io, EntryTags tags) {
  for (int r = threadIdx.x; r < io.M; r += blockDim.x) {
    const int64_t slot = io.length_before() + r;
    tags.position[slot] = io.position()[r];
    tags.group[slot] = io.group()[r];
    tags.branch[slot] = io.branch()[r];
  }
}

constexpr int kAttnWarps = 4;
constexpr int kMaxDimsPerLane = 8;  // D <= 256

// Grid (M, H), 4 warps. Lane j of a warp scores entry base + j (a whole K row per lane, so one
// max/sum reduction per 32 entries); then the warp folds the 32 values P V with lane l owning head
// dims l, l + 32, ... (V loads independent of the weights, so they pipeline); chunks of 32 entries
// are dealt to the warps in turn, and the four warp states are merged into `out`.
__global__ void __launch_bounds__(kAttnWarps * 32)
cache_attention_kernel(const bf16* __restrict__ q, const bf16* __restrict__ k_cache, const bf16* __restrict__ v_cache,
                       EntryTags tags, StepIoView io, int32_t H, int32_t Hkv, int32_t D, float scale_log2,
                       bf16* __restrict__ out) {
  __shared__ float s_q[256];
  const int r = blockIdx.x, h = blockIdx.y, kv_head = h / (H / Hkv);
  const int warp = threadIdx.x / 32, lane = threadIdx.x % 32;
  for (int d = threadIdx.x; d < D; d += blockDim.x) s_q[d] = __bfloat162float(q[(static_cast<int64_t>(r) * H + h) * D + d]);
  __syncthreads();
  const int32_t qp = io.position()[r], qg = io.group()[r], qb = io.branch()[r];
  const int64_t begin = 0, end = io.length_before() + io.M;
  float m = -INFINITY, l = 0.f, acc[kMaxDimsPerLane];
  for (int t = 0; t < kMaxDimsPerLane; ++t) acc[t] = 0.f;
  for (int64_t base = begin + static_cast<int64_t>(warp) * 32; base < end; base += kAttnWarps * 32) {
    const int64_t e = base + lane;
    float s = -INFINITY;
    if (e < end && tagged_visible(qp, qg, qb, tags.position[e], tags.group[e], tags.branch[e])) {
      const bf16* k_row = k_cache + (e * Hkv + kv_head) * D;
      float dot = 0.f;
      if (D % 8 == 0) {
        for (int d = 0; d < D; d += 8) {
          const uint4 raw = *reinterpret_cast<const uint4*>(k_row + d);
          const __nv_bfloat162* p2 = reinterpret_cast<const __nv_bfloat162*>(&raw);
          for (int u = 0; u < 4; ++u) {
            const float2 f = __bfloat1622float2(p2[u]);
            dot += s_q[d + 2 * u] * f.x + s_q[d + 2 * u + 1] * f.y;
          }
        }
      } else {
        for (int d = 0; d < D; ++d) dot += s_q[d] * __bfloat162float(k_row[d]);
      }
      s = dot * scale_log2;
    }
    const float chunk_max = warp_max(s);
    if (chunk_max == -INFINITY) continue;  // uniform over the warp
    const float m_new = fmaxf(m, chunk_max);
    const float alpha = exp2f(m - m_new);  // 0 while nothing was seen (m = -inf)
    const float p = s == -INFINITY ? 0.f : exp2f(s - m_new);
    l = l * alpha + warp_sum(p);
    for (int t = 0; t < kMaxDimsPerLane; ++t) acc[t] *= alpha;
#pragma unroll 8
    for (int j = 0; j < 32; ++j) {
      const float pj = __shfl_sync(0xffffffffu, p, j);
      const int64_t ej = base + j < end ? base + j : end - 1;  // p = 0 there; keeps the load in range
      const bf16* v_row = v_cache + (ej * Hkv + kv_head) * D;
      for (int t = 0; t < kMaxDimsPerLane; ++t) {
        const int d = lane + 32 * t;
        if (d < D) acc[t] += pj * __bfloat162float(v_row[d]);
      }
    }
    m = m_new;
  }
  merge_warp_softmax<kAttnWarps>(m, l, acc, D, [&](int d, float value) {
    out[(static_cast<int64_t>(r) * H + h) * D + d] = __float2bfloat16_rn(value);
  });
}

__global__ void silu_mul_kernel(const float* __restrict__ gu, int64_t M, int64_t I, int64_t group,
                                bf16* __restrict__ out) {
  const int64_t idx = static_cast<int64_t>(blockIdx.x) * blockDim.x + threadIdx.x;
  if (idx >= M * I) return;
  const int64_t r = idx / I, i = idx % I;
  const int64_t col = group > 0 ? (i / group) * 2 * group + i % group : i, up = group > 0 ? group : I;
  const float g = gu[r * 2 * I + col], u = gu[r * 2 * I + col + up];
  out[idx] = __float2bfloat16_rn(g / (1.f + expf(-g)) * u);
}

constexpr int kGemvRows = 8;
constexpr int kGemvWarps = 4;

// One warp per output feature n, for up to 8 rows at a time: the W row is streamed once per
// 8 rows with 16-byte loads (the memory-bound case of batch-1 decoding).
__global__ void __launch_bounds__(kGemvWarps * 32)
gemv_kernel(const bf16* __restrict__ x, const bf16* __restrict__ w, int64_t M, int64_t N, int64_t K,
            float* __restrict__ y) {
  const int warp = threadIdx.x / 32, lane = threadIdx.x % 32;
  const int64_t n = static_cast<int64_t>(blockIdx.x) * kGemvWarps + warp;
  if (n >= N) return;
  for (int64_t r0 = 0; r0 < M; r0 += kGemvRows) {
    float acc[kGemvRows];
    for (int r = 0; r < kGemvRows; ++r) acc[r] = 0.f;
    for (int64_t k = static_cast<int64_t>(lane) * 8; k < K; k += 256) {
      const uint4 wraw = *reinterpret_cast<const uint4*>(w + n * K + k);
      const __nv_bfloat162* w2 = reinterpret_cast<const __nv_bfloat162*>(&wraw);
      for (int r = 0; r < kGemvRows; ++r) {
        if (r0 + r >= M) break;
        const uint4 xraw = *reinterpret_cast<const uint4*>(x + (r0 + r) * K + k);
        const __nv_bfloat162* x2 = reinterpret_cast<const __nv_bfloat162*>(&xraw);
        for (int u = 0; u < 4; ++u) {
          const float2 a = __bfloat1622float2(w2[u]), b = __bfloat1622float2(x2[u]);
          acc[r] += a.x * b.x + a.y * b.y;
        }
      }
    }
    for (int r = 0; r < kGemvRows; ++r) {
      const float v = warp_sum(acc[r]);
      if (lane == 0 && r0 + r < M) y[(r0 + r) * N + n] = v;
    }
  }
}

// Best (value, index) with ties to the lower index, reduced over the block.
__device__ void block_argmax(float* v, int32_t* i) {
  __shared__ float sv[32];
  __shared__ int32_t si[32];
  for (int o = 16; o > 0; o >>= 1) {
    const float ov = __shfl_xor_sync(0xffffffffu, *v, o);
    const int32_t oi = __shfl_xor_sync(0xffffffffu, *i, o);
    if (ov > *v || (ov == *v && oi < *i)) {
      *v = ov;
      *i = oi;
    }
  }
  const int warp = threadIdx.x / 32, lane = threadIdx.x % 32;
  if (lane == 0) {
    sv[warp] = *v;
    si[warp] = *i;
  }
  __syncthreads();
  if (warp == 0) {
    const int warps = (blockDim.x + 31) / 32;
    *v = lane < warps ? sv[lane] : -INFINITY;
    *i = lane < warps ? si[lane] : INT32_MAX;
    for (int o = 16; o > 0; o >>= 1) {
      const float ov = __shfl_xor_sync(0xffffffffu, *v, o);
      const int32_t oi = __shfl_xor_sync(0xffffffffu, *i, o);
      if (ov > *v || (ov == *v && oi < *i)) {
        *v = ov;
        *i = oi;
      }
    }
    if (lane == 0) {
      sv[0] = *v;
      si[0] = *i;
    }
  }
  __syncthreads();
  *v = sv[0];
  *i = si[0];
  __syncthreads();
}

// Greedy token of each row, or kNonFiniteToken when the row holds NaN or Inf: '>' lets a NaN lose
// to everything, so a broken forward would otherwise decode as a run of one fixed token. A block
// that saw one hands NaN to the last block, which reads it as the row's verdict.
__global__ void argmax_kernel(const float* __restrict__ logits, int64_t V, ArgmaxScratch scratch,
                              int32_t* __restrict__ out) {
  __shared__ bool s_last;
  const int r = blockIdx.y, b = blockIdx.x, blocks = gridDim.x;
  const float* row = logits + static_cast<int64_t>(r) * V;
  const int64_t per = (V + blocks - 1) / blocks, begin = b * per, end = begin + per < V ? begin + per : V;
  float best = -INFINITY;
  int32_t best_i = INT32_MAX;
  int bad = 0;
  for (int64_t i = begin + threadIdx.x; i < end; i += blockDim.x) {
    const float x = row[i];
    bad |= !isfinite(x);
    if (x > best || (x == best && i < best_i)) {
      best = x;
      best_i = static_cast<int32_t>(i);
    }
  }
  const bool block_bad = __syncthreads_or(bad) != 0;
  block_argmax(&best, &best_i);
  if (threadIdx.x == 0) {
    scratch.value[r * blocks + b] = block_bad ? NAN : best;
    scratch.index[r * blocks + b] = best_i;
    __threadfence();
    s_last = atomicAdd(&scratch.counters[r], 1) == blocks - 1;
  }
  __syncthreads();
  if (!s_last) return;
  __threadfence();
  best = -INFINITY;
  best_i = INT32_MAX;
  if (threadIdx.x < blocks) {
    best = __ldcg(scratch.value + r * blocks + threadIdx.x);
    best_i = __ldcg(scratch.index + r * blocks + threadIdx.x);
  }
  const bool row_bad = __syncthreads_or(isnan(best)) != 0;
  block_argmax(&best, &best_i);
  if (threadIdx.x == 0) {
    out[r] = row_bad ? kNonFiniteToken : best_i == INT32_MAX ? 0 : best_i;
    scratch.counters[r] = 0;  // ready for the next launch
  }
}

// Order-preserving map of a float to uint32 (bigger float -> bigger key); -inf is the smallest.
__device__ __forceinline__ uint32_t order_key(float x) {
  const uint32_t b = __float_as_uint(x);
  return (b & 0x80000000u) ? ~b : (b | 0x80000000u);
}

__device__ __forceinline__ float restricted(const float* row, int64_t i, const int32_t* ids, int n_allow, int n_ban) {
  if (n_allow > 0) {  // an allow list wins over a ban list (Restriction's rule)
    bool ok = false;
    for (int a = 0; a < n_allow; ++a) ok |= ids[a] == i;
    return ok ? row[i] : -INFINITY;
  }
  for (int b = 0; b < n_ban; ++b)
    if (ids[n_allow + b] == i) return -INFINITY;
  return row[i];
}

// Largest key t with f(t) >= target, where f(t) = sum of weight(logit) over the finite,
// allowed logits whose key is >= max(t, min_key): bit-by-bit from the top (f does not increase
// with t), one block reduction per bit. Keys of unscaled logits order them as logit / T does.
template <typename Weight>
__device__ uint32_t threshold_key(const float* row, int64_t V, const int32_t* ids, const DeviceSampling& p,
                                  uint32_t min_key, float target, Weight weight) {
  uint32_t t = 0;
  for (int bit = 31; bit >= 0; --bit) {
    const uint32_t cand = t | (1u << bit);
    const uint32_t from = cand > min_key ? cand : min_key;
    float local = 0.f;
    for (int64_t i = threadIdx.x; i < V; i += blockDim.x) {
      const float x = restricted(row, i, ids, p.n_allow, p.n_ban);
      if (x != -INFINITY && order_key(x) >= from) local += weight(x);
    }
    if (block_sum(local) >= target) t = cand;
  }
  return t > min_key ? t : min_key;
}

__global__ void sample_kernel(const float* __restrict__ row, int64_t V, const int32_t* __restrict__ ids,
                              DeviceSampling p, int32_t* __restrict__ out) {
  const bool greedy = p.temperature <= 0.f || p.top_k == 1;
  float best = -INFINITY;
  int32_t best_i = INT32_MAX;
  int bad = 0;
  for (int64_t i = threadIdx.x; i < V; i += blockDim.x) {
    bad |= !isfinite(row[i]);  // the whole row, as the CPU backend checks it before any restriction
    const float x = restricted(row, i, ids, p.n_allow, p.n_ban);
    if (x > best || (x == best && i < best_i)) {
      best = x;
      best_i = static_cast<int32_t>(i);
    }
  }
  if (__syncthreads_or(bad)) {  // every thread leaves together
    if (threadIdx.x == 0) out[0] = kNonFiniteToken;
    return;
  }
  block_argmax(&best, &best_i);
  if (greedy || best == -INFINITY) {
    if (threadIdx.x == 0) out[0] = best_i == INT32_MAX ? 0 : best_i;
    return;
  }
  const float inv_t = 1.f / p.temperature;
  const float z_max = best * inv_t;
  uint32_t keep_key = 0;  // logits with order_key >= keep_key (and finite) stay candidates
  if (p.top_k > 0)
    keep_key = threshold_key(row, V, ids, p, 0u, static_cast<float>(p.top_k), [](float) { return 1.f; });
  if (p.top_p < 1.f) {
    auto mass = [&](float x) { return expf(x * inv_t - z_max); };
    float local = 0.f;
    for (int64_t i = threadIdx.x; i < V; i += blockDim.x) {
      const float x = restricted(row, i, ids, p.n_allow, p.n_ban);
      if (x != -INFINITY && order_key(x) >= keep_key) local += mass(x);
    }
    keep_key = threshold_key(row, V, ids, p, keep_key, p.top_p * block_sum(local), mass);
  }
  best = -INFINITY;
  best_i = INT32_MAX;
  for (int64_t i = threadIdx.x; i < V; i += blockDim.x) {
    const float x = restricted(row, i, ids, p.n_allow, p.n_ban);
    if (x == -INFINITY || order_key(x) < keep_key) continue;
    const double u = uniform01(p.seed, p.counter, static_cast<uint64_t>(i));
    const float g = x * inv_t - static_cast<float>(log(-log(u)));  // Gumbel-max: argmax ~ softmax(x / T)
    if (g > best || (g == best && i < best_i)) {
      best = g;
      best_i = static_cast<int32_t>(i);
    }
  }
  block_argmax(&best, &best_i);
  if (threadIdx.x == 0) out[0] = best_i == INT32_MAX ? 0 : best_i;
}

__global__ void fill_normal_bf16_kernel(bf16* w, int64_t n, uint64_t seed, float mean, float std) {
  for (int64_t i = static_cast<int64_t>(blockIdx.x) * blockDim.x + threadIdx.x; i < n;
       i += static_cast<int64_t>(gridDim.x) * blockDim.x) {
    const double u1 = uniform01(seed, static_cast<uint64_t>(i), 0), u2 = uniform01(seed, static_cast<uint64_t>(i), 1);
    w[i] = __float2bfloat16_rn(mean + std * static_cast<float>(sqrt(-2.0 * log(u1)) * cospi(2.0 * u2)));
  }
}

__global__ void fill_normal_f32_kernel(float* w, int64_t n, uint64_t seed, float mean, float std) {
  for (int64_t i = static_cast<int64_t>(blockIdx.x) * blockDim.x + threadIdx.x; i < n;
       i += static_cast<int64_t>(gridDim.x) * blockDim.x) {
    const double u1 = uniform01(seed, static_cast<uint64_t>(i), 0), u2 = uniform01(seed, static_cast<uint64_t>(i), 1);
    w[i] = mean + std * static_cast<float>(sqrt(-2.0 * log(u1)) * cospi(2.0 * u2));
  }
}

unsigned blocks_for(int64_t n, int threads) { return static_cast<unsigned>((n + threads - 1) / threads); }

}  // namespace

cudaError_t launch_embed(const bf16* table, StepIoView io, int64_t E, float* x, cudaStream_t s) {
  embed_kernel<<<io.M, 256, 0, s>>>(table, io, E, x);
  return cudaGetLastError();
}

cudaError_t launch_rms_norm(float* x, const float* add, const float* w, int64_t M, int64_t E, float eps, bf16* h,
                            cudaStream_t s) {
  rms_norm_kernel<<<static_cast<unsigned>(M), E >= 2048 ? 1024 : 256, 0, s>>>(x, add, w, E, eps, h);
  return cudaGetLastError();
}

cudaError_t launch_qkv_rope_append(const float* qkv, const float* bias, StepIoView io, int32_t H, int32_t Hkv,
                                   int32_t D, double theta, bf16* q, bf16* k_cache, bf16* v_cache, cudaStream_t s) {
  if (D % 2 != 0 || D > 2048) return cudaErrorInvalidValue;
  qkv_rope_append_kernel<<<dim3(io.M, H + 2 * Hkv), D / 2, 0, s>>>(qkv, bias, io, H, Hkv, D, theta, q, k_cache, v_cache);
  return cudaGetLastError();
}

cudaError_t launch_decode_prologue(const bf16* embed, StepIoView io, int64_t E, float* x, EntryTags tags, int32_t D,
                                   double theta, float* rope, cudaStream_t s, float* sumsq, int32_t sumsq_slots) {
  if (io.base == nullptr || io.M < 1 || io.M > kDecodePrologueMaxRows || D % 2 != 0 || embed == nullptr ||
      x == nullptr || rope == nullptr || tags.position == nullptr || tags.group == nullptr || tags.branch == nullptr ||
      (sumsq != nullptr && sumsq_slots < 1))
    return cudaErrorInvalidValue;
  decode_prologue_kernel<<<io.M, 256, 0, s>>>(embed, io, E, x, tags, D, theta, rope, sumsq, sumsq_slots);
  return cudaGetLastError();
}

cudaError_t launch_append_tags(StepIoView io, EntryTags tags, cudaStream_t s) {
  append_tags_kernel<<<1, 256, 0, s>>>(io, tags);
  return cudaGetLastError();
}

cudaError_t launch_cache_attention(const bf16* q, const bf16* k_cache, const bf16* v_cache, EntryTags tags,
                                   StepIoView io, int32_t H, int32_t Hkv, int32_t D, float scale, bf16* out,
                                   cudaStream_t s) {
  if (D > 32 * kMaxDimsPerLane || Hkv <= 0 || H % Hkv != 0) return cudaErrorInvalidValue;
  cache_attention_kernel<<<dim3(io.M, H), kAttnWarps * 32, 0, s>>>(q, k_cache, v_cache, tags, io, H, Hkv, D,
                                                                    scale * kLog2e, out);
  return cudaGetLastError();
}

cudaError_t launch_silu_mul(const float* gu, int64_t M, int64_t I, int64_t group, bf16* out, cudaStream_t s) {
  if (group < 0 || (group > 0 && I % group != 0)) return cudaErrorInvalidValue;
  silu_mul_kernel<<<blocks_for(M * I, 256), 256, 0, s>>>(gu, M, I, group, out);
  return cudaGetLastError();
}

cudaError_t launch_gemv(const bf16* x, const bf16* w, int64_t M, int64_t N, int64_t K, float* y, cudaStream_t s) {
  if (K % 8 != 0) return cudaErrorInvalidValue;
  gemv_kernel<<<blocks_for(N, kGemvWarps), kGemvWarps * 32, 0, s>>>(x, w, M, N, K, y);
  return cudaGetLastError();
}

cudaError_t launch_argmax(const float* logits, int64_t M, int64_t V, ArgmaxScratch scratch, int32_t* out,
                          cudaStream_t s) {
  if (M < 1 || M > 65535) return cudaErrorInvalidValue;
  argmax_kernel<<<dim3(kArgmaxBlocks, static_cast<unsigned>(M)), 256, 0, s>>>(logits, V, scratch, out);
  return cudaGetLastError();
}

cudaError_t launch_sample(const float* logits, int64_t V, const int32_t* ids, DeviceSampling p, int32_t* out,
                          cudaStream_t s) {
  sample_kernel<<<1, 1024, 0, s>>>(logits, V, ids, p, out);
  return cudaGetLastError();
}

cudaError_t launch_fill_normal_bf16(bf16* w, int64_t n, uint64_t seed, float mean, float std, cudaStream_t s) {
  fill_normal_bf16_kernel<<<4096, 256, 0, s>>>(w, n, seed, mean, std);
  return cudaGetLastError();
}

cudaError_t launch_fill_normal_f32(float* w, int64_t n, uint64_t seed, float mean, float std, cudaStream_t s) {
  fill_normal_f32_kernel<<<256, 256, 0, s>>>(w, n, seed, mean, std);
  return cudaGetLastError();
}

}  // namespace aspd
