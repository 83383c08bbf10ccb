// Packed-prefill attention with the branch rule, FlashAttention-2 style at register level.
//
// Grid: 1-D, one block per (128-row query block, head), the last (heaviest) query blocks first.
// Default layout (kMma): 4 warps x 32 rows, FlashAttention-2's; kMmaQRegs: 8 warps x 16 rows with
// Q fragments in registers; kMma64: 4 warps x 16 rows, 64-row blocks. Per warp, S [rows, 64], P and
// O [rows, D] live in registers; per key tile:
//   S = Q K^T          mma.sync m16n8k16 (bf16 or fp16 in, fp32 accumulate), K by ldmatrix.x4
//   mask (if needed), online softmax in fp32 (row max/sum over the 4 lanes of a quad)
//   O = alpha O + P V  P re-packed from the S accumulators as the A operand, V by ldmatrix.x4.trans
// K/V tiles of 64 keys are double-buffered in shared memory with 16-byte cp.async copies (rows
// padded by 16 bytes so that the 8 rows an ldmatrix phase reads fall in distinct banks).
//
// Key tiles per warp (classify_tile): beyond the warp's last row -> not visited; wholly invisible
// by labels (tile_pair_invisible) -> skipped; wholly visible (every key index below every query
// index and tile_pair_all_visible) -> no per-element mask; otherwise masked per element with
// packed_visible. A block loads a key tile only when one of its warps computes on it.
//
// Fragment layouts (PTX ISA, g = lane / 4, t = lane % 4), 16-bit pairs with the lower index in the
// low half: A 16x16 row: a0a1 (g, 2t..2t+1), a2a3 (g+8, 2t..), a4a5 (g, 2t+8..), a6a7 (g+8, 2t+8..);
// B 16x8 col: b0b1 (k 2t..2t+1, n g), b2b3 (k 2t+8.., n g); C 16x8 f32: c0c1 (g, 2t..2t+1),
// c2c3 (g+8, 2t..). ldmatrix.x4: lane l gives the address of row l % 8 of matrix l / 8 and gets
// register m = (row l / 4, cols 2(l % 4)..+1) of matrix m; .trans gets (rows 2(l % 4)..+1, col l / 4).
//
// The block body is plain C++ over a handful of primitives (ldmatrix, mma, cp.async, shuffles,
// barriers). With ASPD_PREFILL_MMA_EMULATION defined, the primitives come from the including file
// instead and the CUDA-only parts are left out: src/test/cpp/prefill_mma_emulation_test.cpp runs
// this very body on the CPU, one std::thread per lane, against the float64 reference.
#include <cuda_bf16.h>
#include <cuda_fp16.h>

#include <cmath>
#include <cstdint>
#include <cstring>

#include "attention_kernels.h"

#include "attend_keys.cuh"
#include "prefill_mma_parts.cuh"

