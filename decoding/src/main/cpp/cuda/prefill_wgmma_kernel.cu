// Packed-prefill attention with the branch rule on Hopper warpgroup MMA (wgmma, sm_90a).
//
// Same computation and tile rules as prefill_mma_kernel.cu (kMma), with the two products of a key
// tile issued as warpgroup MMAs instead of per-warp mma.sync:
//   S [64 rows, kKeys] = Q K^T     D / 16 wgmma m64n{kKeys}k16, Q fragments in registers (loaded
//                                  once from global memory), K from shared memory (K-major B)
//   mask, online softmax           fp32 in registers; the accumulator layout is mma.sync's
//   O [64 rows, D] += P V          kKeys / 16 wgmma m64nDk16, P re-packed from S in registers, V
//                                  from shared memory (MN-major B, transposed by the instruction)
// A block is kWG warpgroups of 64 query rows sharing kStages shared-memory stages of K/V tiles of
// kKeys (64 or 128) keys, loaded kAhead tiles ahead with 16-byte cp.async straight into the
// no-swizzle core-matrix layout that the wgmma descriptors describe (wgmma.cuh): no padding, no
// ldmatrix for K or V. Each warpgroup classifies each key tile for its 64 rows (beyond / skipped /
// unmasked / masked, the kMma rules on the tile's merged labels); a block loads a tile when one of
// its warpgroups computes on it, and each thread keeps the order and classes of the tiles in flight.
//
// Shared memory, key tile of kKeys rows j and D / 8 16-byte chunks c: chunk (j, c) at byte
// ((j / 8) * (D / 8) + c) * 128 + (j % 8) * 16, i.e. 16 * (copy index) for the copy order below.
//   K as B of S (N = keys, K = d):  LBO = 128 (next 8 d), SBO = D * 16 (next 8 keys)
//   V as B of O (K = keys, N = d):  SBO = 128 (next 8 d), LBO = D * 16 (next 8 keys)
#include <cuda.h>  // CUtensorMap (the encoder comes from the driver at run time)
#include <cudaTypedefs.h>
#include <cuda_bf16.h>
#include <cuda_fp16.h>

#include <atomic>
#include <cmath>
#include <cstdint>
#include <string>

#include "attention_kernels.h"
#include "prefill_mma_parts.cuh"
#include "wgmma.cuh"

