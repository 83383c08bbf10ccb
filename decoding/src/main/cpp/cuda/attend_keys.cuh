// One warp's FlashAttention-2 step over a tile of keys at register level (mma.sync m16n8k16,
// K by ldmatrix, V by ldmatrix.trans, online softmax in fp32), shared by the mma prefill kernel
// (prefill_mma_kernel.cu, the §5 label rule) and the decode megakernel's attention
// (decode_mega_body.cuh, the tag rule): the mask is the caller's visible(row, key).
#pragma once

#include <cmath>
#include <cstdint>

#include "prefill_mma_parts.cuh"

namespace aspd {
namespace prefill_mma {

// This lane's accumulators: row tile mi, r = 0 for row g, r = 1 for row g + 8 of the tile.
// (Row indices and labels are not kept: recomputed / read from shared memory, to save registers.)
template <int D, int kM>
struct WarpState {
  float o[kM][D / 8][4];  // o[mi][dn][0..1] = row g, d 8dn + 2t..; [2..3] = row g + 8
  float m[kM][2];         // running max (base-2 scaled), -inf while nothing was seen
  float l[kM][2];         // lane-partial running sum, quad-summed at the end
};

// kKeys (32 or 64) keys of a tile for one warp: S = Q K^T, mask (kMask: visible(row, key), row in
// [0, 16 kM) of the warp's rows, key in [0, kKeys) of the tile), online softmax, O = alpha O + P V.
// qf: Q fragments in registers (kM == 1); sQw: the warp's Q rows in shared memory (kM == 2); sK/sV:
// the first of the kKeys key rows. Rows of Q, K and V are kLd = D + kRowPad elements apart. Keys
// that are masked still need finite K and V rows (0 x NaN is NaN in the products).
template <typename T, int D, int kM, int kKeys, bool kMask, typename Visible>
ASPD_MMA_DEV void attend_keys(const uint32_t (&qf)[kM == 1 ? D / 16 : 1][4], const T* sQw, const T* sK,
                              const T* sV, Visible visible, float scale_log2, int lane,
                              WarpState<D, kM>& st) {
  constexpr int kLd = D + kRowPad;
  const int g = lane / 4, t = lane % 4;

  // S [kM x 16, kKeys] as kKeys / 8 n8 tiles per row tile: s[mi][n][0..1] = row g, keys 8n + 2t
  // and 8n + 2t + 1; s[mi][n][2..3] = row g + 8.
  float s[kM][kKeys / 8][4];
#pragma unroll
  for (int mi = 0; mi < kM; ++mi)
#pragma unroll
    for (int n = 0; n < kKeys / 8; ++n)
#pragma unroll
      for (int e = 0; e < 4; ++e) s[mi][n][e] = 0.f;
  // ldmatrix.x4 on K rows: matrices (keys 16np + 0..7, d lo), (same keys, d hi), (keys 16np + 8..15,
  // d lo), (d hi) = B registers 0, 1 of n tile 2np and 0, 1 of n tile 2np + 1.
  const int k_row = (lane & 7) + ((lane >> 4) << 3), k_col = ((lane >> 3) & 1) * 8;
#pragma unroll(kM == 1 ? D / 16 : 2)
  for (int kk = 0; kk < D / 16; ++kk) {
    uint32_t a[kM][4];
    if constexpr (kM == 1) {
#pragma unroll
      for (int e = 0; e < 4; ++e) a[0][e] = qf[kk][e];
    } else {
#pragma unroll
      for (int mi = 0; mi < kM; ++mi) load_a_fragment<T, kLd>(a[mi], sQw + mi * 16 * kLd, kk * 16, lane);
    }
#pragma unroll
    for (int np = 0; np < kKeys / 16; ++np) {
      uint32_t b[4];
      ldmatrix_x4(b, sK + (np * 16 + k_row) * kLd + kk * 16 + k_col);
#pragma unroll
      for (int mi = 0; mi < kM; ++mi) {
        mma_16816<T>(s[mi][2 * np], a[mi], b[0], b[1]);
        mma_16816<T>(s[mi][2 * np + 1], a[mi], b[2], b[3]);
      }
    }
  }

#pragma unroll
  for (int mi = 0; mi < kM; ++mi) {
    // Scale to base 2, mask, row max over this lane's 16 columns, then over the quad.
    float row_max[2] = {-INFINITY, -INFINITY};
#pragma unroll
    for (int n = 0; n < kKeys / 8; ++n)
#pragma unroll
      for (int e = 0; e < 4; ++e) {
        const int r = e >> 1;
        float x = s[mi][n][e] * scale_log2;
        if (kMask) x = visible(16 * mi + 8 * r + g, n * 8 + 2 * t + (e & 1)) ? x : -INFINITY;
        s[mi][n][e] = x;
        row_max[r] = fmaxf(row_max[r], x);
      }
    float alpha[2], m_use[2];
#pragma unroll
    for (int r = 0; r < 2; ++r) {
      row_max[r] = fmaxf(row_max[r], shfl_xor(row_max[r], 1));
      row_max[r] = fmaxf(row_max[r], shfl_xor(row_max[r], 2));
      const float m_new = fmaxf(st.m[mi][r], row_max[r]);
      // A row that has seen nothing keeps m = -inf; subtract 0 instead so exp2 gives 0, not NaN.
      m_use[r] = m_new == -INFINITY ? 0.f : m_new;
      alpha[r] = fast_exp2(st.m[mi][r] - m_use[r]);  // 0 while m was -inf
      st.m[mi][r] = m_new;
    }
    float row_sum[2] = {0.f, 0.f};
#pragma unroll
    for (int n = 0; n < kKeys / 8; ++n)
#pragma unroll
      for (int e = 0; e < 4; ++e) {
        const float p = fast_exp2(s[mi][n][e] - m_use[e >> 1]);
        s[mi][n][e] = p;
        row_sum[e >> 1] += p;
      }
#pragma unroll
    for (int r = 0; r < 2; ++r) st.l[mi][r] = st.l[mi][r] * alpha[r] + row_sum[r];
    // O *= alpha, skipped (exactly) when no row of the row tile changed its max.
    if (!warp_all(alpha[0] == 1.f && alpha[1] == 1.f)) {
#pragma unroll
      for (int dn = 0; dn < D / 8; ++dn) {
        st.o[mi][dn][0] *= alpha[0];
        st.o[mi][dn][1] *= alpha[0];
        st.o[mi][dn][2] *= alpha[1];
        st.o[mi][dn][3] *= alpha[1];
      }
    }
  }

  // O += P V. P's A fragment for keys 16kk..16kk+15 is n tiles 2kk (a0..a3) and 2kk + 1 (a4..a7).
  // ldmatrix.x4.trans on V rows: matrices (keys 16kk + 0..7, d 16dp + 0..7), (keys + 8..15, same d),
  // (keys + 0..7, d + 8..15), (keys + 8..15, d + 8..15) = B registers 0, 1 of d tile 2dp, then 2dp + 1.
  const int v_row = (lane & 7) + (((lane >> 3) & 1) << 3), v_col = (lane >> 4) * 8;
#pragma unroll
  for (int kk = 0; kk < kKeys / 16; ++kk) {
    uint32_t a[kM][4];
#pragma unroll
    for (int mi = 0; mi < kM; ++mi) {
      a[mi][0] = pack2<T>(s[mi][2 * kk][0], s[mi][2 * kk][1]);
      a[mi][1] = pack2<T>(s[mi][2 * kk][2], s[mi][2 * kk][3]);
      a[mi][2] = pack2<T>(s[mi][2 * kk + 1][0], s[mi][2 * kk + 1][1]);
      a[mi][3] = pack2<T>(s[mi][2 * kk + 1][2], s[mi][2 * kk + 1][3]);
    }
#pragma unroll
    for (int dp = 0; dp < D / 16; ++dp) {
      uint32_t b[4];
      ldmatrix_x4_trans(b, sV + (kk * 16 + v_row) * kLd + dp * 16 + v_col);
#pragma unroll
      for (int mi = 0; mi < kM; ++mi) {
        mma_16816<T>(st.o[mi][2 * dp], a[mi], b[0], b[1]);
        mma_16816<T>(st.o[mi][2 * dp + 1], a[mi], b[2], b[3]);
      }
    }
  }
}

}  // namespace prefill_mma
}  // namespace aspd