namespace aspd {
namespace prefill_mma {

// ---- block body ---------------------------------------------------------------------------------

// kWarps warps of kM m16 row tiles each: kM = 1 keeps the warp's Q fragments in registers;
// kM = 2 reads them from shared memory per k step but shares every K/V fragment between two row
// tiles, which cuts shared-memory traffic per flop by 3/8 (FlashAttention-2's layout).
// Shared memory: Q [kBlockM][ld], two stages of K [64][ld] and V [64][ld], two stages of key
// labels (group [64], branch [64]), query labels, per-warp query label summaries. ld = D + kRowPad: 2D + 16 bytes,
// so consecutive rows start 16 bytes apart modulo 128 and ldmatrix phases are conflict-free.
template <int D, int kWarps, int kM>
struct Config {
  static_assert(D % 16 == 0 && D >= 16 && D <= 256, "head dim");
  static_assert(kM == 1 || kM == 2, "row tiles per warp");
  static constexpr int kWarpRows = 16 * kM;
  static constexpr int kBlockM = kWarps * kWarpRows;
  static constexpr int kThreads = kWarps * 32;
  static constexpr int kLd = D + kRowPad;
  static constexpr int kQBytes = kBlockM * kLd * 2;
  static constexpr int kTileBytes = kBlockN * kLd * 2;
  static constexpr int kQOff = 0;
  static constexpr int kKOff = kQOff + kQBytes;        // + stage * kTileBytes
  static constexpr int kVOff = kKOff + 2 * kTileBytes;  // + stage * kTileBytes
  static constexpr int kLabelOff = kVOff + 2 * kTileBytes;  // [stage][group 64 | branch 64] int32
  static constexpr int kQueryLabelOff = kLabelOff + 2 * 2 * kBlockN * 4;  // group | branch [kBlockM]
  static constexpr int kWarpLabelOff = kQueryLabelOff + 2 * kBlockM * 4;
  static constexpr int kSmemBytes = kWarpLabelOff + kWarps * static_cast<int>(sizeof(TileLabels));
};

// The §5 rule for attend_keys: row i = row0 + rr, key j = k0 + c is visible when i < T, j <= i and
// the labels allow it. k0_minus_row0 = k0 - row0, rows_to_end = T - row0.
struct LabelMask {
  const int32_t *key_group, *key_branch, *row_group, *row_branch;
  int32_t k0_minus_row0, rows_to_end;
  ASPD_MMA_DEV bool operator()(int rr, int c) const {
    return rr < rows_to_end && k0_minus_row0 + c <= rr &&
           label_visible(row_group[rr], row_branch[rr], key_group[c], key_branch[c]);
  }
};

// The whole work of one block: query block and head from block_linear, tid in [0, kThreads).
template <typename T, int D, int kWarps, int kM>
ASPD_MMA_DEV void prefill_block(const Params& p, int32_t block_linear, int tid, unsigned char* smem) {
  using C = Config<D, kWarps, kM>;
  const int warp = tid / 32, lane = tid % 32, g = lane / 4, t = lane % 4;
  const int32_t T_len = p.T;
  const int32_t num_q_blocks = (T_len + C::kBlockM - 1) / C::kBlockM;
  const int32_t qb = num_q_blocks - 1 - block_linear / p.H;  // heaviest (last) blocks first
  const int h = static_cast<int>(block_linear % p.H);
  const int kv_head = h / (p.H / p.Hkv);
  const int32_t q0 = qb * C::kBlockM;
  const int32_t block_last = q0 + C::kBlockM - 1 < T_len ? q0 + C::kBlockM - 1 : T_len - 1;
  const int32_t last_kt = block_last / kBlockN;

  T* sQ = reinterpret_cast<T*>(smem + C::kQOff);
  int32_t* sLabels = reinterpret_cast<int32_t*>(smem + C::kLabelOff);
  int32_t* sQueryGroup = reinterpret_cast<int32_t*>(smem + C::kQueryLabelOff);
  int32_t* sQueryBranch = sQueryGroup + C::kBlockM;
  TileLabels* sWarpLabels = reinterpret_cast<TileLabels*>(smem + C::kWarpLabelOff);
  auto sK = [&](int stage) { return reinterpret_cast<T*>(smem + C::kKOff + stage * C::kTileBytes); };
  auto sV = [&](int stage) { return reinterpret_cast<T*>(smem + C::kVOff + stage * C::kTileBytes); };
  const T* sQw = sQ + warp * C::kWarpRows * C::kLd;
  const T* q = static_cast<const T*>(p.q);
  const T* k = static_cast<const T*>(p.k);
  const T* v = static_cast<const T*>(p.v);

  // Query labels into shared memory; the warp's label summary by a butterfly over its rows.
  copy_query_labels<C::kBlockM, C::kThreads>(sQueryGroup, sQueryBranch, p.group, p.branch, q0, T_len, tid);
  const WarpRows rows = warp_rows(q0, warp, C::kWarpRows, T_len);
  WarpState<D, kM> st;
#pragma unroll
  for (int mi = 0; mi < kM; ++mi)
#pragma unroll
    for (int r = 0; r < 2; ++r) {
      st.m[mi][r] = -INFINITY;
      st.l[mi][r] = 0.f;
#pragma unroll
      for (int dn = 0; dn < D / 8; ++dn) st.o[mi][dn][2 * r] = st.o[mi][dn][2 * r + 1] = 0.f;
    }
  {
    const int32_t i = rows.first + lane % C::kWarpRows;  // kM = 1: lanes 16..31 repeat 0..15
    const bool inside = i < T_len;
    const int32_t gi = inside ? p.group[i] : 0, bi = inside ? p.branch[i] : 0;
    const TileLabels summary = warp_label_summary(inside, gi, bi);
    if (lane == 0) sWarpLabels[warp] = summary;
  }
  block_sync();

  // A key tile is loaded when any warp of the block computes on it (same answer in every thread).
  auto tile_needed = [&](int32_t kt) {
    const TileLabels keys = p.key_tiles[kt];
    for (int w = 0; w < kWarps; ++w)
      if (classify_tile(warp_rows(q0, w, C::kWarpRows, T_len), sWarpLabels[w], kt * kBlockN, keys) >= kUnmasked)
        return true;
    return false;
  };
  auto next_needed = [&](int32_t from) {
    while (from <= last_kt && !tile_needed(from)) ++from;
    return from;
  };
  auto load_tile = [&](int32_t kt, int stage) {
    const int32_t k0 = kt * kBlockN;
    copy_rows_async<T, D, kBlockN, C::kThreads>(sK(stage), k, k0, T_len, p.Hkv, kv_head, tid);
    copy_rows_async<T, D, kBlockN, C::kThreads>(sV(stage), v, k0, T_len, p.Hkv, kv_head, tid);
    copy_key_labels_async<kBlockN, C::kThreads>(sLabels + stage * 2 * kBlockN, p.group, p.branch, k0, T_len, tid);
  };

  uint32_t qf[kM == 1 ? D / 16 : 1][4];  // kM = 1: Q fragments of the warp's 16 rows

  // Pipeline: group 0 = Q + first tile; each iteration issues the next needed tile into the other
  // stage, then waits for all but that newest group. The trailing barrier of an iteration keeps the
  // stage being read from being overwritten by the following iteration's copies.
  int32_t kt = next_needed(0);
  int stage = 0;
  copy_rows_async<T, D, C::kBlockM, C::kThreads>(sQ, q, q0, T_len, p.H, h, tid);
  if (kt <= last_kt) load_tile(kt, 0);
  cp_async_commit();
  bool q_in_registers = kM != 1;
  while (kt <= last_kt) {
    const int32_t next = next_needed(kt + 1);
    if (next <= last_kt) load_tile(next, stage ^ 1);
    cp_async_commit();
    cp_async_wait<1>();
    block_sync();
    if (!q_in_registers) {
#pragma unroll
      for (int kk = 0; kk < (kM == 1 ? D / 16 : 1); ++kk) load_a_fragment<T, C::kLd>(qf[kk], sQw, kk * 16, lane);
      q_in_registers = true;
    }
    const int cls = classify_tile(rows, sWarpLabels[warp], kt * kBlockN, p.key_tiles[kt]);  // warp-uniform
    const int32_t* row_group = sQueryGroup + warp * C::kWarpRows;
    const int32_t* row_branch = sQueryBranch + warp * C::kWarpRows;
    // kM = 2 takes the tile in two halves of 32 keys (S in 32 registers instead of 64, so O, S and
    // the fragments fit in 255 registers); a half wholly past the warp's last row is skipped.
    constexpr int kKeys = kM == 1 ? kBlockN : kBlockN / 2;
#pragma unroll 1
    for (int half = 0; half < kBlockN / kKeys; ++half) {
      const int32_t k0 = kt * kBlockN + half * kKeys;
      const int32_t* key_group = sLabels + stage * 2 * kBlockN + half * kKeys;
      const T* k_rows = sK(stage) + half * kKeys * C::kLd;
      const T* v_rows = sV(stage) + half * kKeys * C::kLd;
      if (cls == kUnmasked)
        attend_keys<T, D, kM, kKeys, false>(qf, sQw, k_rows, v_rows, LabelMask{}, p.scale_log2, lane, st);
      else if (cls == kMasked && k0 <= rows.last)
        attend_keys<T, D, kM, kKeys, true>(qf, sQw, k_rows, v_rows,
                                           LabelMask{key_group, key_group + kBlockN, row_group, row_branch,
                                                     k0 - rows.first, T_len - rows.first},
                                           p.scale_log2, lane, st);
    }
    block_sync();
    kt = next;
    stage ^= 1;
  }
  cp_async_wait<0>();  // nothing may stay in flight at exit (e.g. Q when no tile was needed)

  // out = O / l (quad-summed), zeros for rows that saw nothing; each quad writes 32-byte runs.
#pragma unroll
  for (int mi = 0; mi < kM; ++mi)
#pragma unroll
    for (int r = 0; r < 2; ++r) {
      float l = st.l[mi][r];
      l += shfl_xor(l, 1);
      l += shfl_xor(l, 2);
      const int32_t i = rows.first + 16 * mi + 8 * r + g;
      if (i >= T_len) continue;
      const float inv = l > 0.f ? 1.f / l : 0.f;
      float* dst = p.out + (static_cast<int64_t>(i) * p.H + h) * D + 2 * t;
#pragma unroll
      for (int dn = 0; dn < D / 8; ++dn)
        *reinterpret_cast<float2*>(dst + dn * 8) =
            make_float2(st.o[mi][dn][2 * r] * inv, st.o[mi][dn][2 * r + 1] * inv);
    }

  // Census for the diagnostics counters, in units of (kWarpRows query rows x 64 keys) per head.
  if (lane == 0 && (p.counters.skipped != nullptr || p.counters.unmasked != nullptr ||
                    p.counters.masked != nullptr)) {
    unsigned long long skipped = 0, unmasked = 0, masked = 0;
    for (int32_t c = 0; c <= last_kt; ++c) {
      const int cls = classify_tile(rows, sWarpLabels[warp], c * kBlockN, p.key_tiles[c]);
      skipped += cls == kSkipped;
      unmasked += cls == kUnmasked;
      masked += cls == kMasked;
    }
    counter_add(p.counters.skipped, skipped);
    counter_add(p.counters.unmasked, unmasked);
    counter_add(p.counters.masked, masked);
  }
}

}  // namespace prefill_mma

#if !defined(ASPD_PREFILL_MMA_EMULATION)

namespace {

using prefill_mma::Config;
using prefill_mma::Params;

// Registers (ptxas, sm_90, D = 128): ~240 per thread for every layout (O, S and Q fragments or
// twice the O and S), so 2 blocks of 4 warps or 1 block of 8 warps per SM; the caps below keep
// ptxas free of spills.
template <int D, int kWarps, int kM>
constexpr int min_blocks_per_sm() {
  return kWarps == 8 ? (D <= 32 ? 2 : 1) : 2;
}

template <typename T, int D, int kWarps, int kM>
__global__ void __launch_bounds__(kWarps * 32, min_blocks_per_sm<D, kWarps, kM>())
    prefill_mma_kernel(const Params p) {
  extern __shared__ __align__(128) unsigned char smem[];
  prefill_mma::prefill_block<T, D, kWarps, kM>(p, blockIdx.x, static_cast<int>(threadIdx.x), smem);
}

template <typename T, int D, int kWarps, int kM>
cudaError_t launch_typed(const Params& p, cudaStream_t stream) {
  using C = Config<D, kWarps, kM>;
  const cudaError_t e = cudaFuncSetAttribute(prefill_mma_kernel<T, D, kWarps, kM>,
                                             cudaFuncAttributeMaxDynamicSharedMemorySize, C::kSmemBytes);
  if (e != cudaSuccess) return e;
  const int64_t blocks = (p.T + C::kBlockM - 1) / C::kBlockM * p.H;
  prefill_mma_kernel<T, D, kWarps, kM>
      <<<static_cast<unsigned>(blocks), C::kThreads, C::kSmemBytes, stream>>>(p);
  return cudaGetLastError();
}

template <typename T, int kWarps, int kM>
cudaError_t launch_head_dim(const Params& p, int32_t D, cudaStream_t stream) {
  switch (D) {
    case 32: return launch_typed<T, 32, kWarps, kM>(p, stream);
    case 64: return launch_typed<T, 64, kWarps, kM>(p, stream);
    case 128: return launch_typed<T, 128, kWarps, kM>(p, stream);
    default: return cudaErrorInvalidValue;
  }
}

template <typename T>
cudaError_t launch_layout(PrefillKernel variant, const Params& p, int32_t D, cudaStream_t stream) {
  switch (variant) {
    case PrefillKernel::kMma: return launch_head_dim<T, 4, 2>(p, D, stream);
    case PrefillKernel::kMmaQRegs: return launch_head_dim<T, 8, 1>(p, D, stream);
    case PrefillKernel::kMma64: return launch_head_dim<T, 4, 1>(p, D, stream);
    default: return cudaErrorInvalidValue;
  }
}

// Token indices are int32 in the kernel and the grid is 1-D (ceil(T / block rows) * H blocks).
bool fits_int32(const PrefillDims& dims) {
  constexpr int64_t kMax = (int64_t{1} << 31) - 256;
  return dims.T <= kMax && (dims.T + 63) / 64 * dims.H <= kMax;
}

bool aligned(const void* ptr, uintptr_t bytes) { return reinterpret_cast<uintptr_t>(ptr) % bytes == 0; }

bool is_mma(PrefillKernel kernel) {
  return kernel == PrefillKernel::kMma || kernel == PrefillKernel::kMmaQRegs || kernel == PrefillKernel::kMma64;
}

}  // namespace

bool prefill_mma_supports(int32_t D) { return D == 32 || D == 64 || D == 128; }

cudaError_t launch_prefill_mma(PrefillKernel variant, DType dtype, const void* q, const void* k,
                               const void* v, const int32_t* group, const int32_t* branch,
                               const TileLabels* tiles, const PrefillDims& dims, float scale, float* out,
                               const PrefillTileCounters& counters, cudaStream_t stream) {
  if (dims.T <= 0) return cudaSuccess;
  if (!is_mma(variant) || !prefill_mma_supports(dims.D) || !fits_int32(dims) || dims.H <= 0 ||
      dims.Hkv <= 0 || dims.H % dims.Hkv != 0 || !aligned(q, 16) || !aligned(k, 16) || !aligned(v, 16) ||
      !aligned(out, 8))
    return cudaErrorInvalidValue;
  const Params p{q, k, v, group, branch, tiles, static_cast<int32_t>(dims.T), dims.H, dims.Hkv,
                 scale * prefill_mma::kLog2e, out, counters};
  return dtype == DType::kBf16 ? launch_layout<__nv_bfloat16>(variant, p, dims.D, stream)
                               : launch_layout<__half>(variant, p, dims.D, stream);
}

cudaError_t launch_prefill(PrefillKernel kernel, DType dtype, const void* q, const void* k,
                           const void* v, const int32_t* group, const int32_t* branch,
                           TileLabels* tile_scratch, const PrefillDims& dims, float scale, float* out,
                           const PrefillTileCounters& counters, cudaStream_t stream) {
  if (dims.T <= 0) return cudaSuccess;
  if (dims.D <= 0 || dims.D % 16 != 0 || dims.D > 256 || dims.H <= 0 || dims.Hkv <= 0 ||
      dims.H % dims.Hkv != 0 || !aligned(q, 16) || !aligned(k, 16) || !aligned(v, 16))
    return cudaErrorInvalidValue;
  const cudaError_t e = launch_summarize_tiles(group, branch, dims.T, tile_scratch, stream);
  if (e != cudaSuccess) return e;
  if (kernel == PrefillKernel::kWgmma && prefill_wgmma_usable(dtype, dims.D) && fits_int32(dims) &&
      aligned(out, 8))
    return launch_prefill_wgmma(dtype, q, k, v, group, branch, tile_scratch, dims, scale, out, counters, stream);
  if (kernel == PrefillKernel::kWgmma) kernel = PrefillKernel::kMma;
  if (is_mma(kernel) && prefill_mma_supports(dims.D) && fits_int32(dims) && aligned(out, 8))
    return launch_prefill_mma(kernel, dtype, q, k, v, group, branch, tile_scratch, dims, scale, out,
                              counters, stream);
  return launch_prefill_tiled(dtype, q, k, v, group, branch, tile_scratch, dims, scale, out, counters, stream);
}

cudaError_t launch_prefill(DType dtype, const void* q, const void* k, const void* v,
                           const int32_t* group, const int32_t* branch, TileLabels* tile_scratch,
                           const PrefillDims& dims, float scale, float* out,
                           unsigned long long* skipped_tiles, cudaStream_t stream) {
  PrefillTileCounters counters;
  counters.skipped = skipped_tiles;
  return launch_prefill(PrefillKernel::kWgmma, dtype, q, k, v, group, branch, tile_scratch, dims, scale,
                        out, counters, stream);
}

#endif  // !ASPD_PREFILL_MMA_EMULATION

}  // namespace aspd