namespace aspd {
namespace prefill_wgmma {

using namespace prefill_mma;

constexpr int kGroupRows = 64;  // query rows per warpgroup

struct Params : prefill_mma::Params {
  uint32_t k_lbo, k_sbo, v_lbo, v_sbo;  // descriptor offsets (see the top of the file)
  CUtensorMap tmap_k, tmap_v;  // kTma: [T rows, Hkv * D] views of k and v, boxes of 64 x kKeys, 128B swizzle
};

// A stage is reloaded kStages - kAhead tiles after it was computed on; when that distance leaves a
// tile in between (>= 2), the barrier at the top of that tile already orders the reads before the
// reload and no trailing barrier is needed. (FlashAttention-3's overlap of a tile's P V with the
// next tile's softmax was measured slower here, 0.347 against 0.319 ms on an H200, and removed.)
// kTma: K/V tiles come by TMA (thread 0 issues 2-D box copies, 128-byte swizzle, completion on a
// per-stage mbarrier) instead of cp.async by every thread; descriptors then use the swizzled layout.
template <int D, int kKeys, int kWG, int kStages, int kAhead, bool kTma>
struct Config {
  static_assert(D == 64 || D == 128, "head dim 64 or 128");
  static_assert(kKeys == 64 || kKeys == 128, "key tiles of 64 or 128");
  static_assert(kWG == 1 || kWG == 2, "one or two warpgroups");
  static_assert(kAhead >= 1 && kStages - kAhead >= 1, "stage reuse distance");
  static constexpr int kBlockM = kWG * kGroupRows;
  static constexpr int kThreads = kWG * 128;
  static constexpr int kWarps = kWG * 4;
  static constexpr bool kTrailingSync = kStages - kAhead < 2;
  static constexpr int kTileBytes = kKeys * D * 2;  // core-matrix layout, unpadded
  static constexpr int kKOff = 0;                   // + stage * kTileBytes
  static constexpr int kVOff = kKOff + kStages * kTileBytes;
  static constexpr int kLabelOff = kVOff + kStages * kTileBytes;             // [stage][group | branch]
  static constexpr int kQueryLabelOff = kLabelOff + kStages * 2 * kKeys * 4;  // group | branch [kBlockM]
  static constexpr int kWarpLabelOff = kQueryLabelOff + 2 * kBlockM * 4;     // [kWarps]
  static constexpr int kBarOff = (kWarpLabelOff + kWarps * static_cast<int>(sizeof(TileLabels)) + 7) / 8 * 8;
  // + 1024: room to align the stages to 1024 bytes (the swizzle atom) for TMA.
  static constexpr int kSmemBytes = kBarOff + kStages * 8 + (kTma ? 1024 : 0);
  // 2 blocks per SM when one block's shared memory allows it (registers: <= 255 per thread).
  static constexpr int kMinBlocks = kWG == 1 && 2 * kSmemBytes <= 227 * 1024 ? 2 : 1;
};

__device__ __forceinline__ TileLabels merge(const TileLabels& a, const TileLabels& b) {
  return TileLabels{a.g_min < b.g_min ? a.g_min : b.g_min, a.g_max > b.g_max ? a.g_max : b.g_max,
                    a.b_min < b.b_min ? a.b_min : b.b_min, a.b_max > b.b_max ? a.b_max : b.b_max};
}

// Labels of warpgroup wg's rows: its four warp summaries merged (rows past T excluded there).
__device__ __forceinline__ TileLabels group_labels(const TileLabels* warp_labels, int wg) {
  const TileLabels a = merge(warp_labels[4 * wg], warp_labels[4 * wg + 1]);
  return merge(a, merge(warp_labels[4 * wg + 2], warp_labels[4 * wg + 3]));
}

// Labels of key tile kt of kKeys keys: one 64-key summary, or two merged (conservative: a merged
// range can only turn skipped or unmasked into masked).
template <int kKeys>
__device__ __forceinline__ TileLabels key_labels(const TileLabels* key_tiles, int32_t kt, int32_t label_tiles) {
  if (kKeys == 64) return key_tiles[kt];
  const TileLabels a = key_tiles[2 * kt];
  return 2 * kt + 1 < label_tiles ? merge(a, key_tiles[2 * kt + 1]) : a;
}

// classify_tile for a tile of kKeys keys at k0.
template <int kKeys>
__device__ __forceinline__ int classify_keys(const WarpRows& rows, const TileLabels& row_labels, int32_t k0,
                                             const TileLabels& keys) {
  if (!rows.active || k0 > rows.last) return kBeyond;
  if (tile_pair_invisible(row_labels, keys)) return kSkipped;
  if (k0 + kKeys - 1 <= rows.first && tile_pair_all_visible(row_labels, keys)) return kUnmasked;
  return kMasked;
}

// Key tile rows [row0, row0 + kKeys) of head `head` of src [T, heads, D] into the core-matrix
// layout; rows at or past T are zero-filled. Copy index idx = (j / 8) * 8 * (D / 8) + c * 8 + j % 8
// lands at byte 16 * idx, so each quarter-warp writes 128 contiguous bytes and reads 8 rows x 64 bytes.
template <typename T, int D, int kKeys, int kThreads>
__device__ __forceinline__ void copy_tile_core(T* dst, const T* src, int32_t row0, int32_t T_len, int heads,
                                               int head, int tid) {
  constexpr int kChunks = D / 8;
  constexpr int kCopies = kKeys * kChunks;
  static_assert(kCopies % kThreads == 0 && kThreads % (8 * kChunks) == 0, "copy shape");
  constexpr int kRowsPerPass = kThreads / kChunks;
  const int64_t row_stride = static_cast<int64_t>(heads) * D;
  // This thread's row and chunk in pass 0; each pass moves kRowsPerPass rows down.
  const int r_first = (tid / (8 * kChunks)) * 8 + (tid & 7), c = (tid >> 3) % kChunks;
  const T* base = src + static_cast<int64_t>(head) * D + c * 8;
  unsigned char* to = reinterpret_cast<unsigned char*>(dst) + 16 * tid;
#pragma unroll
  for (int pass = 0; pass < kCopies / kThreads; ++pass) {
    const int32_t row = row0 + r_first + pass * kRowsPerPass;
    const bool inside = row < T_len;
    cp_async_16(to + 16 * pass * kThreads, base + (inside ? row : 0) * row_stride, inside);
  }
}

// Q A-fragments of the warp's 16 rows (row0 = its first) straight from global memory, zeros past T.
template <typename T, int D>
__device__ __forceinline__ void load_q_fragments(uint32_t (&qf)[D / 16][4], const T* q, int32_t row0,
                                                 int32_t T_len, int H, int h, int lane) {
  const int g = lane / 4, t = lane % 4;
  const T* rows[2];
  bool inside[2];
#pragma unroll
  for (int r = 0; r < 2; ++r) {
    const int32_t i = row0 + 8 * r + g;
    inside[r] = i < T_len;
    rows[r] = q + (static_cast<int64_t>(inside[r] ? i : 0) * H + h) * D + 2 * t;
  }
#pragma unroll
  for (int kk = 0; kk < D / 16; ++kk)
#pragma unroll
    for (int e = 0; e < 4; ++e) {
      const int r = e & 1, col = 16 * kk + (e >> 1) * 8;
      qf[kk][e] = inside[r] ? __ldg(reinterpret_cast<const unsigned int*>(rows[r] + col)) : 0u;
    }
}

template <int N>
__device__ __forceinline__ void pin_fragments(uint32_t (&a)[N][4]) {
#pragma unroll
  for (int i = 0; i < N; ++i)
#pragma unroll
    for (int e = 0; e < 4; ++e) asm volatile("" : "+r"(a[i][e])::"memory");
}

// Per-thread state of a warpgroup's rows: O accumulators, running max (base-2 scaled) and
// lane-partial sums of rows g and g + 8 of the warp, and the P fragments of the tile being
// multiplied by V (kept live until the product completes).
template <int D, int kKeys>
struct GroupState {
  float o[D / 2];
  float m[2], l[2];
  uint32_t pa[kKeys / 16][4];
};

// S = Q K^T into s (overwritten: the first step does not accumulate).
// Descriptor step (16-byte units) to the 16 d of step kk: two 128-byte core matrices further along
// K; swizzled (kTma), 32 bytes inside a 64-element atom, then the next atom's region of kKeys rows.
template <int kKeys, bool kTma>
__device__ __forceinline__ uint64_t k_step(int kk) {
  return kTma ? (kk / 4) * (kKeys * 128 >> 4) + (kk % 4) * (32 >> 4) : kk * (256 >> 4);
}

template <typename T, int D, int kKeys, bool kTma>
__device__ __forceinline__ void issue_qk(const uint32_t (&qf)[D / 16][4], uint64_t k_desc, float (&s)[kKeys / 2]) {
  wgmma::fence();
  wgmma::pin(s);
#pragma unroll
  for (int kk = 0; kk < D / 16; ++kk)
    wgmma::mma_m64k16<T, kKeys, 0>(s, qf[kk], k_desc + k_step<kKeys, kTma>(kk), kk > 0 ? 1 : 0);
  wgmma::commit_group();
}

template <typename T, int D, int kKeys, bool kTma>
__device__ __forceinline__ void issue_pv(GroupState<D, kKeys>& st, uint64_t v_desc) {
  wgmma::fence();
  wgmma::pin(st.o);
  pin_fragments(st.pa);
  // 16 keys = two 8-row groups: of D * 16 bytes each, or (kTma) of 1024-byte swizzle atoms.
  constexpr uint64_t kStep = kTma ? 2048 >> 4 : (32 * D) >> 4;
#pragma unroll
  for (int kk = 0; kk < kKeys / 16; ++kk) wgmma::mma_m64k16<T, D, 1>(st.o, st.pa[kk], v_desc + kk * kStep, 1);
  wgmma::commit_group();
}

template <int D, int kKeys>
__device__ __forceinline__ void wait_pv(GroupState<D, kKeys>& st) {
  wgmma::wait_group<0>();
  wgmma::pin(st.o);
  pin_fragments(st.pa);
}

// Scores in s (done) -> mask (kMask), online softmax; P left in s, alpha returned. The scale is
// folded into the exponent (p = 2^(s * scale_log2 - m)); masked scores are -inf and give 0.
template <int kKeys, bool kMask>
__device__ __forceinline__ void softmax_tile(float (&s)[kKeys / 2], const int32_t* key_group,
                                             const int32_t* key_branch, const int32_t* row_group,
                                             const int32_t* row_branch, int32_t k0_minus_row0, int32_t rows_to_end,
                                             float scale_log2, int lane, float (&m)[2], float (&l)[2],
                                             float (&alpha)[2]) {
  const int g = lane / 4, t = lane % 4;
  // s[4n + e]: e < 2 row g, else row g + 8; key column 8n + 2t + (e & 1).
  float row_max[2] = {-INFINITY, -INFINITY};
  int32_t rg[2] = {0, 0}, rb[2] = {0, 0};
  if (kMask) {
#pragma unroll
    for (int r = 0; r < 2; ++r) {
      rg[r] = row_group[8 * r + g];
      rb[r] = row_branch[8 * r + g];
    }
  }
#pragma unroll
  for (int n = 0; n < kKeys / 8; ++n)
#pragma unroll
    for (int e = 0; e < 4; ++e) {
      const int r = e >> 1;
      if (kMask) {
        const int rr = 8 * r + g, c = n * 8 + 2 * t + (e & 1);
        const bool visible = rr < rows_to_end && k0_minus_row0 + c <= rr &&
                             label_visible(rg[r], rb[r], key_group[c], key_branch[c]);
        if (!visible) s[4 * n + e] = -INFINITY;
      }
      row_max[r] = fmaxf(row_max[r], s[4 * n + e]);
    }
  float m_use[2];
#pragma unroll
  for (int r = 0; r < 2; ++r) {
    row_max[r] = fmaxf(row_max[r], shfl_xor(row_max[r], 1));
    row_max[r] = fmaxf(row_max[r], shfl_xor(row_max[r], 2));
    const float m_new = fmaxf(m[r], row_max[r] * scale_log2);  // scale > 0: max commutes with it
    m_use[r] = m_new == -INFINITY ? 0.f : m_new;  // a row that saw nothing: exp2 gives 0, not NaN
    alpha[r] = fast_exp2(m[r] - m_use[r]);
    m[r] = m_new;
  }
  float row_sum[2] = {0.f, 0.f};
#pragma unroll
  for (int i = 0; i < kKeys / 2; ++i) {
    const int r = (i >> 1) & 1;
    const float pr = fast_exp2(fmaf(s[i], scale_log2, -m_use[r]));
    s[i] = pr;
    row_sum[r] += pr;
  }
#pragma unroll
  for (int r = 0; r < 2; ++r) l[r] = l[r] * alpha[r] + row_sum[r];
}

// P as the A operand, keys 16kk..16kk+15 = n tiles 2kk and 2kk + 1.
template <typename T, int kKeys>
__device__ __forceinline__ void pack_p(const float (&s)[kKeys / 2], uint32_t (&pa)[kKeys / 16][4]) {
#pragma unroll
  for (int kk = 0; kk < kKeys / 16; ++kk)
#pragma unroll
    for (int e = 0; e < 4; ++e) pa[kk][e] = pack2<T>(s[8 * kk + 2 * e], s[8 * kk + 2 * e + 1]);
}

// O *= alpha; skipped (exactly) when no row of the warp changed its max, i.e. every alpha is 1.
template <int D>
__device__ __forceinline__ void rescale(float (&o)[D / 2], const float (&alpha)[2]) {
  if (warp_all(alpha[0] == 1.f && alpha[1] == 1.f)) return;
#pragma unroll
  for (int i = 0; i < D / 2; ++i) o[i] *= alpha[(i >> 1) & 1];
}

// One key tile for one warpgroup (kMask: per-element mask): S, softmax, rescale, P V, each product
// waited for.
template <typename T, int D, int kKeys, bool kTma, bool kMask>
__device__ __forceinline__ void attend_tile(const Params& p, const uint32_t (&qf)[D / 16][4], uint64_t k_desc,
                                            uint64_t v_desc, const int32_t* key_group, const int32_t* row_group,
                                            const int32_t* row_branch, int32_t k0_minus_row0, int32_t rows_to_end,
                                            int lane, GroupState<D, kKeys>& st) {
  float s[kKeys / 2], alpha[2];
  issue_qk<T, D, kKeys, kTma>(qf, k_desc, s);
  wgmma::wait_group<0>();
  wgmma::pin(s);
  softmax_tile<kKeys, kMask>(s, key_group, key_group + kKeys, row_group, row_branch, k0_minus_row0, rows_to_end,
                             p.scale_log2, lane, st.m, st.l, alpha);
  rescale<D>(st.o, alpha);
  pack_p<T, kKeys>(s, st.pa);
  issue_pv<T, D, kKeys, kTma>(st, v_desc);
  wait_pv(st);
}

template <typename T, int D, int kKeys, int kWG, int kStages, int kAhead, bool kTma>
__device__ __forceinline__ void prefill_block(const Params& p, unsigned char* smem_raw) {
  using C = Config<D, kKeys, kWG, kStages, kAhead, kTma>;
  unsigned char* smem =
      kTma ? reinterpret_cast<unsigned char*>((reinterpret_cast<uintptr_t>(smem_raw) + 1023) & ~uintptr_t{1023})
           : smem_raw;
  const int tid = static_cast<int>(threadIdx.x), warp = tid / 32, lane = tid % 32, g = lane / 4, t = lane % 4;
  const int wg = warp / 4, warp_in_group = warp % 4;
  const int32_t T_len = p.T;
  const int32_t num_q_blocks = (T_len + C::kBlockM - 1) / C::kBlockM;
  const int32_t qb = num_q_blocks - 1 - static_cast<int32_t>(blockIdx.x) / p.H;  // heaviest first
  const int h = static_cast<int>(blockIdx.x % p.H);
  const int kv_head = h / (p.H / p.Hkv);
  const int32_t q0 = qb * C::kBlockM;
  const int32_t block_last = q0 + C::kBlockM - 1 < T_len ? q0 + C::kBlockM - 1 : T_len - 1;
  const int32_t last_kt = block_last / kKeys;
  const int32_t label_tiles = (T_len + kBlockN - 1) / kBlockN;

  int32_t* sLabels = reinterpret_cast<int32_t*>(smem + C::kLabelOff);
  int32_t* sQueryGroup = reinterpret_cast<int32_t*>(smem + C::kQueryLabelOff);
  int32_t* sQueryBranch = sQueryGroup + C::kBlockM;
  TileLabels* sWarpLabels = reinterpret_cast<TileLabels*>(smem + C::kWarpLabelOff);
  uint64_t* sBars = reinterpret_cast<uint64_t*>(smem + C::kBarOff);  // kTma: one per stage
  if (kTma && tid == 0) {
    for (int b = 0; b < kStages; ++b) wgmma::mbarrier_init(sBars + b, 1);
    wgmma::mbarrier_init_fence();
  }
  auto sK = [&](int stage) { return reinterpret_cast<T*>(smem + C::kKOff + stage * C::kTileBytes); };
  auto sV = [&](int stage) { return reinterpret_cast<T*>(smem + C::kVOff + stage * C::kTileBytes); };
  const T* k = static_cast<const T*>(p.k);
  const T* v = static_cast<const T*>(p.v);

  copy_query_labels<C::kBlockM, C::kThreads>(sQueryGroup, sQueryBranch, p.group, p.branch, q0, T_len, tid);
  {  // label summary of the warp's 16 rows (lanes 16..31 repeat 0..15)
    const int32_t i = q0 + warp * 16 + lane % 16;
    const bool inside = i < T_len;
    const int32_t gi = inside ? p.group[i] : 0, bi = inside ? p.branch[i] : 0;
    const TileLabels summary = warp_label_summary(inside, gi, bi);
    if (lane == 0) sWarpLabels[warp] = summary;
  }
  const int32_t warp_row0 = q0 + warp * 16;  // row index of the warp's row 0
  uint32_t qf[D / 16][4];
  load_q_fragments<T, D>(qf, static_cast<const T*>(p.q), warp_row0, T_len, p.H, h, lane);
  block_sync();
  const TileLabels labels0 = group_labels(sWarpLabels, 0);
  const TileLabels labels1 = kWG == 2 ? group_labels(sWarpLabels, 1) : labels0;
  const WarpRows rows0 = warp_rows(q0, 0, kGroupRows, T_len);
  const WarpRows rows1 = warp_rows(q0, kWG == 2 ? 1 : 0, kGroupRows, T_len);

  GroupState<D, kKeys> st;
#pragma unroll
  for (int i = 0; i < D / 2; ++i) st.o[i] = 0.f;
#pragma unroll
  for (int r = 0; r < 2; ++r) {
    st.m[r] = -INFINITY;
    st.l[r] = 0.f;
  }
#pragma unroll
  for (int kk = 0; kk < kKeys / 16; ++kk)
#pragma unroll
    for (int e = 0; e < 4; ++e) st.pa[kk][e] = 0u;

  // The needed tiles in order: tile n of that sequence sits in stage n % kStages and is cp.async
  // group n. Each thread finds them itself (same answer everywhere) and keeps the kAhead tiles in
  // flight with this warpgroup's class of each in a small queue (index 0 = next to compute).
  unsigned long long units[3] = {0, 0, 0};  // census: skipped, unmasked, masked (64 x 64 units)
  int32_t kt_load = -1;
  int load_stage = 0;
  int32_t queue_kt[kAhead];
  int queue_cls[kAhead];
  auto load_next = [&]() {
    int cls0 = kBeyond, cls1 = kBeyond;
    for (++kt_load; kt_load <= last_kt; ++kt_load) {
      const TileLabels keys = key_labels<kKeys>(p.key_tiles, kt_load, label_tiles);
      cls0 = classify_keys<kKeys>(rows0, labels0, kt_load * kKeys, keys);
      cls1 = kWG == 2 ? classify_keys<kKeys>(rows1, labels1, kt_load * kKeys, keys) : kBeyond;
      if (cls0 >= kUnmasked || cls1 >= kUnmasked) break;
      if ((wg == 0 ? cls0 : cls1) == kSkipped) units[0] += kKeys / 64;  // passed over by the block
    }
    if (kt_load <= last_kt) {
      const int32_t k0 = kt_load * kKeys;
      if (kTma) {
        if (tid == 0) {  // boxes of 64 d x kKeys rows; rows past T come back as zeros
          wgmma::mbarrier_arrive_expect_tx(sBars + load_stage, 2 * C::kTileBytes);
#pragma unroll
          for (int half = 0; half < D / 64; ++half) {
            wgmma::tma_load_2d(sK(load_stage) + half * kKeys * 64, &p.tmap_k, kv_head * D + half * 64, k0,
                               sBars + load_stage);
            wgmma::tma_load_2d(sV(load_stage) + half * kKeys * 64, &p.tmap_v, kv_head * D + half * 64, k0,
                               sBars + load_stage);
          }
        }
      } else {
        copy_tile_core<T, D, kKeys, C::kThreads>(sK(load_stage), k, k0, T_len, p.Hkv, kv_head, tid);
        copy_tile_core<T, D, kKeys, C::kThreads>(sV(load_stage), v, k0, T_len, p.Hkv, kv_head, tid);
      }
      copy_key_labels_async<kKeys, C::kThreads>(sLabels + load_stage * 2 * kKeys, p.group, p.branch, k0, T_len,
                                               tid);
    }
    cp_async_commit();  // possibly empty: keeps group n = tile n
    load_stage = load_stage + 1 == kStages ? 0 : load_stage + 1;
#pragma unroll
    for (int i = 0; i + 1 < kAhead; ++i) {
      queue_kt[i] = queue_kt[i + 1];
      queue_cls[i] = queue_cls[i + 1];
    }
    queue_kt[kAhead - 1] = kt_load;
    queue_cls[kAhead - 1] = wg == 0 ? cls0 : cls1;
  };
#pragma unroll
  for (int a = 0; a < kAhead; ++a) load_next();

  const int32_t* row_group = sQueryGroup + 16 * warp;
  const int32_t* row_branch = sQueryBranch + 16 * warp;
  // Descriptor offsets in 16-byte units along the stages (the start address is the low field).
  const uint64_t k_desc0 = kTma ? wgmma::smem_descriptor_sw128(sK(0), 16, 1024)
                                : wgmma::smem_descriptor(sK(0), p.k_lbo, p.k_sbo);
  const uint64_t v_desc0 = kTma ? wgmma::smem_descriptor_sw128(sV(0), kKeys * 128, 1024)
                                : wgmma::smem_descriptor(sV(0), p.v_lbo, p.v_sbo);
  int stage = 0;
  uint32_t phases = 0;  // kTma: bit b = parity of stage b's next phase
  while (queue_kt[0] <= last_kt) {
    const int32_t kt = queue_kt[0];
    const int cls = queue_cls[0];  // warpgroup-uniform
    load_next();
    cp_async_wait<kAhead>();
    if (kTma) {
      wgmma::mbarrier_wait(sBars + stage, (phases >> stage) & 1u);
      phases ^= 1u << stage;
    } else {
      wgmma::fence_proxy_async();
    }
    block_sync();
    const int32_t k0 = kt * kKeys;
    const int32_t* key_group = sLabels + stage * 2 * kKeys;
    const uint64_t stage_offset = static_cast<uint64_t>(stage * (C::kTileBytes >> 4));
    if (cls == kUnmasked)
      attend_tile<T, D, kKeys, kTma, false>(p, qf, k_desc0 + stage_offset, v_desc0 + stage_offset, key_group,
                                                row_group, row_branch, k0 - warp_row0, T_len - warp_row0, lane, st);
    else if (cls == kMasked)
      attend_tile<T, D, kKeys, kTma, true>(p, qf, k_desc0 + stage_offset, v_desc0 + stage_offset, key_group,
                                               row_group, row_branch, k0 - warp_row0, T_len - warp_row0, lane, st);
    if (cls >= kSkipped) units[cls - kSkipped] += kKeys / 64;
    if (C::kTrailingSync) block_sync();
    stage = stage + 1 == kStages ? 0 : stage + 1;
  }
  cp_async_wait<0>();

#pragma unroll
  for (int r = 0; r < 2; ++r) {
    float sum = st.l[r];
    sum += shfl_xor(sum, 1);
    sum += shfl_xor(sum, 2);
    const int32_t i = warp_row0 + 8 * r + g;
    if (i >= T_len) continue;
    const float inv = sum > 0.f ? 1.f / sum : 0.f;
    float* dst = p.out + (static_cast<int64_t>(i) * p.H + h) * D + 2 * t;
#pragma unroll
    for (int dn = 0; dn < D / 8; ++dn)
      *reinterpret_cast<float2*>(dst + dn * 8) =
          make_float2(st.o[4 * dn + 2 * r] * inv, st.o[4 * dn + 2 * r + 1] * inv);
  }

  // Census of the tiles this warpgroup computed or skipped (only tiles some warpgroup of the block
  // needed are visited; tiles no one needed were skipped by both): one thread per warpgroup.
  if (warp_in_group == 0 && lane == 0) {
    counter_add(p.counters.skipped, units[0]);
    counter_add(p.counters.unmasked, units[1]);
    counter_add(p.counters.masked, units[2]);
  }
}

template <typename T, int D, int kKeys, int kWG, int kStages, int kAhead, bool kTma>
__global__ void __launch_bounds__(kWG * 128, (Config<D, kKeys, kWG, kStages, kAhead, kTma>::kMinBlocks))
    prefill_wgmma_kernel(const __grid_constant__ Params p) {
  extern __shared__ __align__(128) unsigned char smem[];
#if ASPD_HAS_WGMMA
  prefill_block<T, D, kKeys, kWG, kStages, kAhead, kTma>(p, smem);
#else
  __trap();  // never launched: prefill_wgmma_usable() is false for this compilation
#endif
}

template <typename T, int D, int kKeys, int kWG, int kStages, int kAhead, bool kTma>
cudaError_t launch_typed(const Params& p, cudaStream_t stream) {
  using C = Config<D, kKeys, kWG, kStages, kAhead, kTma>;
  auto kernel = prefill_wgmma_kernel<T, D, kKeys, kWG, kStages, kAhead, kTma>;
  const cudaError_t e = cudaFuncSetAttribute(kernel, cudaFuncAttributeMaxDynamicSharedMemorySize, C::kSmemBytes);
  if (e != cudaSuccess) return e;
  const int64_t blocks = (p.T + C::kBlockM - 1) / C::kBlockM * p.H;
  kernel<<<static_cast<unsigned>(blocks), C::kThreads, C::kSmemBytes, stream>>>(p);
  return cudaGetLastError();
}

// The tunings the bench compares (prefill_wgmma_set_tuning); kDefaultTuning is the one used.
struct Tuning {
  int keys, warpgroups, stages, ahead;
  bool tma;
};
#define ASPD_WGMMA_TUNINGS(X)   \
  X(0, 128, 2, 3, 1, false)     \
  X(1, 128, 2, 3, 1, true)      \
  X(2, 128, 2, 2, 1, false)     \
  X(3, 64, 2, 3, 1, false)
#define ASPD_WGMMA_ROW(i, keys, wg, st, ah, tma) {keys, wg, st, ah, tma},
constexpr Tuning kTunings[] = {ASPD_WGMMA_TUNINGS(ASPD_WGMMA_ROW)};
#undef ASPD_WGMMA_ROW
constexpr int kTuningCount = sizeof(kTunings) / sizeof(kTunings[0]);
constexpr int kDefaultTuning = 1;  // TMA, 128-key tiles: the fastest measured (H200)

template <typename T, int D>
cudaError_t launch_tuned(int tuning, const Params& p, cudaStream_t stream) {
#define ASPD_WGMMA_CASE(i, keys, wg, st, ah, tma) \
  case i: return launch_typed<T, D, keys, wg, st, ah, tma>(p, stream);
  switch (tuning) {
    ASPD_WGMMA_TUNINGS(ASPD_WGMMA_CASE)
    default: return cudaErrorInvalidValue;
  }
#undef ASPD_WGMMA_CASE
}

template <typename T, int D>
const void* kernel_of(int tuning) {
#define ASPD_WGMMA_CASE(i, keys, wg, st, ah, tma) \
  case i: return reinterpret_cast<const void*>(prefill_wgmma_kernel<T, D, keys, wg, st, ah, tma>);
  switch (tuning) {
    ASPD_WGMMA_TUNINGS(ASPD_WGMMA_CASE)
    default: return nullptr;
  }
#undef ASPD_WGMMA_CASE
}

}  // namespace prefill_wgmma

namespace {
std::atomic<int> g_tuning{prefill_wgmma::kDefaultTuning};  // changed only by the bench

template <typename T>
const void* wgmma_kernel(int32_t D, int tuning) {
  return D == 64 ? prefill_wgmma::kernel_of<T, 64>(tuning) : prefill_wgmma::kernel_of<T, 128>(tuning);
}
// cuTensorMapEncodeTiled from the driver (cudart links statically and libcuda is opened at run
// time, so the driver API is reached through the runtime's entry-point query).
PFN_cuTensorMapEncodeTiled_v12000 tensor_map_encoder() {
  static const PFN_cuTensorMapEncodeTiled_v12000 encoder = [] {
    void* fn = nullptr;
    cudaDriverEntryPointQueryResult found{};
    if (cudaGetDriverEntryPointByVersion("cuTensorMapEncodeTiled", &fn, 12000, cudaEnableDefault, &found) !=
            cudaSuccess ||
        found != cudaDriverEntryPointSuccess)
      return static_cast<PFN_cuTensorMapEncodeTiled_v12000>(nullptr);
    return reinterpret_cast<PFN_cuTensorMapEncodeTiled_v12000>(fn);
  }();
  return encoder;
}

// k or v [T, Hkv, D] as a 2-D tensor of T rows of Hkv * D elements; boxes of 64 elements (128
// bytes, one swizzle row) x `rows` rows; reads past T return zeros.
bool encode_kv_map(CUtensorMap* map, DType dtype, const void* base, const PrefillDims& dims, uint32_t rows) {
  const PFN_cuTensorMapEncodeTiled_v12000 encode = tensor_map_encoder();
  if (encode == nullptr) return false;
  const cuuint64_t extent[2] = {static_cast<cuuint64_t>(dims.Hkv) * dims.D, static_cast<cuuint64_t>(dims.T)};
  const cuuint64_t row_bytes[1] = {static_cast<cuuint64_t>(dims.Hkv) * dims.D * 2};
  const cuuint32_t box[2] = {64, rows};
  const cuuint32_t element_strides[2] = {1, 1};
  return encode(map, dtype == DType::kBf16 ? CU_TENSOR_MAP_DATA_TYPE_BFLOAT16 : CU_TENSOR_MAP_DATA_TYPE_FLOAT16, 2,
                const_cast<void*>(base), extent, row_bytes, box, element_strides, CU_TENSOR_MAP_INTERLEAVE_NONE,
                CU_TENSOR_MAP_SWIZZLE_128B, CU_TENSOR_MAP_L2_PROMOTION_L2_256B,
                CU_TENSOR_MAP_FLOAT_OOB_FILL_NONE) == CUDA_SUCCESS;
}
}  // namespace

int prefill_wgmma_tuning_count() { return prefill_wgmma::kTuningCount; }

std::string prefill_wgmma_tuning_name(int tuning) {
  if (tuning < 0 || tuning >= prefill_wgmma::kTuningCount) return "?";
  const prefill_wgmma::Tuning& t = prefill_wgmma::kTunings[tuning];
  return "k" + std::to_string(t.keys) + "-" + std::to_string(t.warpgroups) + "wg-" + std::to_string(t.stages) +
         "st-ahead" + std::to_string(t.ahead) + (t.tma ? "-tma" : "");
}

void prefill_wgmma_set_tuning(int tuning) {
  g_tuning = tuning >= 0 && tuning < prefill_wgmma::kTuningCount ? tuning : prefill_wgmma::kDefaultTuning;
}

bool prefill_wgmma_usable(DType dtype, int32_t D) {
  if (D != 64 && D != 128) return false;
  int device = 0, major = 0, minor = 0;
  if (cudaGetDevice(&device) != cudaSuccess ||
      cudaDeviceGetAttribute(&major, cudaDevAttrComputeCapabilityMajor, device) != cudaSuccess ||
      cudaDeviceGetAttribute(&minor, cudaDevAttrComputeCapabilityMinor, device) != cudaSuccess)
    return false;
  if (major != 9 || minor != 0) return false;
  // A driver without the tensor-map encoder cannot run the TMA tunings: kMma runs instead.
  if (prefill_wgmma::kTunings[g_tuning].tma && tensor_map_encoder() == nullptr) return false;
#if defined(ASPD_BUILT_SM90A)
  // The sm_90a cubin is the one the driver picked (not the compute_90 PTX, where the body traps).
  cudaFuncAttributes attr{};
  const void* kernel = dtype == DType::kBf16 ? wgmma_kernel<__nv_bfloat16>(D, g_tuning) : wgmma_kernel<__half>(D, g_tuning);
  return cudaFuncGetAttributes(&attr, kernel) == cudaSuccess && attr.binaryVersion == 90;
#else
  (void)dtype;
  return false;
#endif
}

cudaError_t launch_prefill_wgmma(DType dtype, const void* q, const void* k, const void* v, const int32_t* group,
                                 const int32_t* branch, const TileLabels* tiles, const PrefillDims& dims,
                                 float scale, float* out, const PrefillTileCounters& counters,
                                 cudaStream_t stream) {
  if (dims.T <= 0) return cudaSuccess;
  const auto aligned = [](const void* ptr, uintptr_t bytes) { return reinterpret_cast<uintptr_t>(ptr) % bytes == 0; };
  constexpr int64_t kMaxT = (int64_t{1} << 31) - 256;
  if (!prefill_wgmma_usable(dtype, dims.D) || dims.T > kMaxT || dims.H <= 0 || dims.Hkv <= 0 ||
      dims.H % dims.Hkv != 0 || (dims.T + 63) / 64 * dims.H > kMaxT || !aligned(q, 16) || !aligned(k, 16) ||
      !aligned(v, 16) || !aligned(out, 8))
    return cudaErrorInvalidValue;
  const uint32_t core_rows_bytes = static_cast<uint32_t>(dims.D) * 16;  // 8 rows of a key tile
  const int tuning = g_tuning;
  prefill_wgmma::Params p{{q, k, v, group, branch, tiles, static_cast<int32_t>(dims.T), dims.H, dims.Hkv,
                           scale * prefill_mma::kLog2e, out, counters},
                          /*k_lbo=*/128, /*k_sbo=*/core_rows_bytes, /*v_lbo=*/core_rows_bytes, /*v_sbo=*/128, {}, {}};
  const prefill_wgmma::Tuning& chosen = prefill_wgmma::kTunings[tuning];
  if (chosen.tma) {
    const uint32_t rows = static_cast<uint32_t>(chosen.keys);
    if (!encode_kv_map(&p.tmap_k, dtype, k, dims, rows) || !encode_kv_map(&p.tmap_v, dtype, v, dims, rows))
      return cudaErrorInvalidValue;
  }
  if (dtype == DType::kBf16)
    return dims.D == 64 ? prefill_wgmma::launch_tuned<__nv_bfloat16, 64>(tuning, p, stream)
                        : prefill_wgmma::launch_tuned<__nv_bfloat16, 128>(tuning, p, stream);
  return dims.D == 64 ? prefill_wgmma::launch_tuned<__half, 64>(tuning, p, stream)
                      : prefill_wgmma::launch_tuned<__half, 128>(tuning, p, stream);
}

}  // namespace aspd
