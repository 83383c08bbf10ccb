// Pieces of the mma prefill kernel that other tensor-core kernels share: device primitives
// (ldmatrix, mma.sync, cp.async, shuffles; left out under ASPD_PREFILL_MMA_EMULATION, where
// the including test supplies CPU versions), tile classification, dtype packing, row copies and
// A fragments. Fragment layouts: see prefill_mma_kernel.cu.
#pragma once

#include <cuda_bf16.h>
#include <cuda_fp16.h>

#include <cmath>
#include <cstdint>
#include <cstring>

#include "attention_kernels.h"

#if defined(ASPD_PREFILL_MMA_EMULATION)
#define ASPD_MMA_DEV inline
#else
#define ASPD_MMA_DEV __device__ __forceinline__
#endif

namespace aspd {
namespace prefill_mma {

constexpr int kBlockN = kPrefillTile;  // keys per key tile (= granularity of the TileLabels)
constexpr int kRowPad = 8;             // 16-bit elements of padding per shared-memory row
constexpr float kLog2e = 1.4426950408889634f;

#if !defined(ASPD_PREFILL_MMA_EMULATION)

// ---- device primitives ------------------------------------------------------------------------

ASPD_MMA_DEV uint32_t smem_addr(const void* p) {
  return static_cast<uint32_t>(__cvta_generic_to_shared(p));
}

ASPD_MMA_DEV void ldmatrix_x4(uint32_t (&r)[4], const void* row) {
  asm volatile("ldmatrix.sync.aligned.m8n8.x4.shared.b16 {%0, %1, %2, %3}, [%4];\n"
               : "=r"(r[0]), "=r"(r[1]), "=r"(r[2]), "=r"(r[3])
               : "r"(smem_addr(row)));
}

ASPD_MMA_DEV void ldmatrix_x4_trans(uint32_t (&r)[4], const void* row) {
  asm volatile("ldmatrix.sync.aligned.m8n8.x4.trans.shared.b16 {%0, %1, %2, %3}, [%4];\n"
               : "=r"(r[0]), "=r"(r[1]), "=r"(r[2]), "=r"(r[3])
               : "r"(smem_addr(row)));
}

// c += a b for one m16n8k16 tile; b0, b1 = the two B registers.
template <typename T>
ASPD_MMA_DEV void mma_16816(float (&c)[4], const uint32_t (&a)[4], uint32_t b0, uint32_t b1);

// The bf16 and fp16 instructions, from one text.
#define ASPD_MMA_16816(T, TYPE)                                                                         \
  template <>                                                                                           \
  ASPD_MMA_DEV void mma_16816<T>(float (&c)[4], const uint32_t (&a)[4], uint32_t b0, uint32_t b1) {     \
    asm volatile("mma.sync.aligned.m16n8k16.row.col.f32." TYPE "." TYPE ".f32 {%0, %1, %2, %3}, "      \
                 "{%4, %5, %6, %7}, {%8, %9}, {%0, %1, %2, %3};\n"                                     \
                 : "+f"(c[0]), "+f"(c[1]), "+f"(c[2]), "+f"(c[3])                                       \
                 : "r"(a[0]), "r"(a[1]), "r"(a[2]), "r"(a[3]), "r"(b0), "r"(b1));                       \
  }
ASPD_MMA_16816(__nv_bfloat16, "bf16")
ASPD_MMA_16816(__half, "f16")
#undef ASPD_MMA_16816

// 16-byte (cg: L2 only) and 4-byte asynchronous global -> shared copies; !fill writes zeros and
// reads nothing (src-size 0), the address must still be a valid one.
ASPD_MMA_DEV void cp_async_16(void* dst, const void* src, bool fill) {
  asm volatile("cp.async.cg.shared.global [%0], [%1], 16, %2;\n" ::"r"(smem_addr(dst)), "l"(src),
               "r"(fill ? 16 : 0)
               : "memory");
}

ASPD_MMA_DEV void cp_async_4(void* dst, const void* src, bool fill) {
  asm volatile("cp.async.ca.shared.global [%0], [%1], 4, %2;\n" ::"r"(smem_addr(dst)), "l"(src),
               "r"(fill ? 4 : 0)
               : "memory");
}

ASPD_MMA_DEV void cp_async_commit() { asm volatile("cp.async.commit_group;\n" ::: "memory"); }

// Waits until at most `kPending` of this thread's most recent groups are still in flight.
template <int kPending>
ASPD_MMA_DEV void cp_async_wait() {
  asm volatile("cp.async.wait_group %0;\n" ::"n"(kPending) : "memory");
}

ASPD_MMA_DEV float shfl_xor(float x, int mask) { return __shfl_xor_sync(0xffffffffu, x, mask); }
ASPD_MMA_DEV int32_t shfl_xor(int32_t x, int mask) { return __shfl_xor_sync(0xffffffffu, x, mask); }

// True in every lane when pred holds in every lane of the (fully active) warp.
ASPD_MMA_DEV bool warp_all(bool pred) { return __all_sync(0xffffffffu, pred); }

ASPD_MMA_DEV void block_sync() { __syncthreads(); }

// 2^x; ex2.approx gives +0 for -inf, which the masked softmax relies on.
ASPD_MMA_DEV float fast_exp2(float x) {
  float y;
  asm("ex2.approx.ftz.f32 %0, %1;\n" : "=f"(y) : "f"(x));
  return y;
}

ASPD_MMA_DEV void counter_add(unsigned long long* counter, unsigned long long n) {
  if (counter != nullptr && n != 0) atomicAdd(counter, n);
}

#endif  // !ASPD_PREFILL_MMA_EMULATION

enum TileClass : int { kBeyond = 0, kSkipped = 1, kUnmasked = 2, kMasked = 3 };

// The inputs of a prefill kernel launch (the wgmma kernel's Params extend them).
struct Params {
  const void* q;  // [T, H, D]
  const void* k;  // [T, Hkv, D]
  const void* v;  // [T, Hkv, D]
  const int32_t* group;   // [T]
  const int32_t* branch;  // [T]
  const TileLabels* key_tiles;  // [ceil(T / kBlockN)]
  int32_t T;  // < 2^31 - 128 (checked by the launcher): token indices fit in int32
  int32_t H, Hkv;
  float scale_log2;  // scale * log2(e): softmax in base 2
  float* out;        // [T, H, D]
  PrefillTileCounters counters;
};

// Query rows [first, last] of one warp (last clamped to T - 1).
struct WarpRows {
  int32_t first, last;
  bool active;  // first < T
};

ASPD_MMA_DEV WarpRows warp_rows(int32_t q0, int warp, int warp_rows_count, int32_t T) {
  const int32_t first = q0 + warp * warp_rows_count;
  const int32_t last = first + warp_rows_count - 1 < T ? first + warp_rows_count - 1 : T - 1;
  return WarpRows{first, last, first < T};
}

ASPD_MMA_DEV int classify_tile(const WarpRows& rows, const TileLabels& row_labels, int32_t k0,
                               const TileLabels& key_labels) {
  if (!rows.active || k0 > rows.last) return kBeyond;
  if (tile_pair_invisible(row_labels, key_labels)) return kSkipped;
  if (k0 + kBlockN - 1 <= rows.first && tile_pair_all_visible(row_labels, key_labels)) return kUnmasked;
  return kMasked;
}

// Label ranges of the rows the lanes hold (inside = the row exists), by a butterfly over the warp;
// every lane gets the answer. Rows that do not exist leave the ranges untouched.
ASPD_MMA_DEV TileLabels warp_label_summary(bool inside, int32_t group, int32_t branch) {
  int32_t v4[4] = {inside ? group : INT32_MAX, inside ? group : INT32_MIN, inside ? branch : INT32_MAX,
                   inside ? branch : INT32_MIN};
#pragma unroll
  for (int mask = 16; mask > 0; mask >>= 1) {
    int32_t other[4];
#pragma unroll
    for (int e = 0; e < 4; ++e) other[e] = shfl_xor(v4[e], mask);  // every lane shuffles all four
    v4[0] = other[0] < v4[0] ? other[0] : v4[0];
    v4[1] = other[1] > v4[1] ? other[1] : v4[1];
    v4[2] = other[2] < v4[2] ? other[2] : v4[2];
    v4[3] = other[3] > v4[3] ? other[3] : v4[3];
  }
  return TileLabels{v4[0], v4[1], v4[2], v4[3]};
}

template <typename T>
ASPD_MMA_DEV uint32_t pack2(float lo, float hi);

template <>
ASPD_MMA_DEV uint32_t pack2<__nv_bfloat16>(float lo, float hi) {
  const __nv_bfloat162 v = __floats2bfloat162_rn(lo, hi);  // .x = lo in the low 16 bits
  uint32_t bits;
  memcpy(&bits, &v, sizeof(bits));
  return bits;
}

template <>
ASPD_MMA_DEV uint32_t pack2<__half>(float lo, float hi) {
  const __half2 v = __floats2half2_rn(lo, hi);
  uint32_t bits;
  memcpy(&bits, &v, sizeof(bits));
  return bits;
}

// Copies rows [row0, row0 + kRows) of head `head` of src [T, heads, D] into dst [kRows][kLd] with
// 16-byte cp.async; rows at or past T are zero-filled (finite K/V for the masked columns). Thread
// tid copies chunk tid % (D / 8) of rows tid / (D / 8) + pass * (kThreads / (D / 8)), so its
// addresses are one base plus compile-time offsets (few registers live across the main loop).
template <typename T, int D, int kRows, int kThreads>
ASPD_MMA_DEV void copy_rows_async(T* dst, const T* src, int32_t row0, int32_t T_len, int heads,
                                  int head, int tid) {
  constexpr int kChunks = D / 8;  // 16-byte chunks per row
  constexpr int kLd = D + kRowPad;
  constexpr int kRowsPerPass = kThreads / kChunks;
  static_assert(kThreads % kChunks == 0 && kRows % kRowsPerPass == 0, "copy shape");
  const int c = (tid % kChunks) * 8, r0 = tid / kChunks;
  const T* from = src + static_cast<int64_t>(head) * D + c;
  const int64_t row_stride = static_cast<int64_t>(heads) * D;
  T* to = dst + r0 * kLd + c;
#pragma unroll
  for (int pass = 0; pass < kRows / kRowsPerPass; ++pass) {
    const int32_t row = row0 + r0 + pass * kRowsPerPass;
    const bool inside = row < T_len;
    cp_async_16(to + pass * kRowsPerPass * kLd, from + (inside ? row : 0) * row_stride, inside);
  }
}

// Labels of keys [k0, k0 + kKeys) into dst: group in [0, kKeys), branch in [kKeys, 2 kKeys), with
// 4-byte cp.async; keys at or past T are zeros (never read: masked by the key index).
template <int kKeys, int kThreads>
ASPD_MMA_DEV void copy_key_labels_async(int32_t* dst, const int32_t* group, const int32_t* branch, int32_t k0,
                                        int32_t T_len, int tid) {
  for (int idx = tid; idx < 2 * kKeys; idx += kThreads) {
    const int32_t j = k0 + idx % kKeys;
    const bool inside = j < T_len;
    const int32_t* from = (idx < kKeys ? group : branch) + (inside ? j : 0);
    cp_async_4(dst + idx, from, inside);
  }
}

// Labels of query rows [q0, q0 + kRows) into shared memory; rows at or past T are main text
// (group -1, branch 0), never in a branch, so no tile is skipped or unmasked because of them.
template <int kRows, int kThreads>
ASPD_MMA_DEV void copy_query_labels(int32_t* s_group, int32_t* s_branch, const int32_t* group, const int32_t* branch,
                                    int32_t q0, int32_t T_len, int tid) {
  for (int r = tid; r < kRows; r += kThreads) {
    const bool inside = q0 + r < T_len;
    s_group[r] = inside ? group[q0 + r] : -1;
    s_branch[r] = inside ? branch[q0 + r] : 0;
  }
}

// A fragments of 16 rows from shared memory: matrices (rows 0..7, k lo), (rows 8..15, k lo),
// (rows 0..7, k hi), (rows 8..15, k hi) = a0a1, a2a3, a4a5, a6a7; rows16 = the 16 rows, k0 = col.
template <typename T, int kLd>
ASPD_MMA_DEV void load_a_fragment(uint32_t (&a)[4], const T* rows16, int k0, int lane) {
  ldmatrix_x4(a, rows16 + (lane & 15) * kLd + k0 + (lane >> 4) * 8);
}


}  // namespace prefill_mma
}  // namespace aspd
