// Packed-prefill attention with the branch rule, flash-attention style (online softmax, no T x T
// mask in memory): the kTiled kernel, kept as the reference GPU path and for head dims the kMma
// kernel (prefill_mma_kernel.cu) has no instantiation for.
// Grid (ceil(T/64), H): one block of 4 warps per (64-row query tile, head).
// For each 64-key tile at or below the diagonal that is not wholly invisible (visibility.h):
//   S = Q K^T with 16x16x16 tensor-core fragments (warp w owns query rows 16w..16w+15),
//   mask + online softmax in fp32 per row (one warp per row, two columns per lane),
//   O = alpha * O + P V with P rounded to the input dtype (as FlashAttention-2 does).
// O [64, D] lives in shared memory in fp32 because the row -> fragment-element mapping of wmma
// accumulators is unspecified, so per-row rescaling is done on the shared copy.
#include <cuda_bf16.h>
#include <cuda_fp16.h>
#include <mma.h>

#include <cstdint>

#include "attention_kernels.h"
#include "warp_reduce.cuh"

namespace aspd {

namespace {

using namespace nvcuda;

constexpr int kTile = kPrefillTile;
constexpr int kWarps = 4;  // 4 warps x 16 rows = 64 query rows
constexpr int kThreads = kWarps * 32;
constexpr int kPad16 = 8;  // padding (elements) of 16-bit rows: keeps 32-byte fragment alignment
constexpr int kPad32 = 4;  // padding (elements) of fp32 rows
constexpr float kLog2e = 1.4426950408889634f;

// Byte offsets of the shared-memory regions for head dim D (each 128-byte aligned).
struct SmemLayout {
  size_t q, k, v, s, p, o, labels, stats, total;
  int ld16, lds, ldp, ldo;  // leading dims (elements) of Q/K/V, S, P, O
};

__host__ __device__ inline size_t align128(size_t x) { return (x + 127) & ~static_cast<size_t>(127); }

__host__ __device__ inline SmemLayout smem_layout(int D) {
  SmemLayout L;
  L.ld16 = D + kPad16;
  L.lds = kTile + kPad32;
  L.ldp = kTile + kPad16;
  L.ldo = D + kPad32;
  size_t off = 0;
  L.q = off; off = align128(off + static_cast<size_t>(kTile) * L.ld16 * 2);
  L.k = off; off = align128(off + static_cast<size_t>(kTile) * L.ld16 * 2);
  L.v = off; off = align128(off + static_cast<size_t>(kTile) * L.ld16 * 2);
  L.s = off; off = align128(off + static_cast<size_t>(kTile) * L.lds * 4);
  L.p = off; off = align128(off + static_cast<size_t>(kTile) * L.ldp * 2);
  L.o = off; off = align128(off + static_cast<size_t>(kTile) * L.ldo * 4);
  L.labels = off; off = align128(off + 4 * kTile * 4);  // group/branch of query and key tile
  L.stats = off; off = align128(off + 3 * kTile * 4);   // m, l, alpha per query row
  L.total = off;
  return L;
}

template <typename T> __device__ T from_float(float x);
template <> __device__ __nv_bfloat16 from_float<__nv_bfloat16>(float x) { return __float2bfloat16_rn(x); }
template <> __device__ __half from_float<__half>(float x) { return __float2half_rn(x); }

// Copies rows [row0, row0 + 64) of head `head` from src [T, heads, D] into dst [64, ld]; rows past
// T become zeros. 16-byte vector copies: D % 16 == 0 keeps every row start 32-byte aligned.
template <typename T>
__device__ void load_rows(T* dst, const T* __restrict__ src, int64_t row0, int64_t T_len,
                          int heads, int head, int D, int ld) {
  const int per_row = D / 8;
  for (int idx = threadIdx.x; idx < kTile * per_row; idx += kThreads) {
    const int r = idx / per_row, c = (idx % per_row) * 8;
    const int64_t row = row0 + r;
    uint4 val = make_uint4(0u, 0u, 0u, 0u);
    if (row < T_len) val = *reinterpret_cast<const uint4*>(src + (row * heads + head) * D + c);
    *reinterpret_cast<uint4*>(dst + r * ld + c) = val;
  }
}

__device__ void load_labels(int32_t* g_dst, int32_t* b_dst, const int32_t* __restrict__ group,
                            const int32_t* __restrict__ branch, int64_t row0, int64_t T_len) {
  for (int r = threadIdx.x; r < kTile; r += kThreads) {
    const int64_t i = row0 + r;
    g_dst[r] = i < T_len ? group[i] : -1;
    b_dst[r] = i < T_len ? branch[i] : 0;
  }
}

// S[16w.., 0..64) = Q[16w.., :] K^T for warp w.
template <typename T>
__device__ void scores_tile(const T* sQ, const T* sK, float* sS, const SmemLayout& L, int D, int warp) {
  wmma::fragment<wmma::accumulator, 16, 16, 16, float> acc[kTile / 16];
  for (int n = 0; n < kTile / 16; ++n) wmma::fill_fragment(acc[n], 0.f);
  for (int kk = 0; kk < D / 16; ++kk) {
    wmma::fragment<wmma::matrix_a, 16, 16, 16, T, wmma::row_major> a;
    wmma::load_matrix_sync(a, sQ + warp * 16 * L.ld16 + kk * 16, L.ld16);
    for (int n = 0; n < kTile / 16; ++n) {
      // K^T as a column-major 16x16 block: element (d, key) sits at sK[key * ld16 + d].
      wmma::fragment<wmma::matrix_b, 16, 16, 16, T, wmma::col_major> b;
      wmma::load_matrix_sync(b, sK + n * 16 * L.ld16 + kk * 16, L.ld16);
      wmma::mma_sync(acc[n], a, b, acc[n]);
    }
  }
  for (int n = 0; n < kTile / 16; ++n)
    wmma::store_matrix_sync(sS + warp * 16 * L.lds + n * 16, acc[n], L.lds, wmma::mem_row_major);
}

// Masked online-softmax update of warp w's 16 rows; writes P and the per-row rescale factor alpha.
template <typename T>
__device__ void softmax_tile(const float* sS, T* sP, float* sM, float* sL, float* sAlpha,
                             const int32_t* sGq, const int32_t* sBq, const int32_t* sGk,
                             const int32_t* sBk, const SmemLayout& L, int64_t q0, int64_t k0,
                             int64_t T_len, float scale_log2, int warp, int lane) {
  for (int rr = 0; rr < 16; ++rr) {
    const int r = warp * 16 + rr;
    const int64_t i = q0 + r;
    float s[2];
    bool vis[2];
    for (int h = 0; h < 2; ++h) {
      const int c = lane + 32 * h;
      const int64_t j = k0 + c;
      vis[h] = i < T_len && j <= i && label_visible(sGq[r], sBq[r], sGk[c], sBk[c]);
      s[h] = vis[h] ? sS[r * L.lds + c] * scale_log2 : -INFINITY;
    }
    const float m_old = sM[r];
    const float m_new = fmaxf(m_old, warp_max(fmaxf(s[0], s[1])));
    float p[2] = {0.f, 0.f};
    float alpha = 1.f;
    if (m_new != -INFINITY) {
      for (int h = 0; h < 2; ++h) p[h] = vis[h] ? exp2f(s[h] - m_new) : 0.f;
      alpha = exp2f(m_old - m_new);  // 0 while the row had seen nothing
    }
    const float row_sum = warp_sum(p[0] + p[1]);
    sP[r * L.ldp + lane] = from_float<T>(p[0]);
    sP[r * L.ldp + lane + 32] = from_float<T>(p[1]);
    if (lane == 0) {
      sL[r] = sL[r] * alpha + row_sum;
      sM[r] = m_new;
      sAlpha[r] = alpha;
    }
  }
}

// O[16w.., :] = alpha * O + P V for warp w.
template <typename T>
__device__ void accumulate_pv(const T* sP, const T* sV, float* sO, const float* sAlpha,
                              const SmemLayout& L, int D, int warp, int lane) {
  for (int idx = lane; idx < 16 * D; idx += 32) {
    const int r = warp * 16 + idx / D;
    sO[r * L.ldo + idx % D] *= sAlpha[r];
  }
  __syncwarp();
  for (int n = 0; n < D / 16; ++n) {
    wmma::fragment<wmma::accumulator, 16, 16, 16, float> acc;
    float* o_block = sO + warp * 16 * L.ldo + n * 16;
    wmma::load_matrix_sync(acc, o_block, L.ldo, wmma::mem_row_major);
    for (int kk = 0; kk < kTile / 16; ++kk) {
      wmma::fragment<wmma::matrix_a, 16, 16, 16, T, wmma::row_major> a;
      wmma::fragment<wmma::matrix_b, 16, 16, 16, T, wmma::row_major> b;
      wmma::load_matrix_sync(a, sP + warp * 16 * L.ldp + kk * 16, L.ldp);
      wmma::load_matrix_sync(b, sV + kk * 16 * L.ld16 + n * 16, L.ld16);
      wmma::mma_sync(acc, a, b, acc);
    }
    wmma::store_matrix_sync(o_block, acc, L.ldo, wmma::mem_row_major);
  }
}

template <typename T>
__global__ void __launch_bounds__(kThreads)
prefill_kernel(const T* __restrict__ q, const T* __restrict__ k, const T* __restrict__ v,
               const int32_t* __restrict__ group, const int32_t* __restrict__ branch,
               const TileLabels* __restrict__ tiles, int64_t T_len, int H, int Hkv, int D,
               float scale_log2, float* __restrict__ out, PrefillTileCounters counters) {
  extern __shared__ __align__(128) unsigned char smem[];
  const SmemLayout L = smem_layout(D);
  T* sQ = reinterpret_cast<T*>(smem + L.q);
  T* sK = reinterpret_cast<T*>(smem + L.k);
  T* sV = reinterpret_cast<T*>(smem + L.v);
  float* sS = reinterpret_cast<float*>(smem + L.s);
  T* sP = reinterpret_cast<T*>(smem + L.p);
  float* sO = reinterpret_cast<float*>(smem + L.o);
  int32_t* sGq = reinterpret_cast<int32_t*>(smem + L.labels);
  int32_t* sBq = sGq + kTile;
  int32_t* sGk = sBq + kTile;
  int32_t* sBk = sGk + kTile;
  float* sM = reinterpret_cast<float*>(smem + L.stats);
  float* sL = sM + kTile;
  float* sAlpha = sL + kTile;

  const int qt = blockIdx.x, h = blockIdx.y, kv_head = h / (H / Hkv);
  const int warp = threadIdx.x / 32, lane = threadIdx.x % 32;
  const int64_t q0 = static_cast<int64_t>(qt) * kTile;
  const int64_t q_last = min(q0 + kTile, T_len) - 1;

  load_rows(sQ, q, q0, T_len, H, h, D, L.ld16);
  load_labels(sGq, sBq, group, branch, q0, T_len);
  for (int idx = threadIdx.x; idx < kTile * D; idx += kThreads) sO[(idx / D) * L.ldo + idx % D] = 0.f;
  for (int r = threadIdx.x; r < kTile; r += kThreads) {
    sM[r] = -INFINITY;
    sL[r] = 0.f;
  }
  const TileLabels tq = tiles[qt];

  for (int64_t k0 = 0; k0 <= q_last; k0 += kTile) {
    // Uniform over the block, so the __syncthreads below are reached by every thread or none.
    if (tile_pair_invisible(tq, tiles[k0 / kTile])) {
      if (threadIdx.x == 0 && counters.skipped != nullptr) atomicAdd(counters.skipped, 1ull);
      continue;
    }
    if (threadIdx.x == 0 && counters.masked != nullptr) atomicAdd(counters.masked, 1ull);
    __syncthreads();  // previous tile's readers of sK/sV/key labels are done
    load_rows(sK, k, k0, T_len, Hkv, kv_head, D, L.ld16);
    load_rows(sV, v, k0, T_len, Hkv, kv_head, D, L.ld16);
    load_labels(sGk, sBk, group, branch, k0, T_len);
    __syncthreads();
    // From here each warp touches only its own 16 rows of S, P, O and the row stats.
    scores_tile(sQ, sK, sS, L, D, warp);
    __syncwarp();
    softmax_tile(sS, sP, sM, sL, sAlpha, sGq, sBq, sGk, sBk, L, q0, k0, T_len, scale_log2, warp, lane);
    __syncwarp();
    accumulate_pv(sP, sV, sO, sAlpha, L, D, warp, lane);
  }
  __syncthreads();
  for (int idx = threadIdx.x; idx < kTile * D; idx += kThreads) {
    const int r = idx / D, d = idx % D;
    const int64_t i = q0 + r;
    if (i < T_len) out[(i * H + h) * D + d] = sL[r] > 0.f ? sO[r * L.ldo + d] / sL[r] : 0.f;
  }
}

__global__ void summarize_tiles_kernel(const int32_t* group, const int32_t* branch, int64_t T_len,
                                       TileLabels* tiles, int64_t num_tiles) {
  const int64_t t = static_cast<int64_t>(blockIdx.x) * blockDim.x + threadIdx.x;
  if (t < num_tiles) tiles[t] = summarize_tile(group, branch, t * kTile, min(T_len, (t + 1) * kTile));
}

bool aligned16(const void* p) { return reinterpret_cast<uintptr_t>(p) % 16 == 0; }

template <typename T>
cudaError_t launch_typed(const void* q, const void* k, const void* v, const int32_t* group,
                         const int32_t* branch, const TileLabels* tiles, const PrefillDims& dims,
                         float scale, float* out, const PrefillTileCounters& counters,
                         cudaStream_t stream) {
  const size_t smem = smem_layout(dims.D).total;
  cudaError_t e = cudaFuncSetAttribute(prefill_kernel<T>, cudaFuncAttributeMaxDynamicSharedMemorySize,
                                       static_cast<int>(smem));
  if (e != cudaSuccess) return e;
  const dim3 grid(static_cast<unsigned>((dims.T + kTile - 1) / kTile), static_cast<unsigned>(dims.H));
  prefill_kernel<T><<<grid, kThreads, smem, stream>>>(
      static_cast<const T*>(q), static_cast<const T*>(k), static_cast<const T*>(v), group, branch,
      tiles, dims.T, dims.H, dims.Hkv, dims.D, scale * kLog2e, out, counters);
  return cudaGetLastError();
}

}  // namespace

size_t prefill_smem_bytes(int32_t D) { return smem_layout(D).total; }

cudaError_t launch_summarize_tiles(const int32_t* group, const int32_t* branch, int64_t T,
                                   TileLabels* tiles, cudaStream_t stream) {
  if (T <= 0) return cudaSuccess;
  const int64_t num_tiles = (T + kTile - 1) / kTile;
  summarize_tiles_kernel<<<static_cast<unsigned>((num_tiles + 127) / 128), 128, 0, stream>>>(
      group, branch, T, tiles, num_tiles);
  return cudaGetLastError();
}

cudaError_t launch_prefill_tiled(DType dtype, const void* q, const void* k, const void* v,
                                 const int32_t* group, const int32_t* branch, const TileLabels* tiles,
                                 const PrefillDims& dims, float scale, float* out,
                                 const PrefillTileCounters& counters, cudaStream_t stream) {
  if (dims.T <= 0) return cudaSuccess;
  if (dims.D <= 0 || dims.D % 16 != 0 || dims.D > 256 || dims.H <= 0 || dims.Hkv <= 0 ||
      dims.H % dims.Hkv != 0 || !aligned16(q) || !aligned16(k) || !aligned16(v))
    return cudaErrorInvalidValue;
  if (dtype == DType::kBf16)
    return launch_typed<__nv_bfloat16>(q, k, v, group, branch, tiles, dims, scale, out, counters, stream);
  return launch_typed<__half>(q, k, v, group, branch, tiles, dims, scale, out, counters, stream);
}

}  // namespace aspd
