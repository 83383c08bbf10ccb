// The decode attention kernel's block (decode_attention.h), written against primitives that the
// including file supplies: decode_attention.cu (the GPU) or the CPU emulation test
// (src/test/cpp/decode_attention_emulation_test.cpp), so that one text is what both run.
//
// Primitives, in namespace aspd::decode_attn: ASPD_ATTN_DEV, ASPD_ATTN_HOST_DEV, block_sync,
// cluster_sync (a barrier of the head's cluster that releases and acquires shared memory),
// cluster_sync_relaxed (a barrier alone), cluster_peer(p, rank) (the same shared-memory address in
// the cluster's block of that rank), cp_async16, cp_async_commit_wait_all, cp_async_wait_all,
// ldmatrix_x4, mma_16816<bf16>, warp_max, warp_sum, pdl_wait, pdl_launch_dependents.
#pragma once

#include <cuda_bf16.h>

#include <cmath>
#include <cstdint>

#include "../core/visibility.h"
#include "decode_attention.h"

namespace aspd {
namespace decode_attn {

constexpr int kThreads = 256;
constexpr int kSplits = kDecodeAttentionSplits;
constexpr int kRows = kDecodeAttentionMaxRows;

ASPD_ATTN_HOST_DEV constexpr int chunk_for(int D) { return D <= 64 ? 128 : D <= 128 ? 64 : 32; }  // entries per pass

// Dynamic shared memory, offsets in bytes: K and V [chunk][D + 8] bf16 (8 elements of padding:
// conflict-free 16-byte row reads), q [16][D + 8] bf16, scores [16][chunk] fp32, entry tags
// [3][chunk], and this split's state per row [16][D + 2] fp32 (m, l, acc[D]) for the cluster.
struct Smem {
  int D, chunk;
  ASPD_ATTN_HOST_DEV int row() const { return D + 8; }
  ASPD_ATTN_HOST_DEV size_t v_at() const { return static_cast<size_t>(chunk) * row() * 2; }
  ASPD_ATTN_HOST_DEV size_t q_at() const { return 2 * v_at(); }
  ASPD_ATTN_HOST_DEV size_t p_at() const { return q_at() + static_cast<size_t>(kRows) * row() * 2; }
  ASPD_ATTN_HOST_DEV size_t tag_at() const { return p_at() + static_cast<size_t>(kRows) * chunk * 4; }
  ASPD_ATTN_HOST_DEV size_t state_at() const { return tag_at() + 3 * static_cast<size_t>(chunk) * 4; }
  ASPD_ATTN_HOST_DEV size_t bytes() const { return state_at() + static_cast<size_t>(kRows) * (D + 2) * 4; }
};

// Static shared memory of a block: per step row, the online-softmax state (m, l), the last
// chunk's rescale, the splits' merge weights, and the row's tags.
struct Statics {
  float m[kRows], l[kRows], alpha[kRows], weight[kRows][kSplits];
  int32_t qp[kRows], qg[kRows], qb[kRows];
};

// The pair (i, i + D/2) of the head at column col of step row r of the QKV product, + bias, rotated
// (RoPE) when asked: qkv_rope_append_kernel's expressions and angles (the table holds
// rope_cos_sin's floats), so both paths store the same bf16.
ASPD_ATTN_DEV void fresh_pair(const DecodeQkv& in, int64_t width, int64_t col, int r, int i, int D, bool rotate,
                              bf16* dst) {
  const int half = D / 2;
  float a = in.qkv[r * width + col + i], b = in.qkv[r * width + col + i + half];
  if (in.bias != nullptr) {
    a += in.bias[col + i];
    b += in.bias[col + i + half];
  }
  if (rotate) {
    const float2 cs = reinterpret_cast<const float2*>(in.rope)[r * half + i];
    const float cf = cs.x, sf = cs.y;
    const float ra = a * cf - b * sf, rb = b * cf + a * sf;
    a = ra;
    b = rb;
  }
  dst[i] = __float2bfloat16_rn(a);
  dst[i + half] = __float2bfloat16_rn(b);
}

// Block (h, split) of the grid (H, kSplits), clusters of the kSplits blocks of a head, kThreads
// threads; raw: its dynamic shared memory (Smem), st: its static shared memory. Thread t owns the
// output dims (2p, 2p + 1), p = t % (D / 2), of rows t / (D / 2) + j * groups: its accumulators
// stay in registers across the chunks.
ASPD_ATTN_DEV void attention_block(DecodeQkv in, bf16* __restrict__ k_cache, bf16* __restrict__ v_cache,
                                   EntryTags tags, StepIoView io, int32_t H, int32_t Hkv, int32_t D, float scale_log2,
                                   bf16* __restrict__ out, int h, int split, int tid, unsigned char* raw, Statics& st) {
  float* s_m = st.m;
  float* s_l = st.l;
  float* s_alpha = st.alpha;
  float (&s_weight)[kRows][kSplits] = st.weight;
  int32_t* s_qp = st.qp;
  int32_t* s_qg = st.qg;
  int32_t* s_qb = st.qb;
  const Smem lay{D, chunk_for(D)};
  const int kv_group = H / Hkv, kv_head = h / kv_group;
  const int warp = tid / 32, lane = tid % 32, M = io.M;
  const int chunk = lay.chunk, row = lay.row(), vecs = D / 8, half = D / 2, stride = D + 2;
  bf16* sK = reinterpret_cast<bf16*>(raw);
  bf16* sV = reinterpret_cast<bf16*>(raw + lay.v_at());
  bf16* sQ = reinterpret_cast<bf16*>(raw + lay.q_at());
  float* sP = reinterpret_cast<float*>(raw + lay.p_at());
  int32_t* sTag = reinterpret_cast<int32_t*>(raw + lay.tag_at());
  float* sState = reinterpret_cast<float*>(raw + lay.state_at());

  const int64_t before = io.length_before(), n = before + M;
  const int64_t per = (n + kSplits - 1) / kSplits;
  const int64_t begin = split * per < n ? split * per : n, end = begin + per < n ? begin + per : n;
  pdl_wait();  // q, the new entries and their tags come from the kernels before
  pdl_launch_dependents();

  const bool fresh = in.qkv != nullptr;
  const int64_t width = static_cast<int64_t>(H + 2 * Hkv) * D;
  if (fresh) {
    for (int i = tid; i < M * half; i += kThreads)
      fresh_pair(in, width, static_cast<int64_t>(h) * D, i / half, i % half, D, true, sQ + (i / half) * row);
  } else {
    for (int i = tid; i < M * vecs; i += kThreads)
      cp_async16(sQ + (i / vecs) * row + 8 * (i % vecs), in.q + (static_cast<int64_t>(i / vecs) * H + h) * D + 8 * (i % vecs));
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
  float acc[kRows][2];
#pragma unroll
  for (int j = 0; j < kRows; ++j) acc[j][0] = acc[j][1] = 0.f;

  for (int64_t c0 = begin; c0 < end; c0 += chunk) {
    const int cn = end - c0 < chunk ? static_cast<int>(end - c0) : chunk;
    // Entries [0, cached) of the chunk are read from the cache; in the fresh mode the step's own
    // entries (from `before` on) are built from the QKV product instead.
    const int cached = !fresh || before >= c0 + cn ? cn : before > c0 ? static_cast<int>(before - c0) : 0;
    for (int i = tid; i < cached * vecs; i += kThreads) {
      const int e = i / vecs, c = i % vecs;
      const int64_t src = ((c0 + e) * Hkv + kv_head) * D + 8 * c;
      cp_async16(sK + e * row + 8 * c, k_cache + src);
      cp_async16(sV + e * row + 8 * c, v_cache + src);
    }
    for (int i = tid; i < (cn - cached) * half; i += kThreads) {
      const int e = cached + i / half, r = static_cast<int>(c0 + e - before);
      fresh_pair(in, width, static_cast<int64_t>(H + kv_head) * D, r, i % half, D, true, sK + e * row);
      fresh_pair(in, width, static_cast<int64_t>(H + Hkv + kv_head) * D, r, i % half, D, false, sV + e * row);
    }
    for (int i = tid; i < cn; i += kThreads) {
      sTag[i] = tags.position[c0 + i];
      sTag[chunk + i] = tags.group[c0 + i];
      sTag[2 * chunk + i] = tags.branch[c0 + i];
    }
    cp_async_commit_wait_all();
    block_sync();
    // The first query head of each KV group appends the chunk's new entries to the cache. Stored
    // here, so that they are on their way during the scores (stored after the cluster's state
    // release instead, a 0.5B step took 1.065 against 1.054 ms on an H200).
    if (h % kv_group == 0) {
      for (int i = tid; i < (cn - cached) * vecs; i += kThreads) {
        const int e = cached + i / vecs, c = i % vecs;
        const int64_t dst = ((c0 + e) * Hkv + kv_head) * D + 8 * c;
        *reinterpret_cast<uint4*>(k_cache + dst) = *reinterpret_cast<const uint4*>(sK + e * row + 8 * c);
        *reinterpret_cast<uint4*>(v_cache + dst) = *reinterpret_cast<const uint4*>(sV + e * row + 8 * c);
      }
    }
    // Scores on tensor cores: the (at most 16) step rows are one m16 tile, so S = Q K^T costs the
    // same for 1 row as for 16. Warp w takes the n8 tiles (8 entries) w, w + 8, ...: A = q rows by
    // ldmatrix, B = the entries' K rows (two bf16 per register), fp32 accumulators. Rows past M hold
    // whatever shared memory held: their scores are never read (rows do not mix in the product).
    for (int tile = warp; tile < chunk / 8; tile += kThreads / 32) {
      float c4[4] = {0.f, 0.f, 0.f, 0.f};
      const bf16* krow = sK + (tile * 8 + lane / 4) * row + 2 * (lane % 4);
      for (int kk = 0; kk < D / 16; ++kk) {
        uint32_t a[4];  // load_a_fragment's matrices (prefill_mma_parts.cuh), with the row pitch known at run time
        ldmatrix_x4(a, sQ + (lane & 15) * row + kk * 16 + (lane >> 4) * 8);
        const uint32_t b0 = *reinterpret_cast<const uint32_t*>(krow + kk * 16);
        const uint32_t b1 = *reinterpret_cast<const uint32_t*>(krow + kk * 16 + 8);
        mma_16816<bf16>(c4, a, b0, b1);
      }
#pragma unroll
      for (int q = 0; q < 4; ++q) {  // c4: row g (q < 2) or g + 8, entries 2 (lane % 4) + q % 2
        const int m = lane / 4 + 8 * (q / 2), e = tile * 8 + 2 * (lane % 4) + q % 2;
        if (m >= M) continue;
        const bool seen = e < cn && tagged_visible(s_qp[m], s_qg[m], s_qb[m], sTag[e], sTag[chunk + e], sTag[2 * chunk + e]);
        sP[m * chunk + e] = seen ? c4[q] * scale_log2 : -INFINITY;
      }
    }
    block_sync();
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
    block_sync();
    if (owner) {
#pragma unroll
      for (int j = 0; j < kRows; ++j) {
        if (j >= my_rows) break;  // no warp collectives below, so a warp may split here (D not a multiple of 64)
        const int m = rg + j * groups;
        acc[j][0] *= s_alpha[m];
        acc[j][1] *= s_alpha[m];
      }
      // Four entries at a time: their products are summed apart from the accumulator, so its
      // dependent chain is one add per four entries; the last cn % 4 entries one at a time.
      const int cn4 = cn & ~3;
      for (int e = 0; e < cn4; e += 4) {
        float2 v[4];
#pragma unroll
        for (int u = 0; u < 4; ++u)
          v[u] = __bfloat1622float2(*reinterpret_cast<const __nv_bfloat162*>(sV + (e + u) * row + 2 * dp));
#pragma unroll
        for (int j = 0; j < kRows; ++j) {
          if (j >= my_rows) break;
          const float4 p = *reinterpret_cast<const float4*>(sP + (rg + j * groups) * chunk + e);
          acc[j][0] += (p.x * v[0].x + p.y * v[1].x) + (p.z * v[2].x + p.w * v[3].x);
          acc[j][1] += (p.x * v[0].y + p.y * v[1].y) + (p.z * v[2].y + p.w * v[3].y);
        }
      }
      for (int e = cn4; e < cn; ++e) {
        const float2 v = __bfloat1622float2(*reinterpret_cast<const __nv_bfloat162*>(sV + e * row + 2 * dp));
#pragma unroll
        for (int j = 0; j < kRows; ++j) {
          if (j >= my_rows) break;
          const float p = sP[(rg + j * groups) * chunk + e];
          acc[j][0] += p * v.x;
          acc[j][1] += p * v.y;
        }
      }
    }
    block_sync();  // the next chunk overwrites K, V, scores
  }

  cp_async_wait_all();  // q's copies, where the split had no entries

  // This split's state per row, (m, l, acc[D]), in shared memory for the other blocks of the head.
  if (owner) {
#pragma unroll
    for (int j = 0; j < kRows; ++j) {
      if (j >= my_rows) break;
      float* st = sState + (rg + j * groups) * stride;
      st[2 + 2 * dp] = acc[j][0];
      st[3 + 2 * dp] = acc[j][1];
    }
  }
  if (tid < M) {
    sState[tid * stride] = s_m[tid];
    sState[tid * stride + 1] = s_l[tid];
  }
  cluster_sync();
  const float* states[kSplits];  // split s is the cluster's block of rank s (cluster dims (1, kSplits))
#pragma unroll
  for (int sp = 0; sp < kSplits; ++sp) states[sp] = cluster_peer(sState, sp);
  // Each split's weight per row, 2^(m_s - m) / sum_s l_s 2^(m_s - m): the same numbers in every block.
  if (tid < M) {
    float ms[kSplits], f[kSplits], m_all = -INFINITY, den = 0.f;
#pragma unroll
    for (int sp = 0; sp < kSplits; ++sp) {
      ms[sp] = states[sp][tid * stride];
      m_all = fmaxf(m_all, ms[sp]);
    }
#pragma unroll
    for (int sp = 0; sp < kSplits; ++sp) {
      f[sp] = m_all == -INFINITY ? 0.f : exp2f(ms[sp] - m_all);  // 0 for a split that saw nothing
      den += states[sp][tid * stride + 1] * f[sp];
    }
#pragma unroll
    for (int sp = 0; sp < kSplits; ++sp) s_weight[tid][sp] = den > 0.f ? f[sp] / den : 0.f;
  }
  block_sync();
  // This block's share of the outputs: (row, dim) pairs split, split + kSplits, ...
  for (int i = split + kSplits * tid; i < M * D; i += kSplits * kThreads) {
    const int m = i / D, d = i % D;
    float o = 0.f;
#pragma unroll
    for (int sp = 0; sp < kSplits; ++sp) o += states[sp][m * stride + 2 + d] * s_weight[m][sp];
    out[(static_cast<int64_t>(m) * H + h) * D + d] = __float2bfloat16_rn(o);
  }
  // Every block's state stays in its shared memory until the whole cluster has read it. Relaxed
  // arrival: each remote read's value was used above, so it is complete.
  cluster_sync_relaxed();
}

}  // namespace decode_attn
}  // namespace aspd
