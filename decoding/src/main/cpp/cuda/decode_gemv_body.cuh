// The fused decode products' block (decode_gemv.h), written against primitives that the including
// file supplies: decode_gemv.cu (the GPU) or the CPU emulation test
// (src/test/cpp/decode_gemv_emulation_test.cpp), so that one text is what both run.
//
// Primitives, in namespace aspd::gemv: ASPD_GEMV_DEV, ASPD_GEMV_HOST_DEV, block_sync,
// cp_async16(dst, src, valid) (zero-filled when !valid), cp_async_commit, cp_async_wait<N>,
// ldmatrix_x4, mma_bf16 (m16n8k16, fp32 accumulate), warp_sum, fence (a device-wide fence),
// atomic_add (on int32), ld_cg (an L2 load of data other blocks of this launch wrote), pdl_wait,
// pdl_launch_dependents.
#pragma once

#include <cuda_bf16.h>

#include <cmath>
#include <cstdint>
#include <type_traits>

#include "decode_gemv.h"

namespace aspd {
namespace gemv {

constexpr int kWarps = 8;
constexpr int kChunk = kDecodeGemvChunk;
constexpr int kPad = 8;       // elements of padding per shared-memory row (conflict-free ldmatrix / loads)

// Pipeline depth: 4 stages (3 in flight) where two blocks still fit an SM, else 3.
ASPD_GEMV_HOST_DEV constexpr int stages_for(int R, int token_tiles) { return R > 64 || token_tiles > 1 ? 3 : 4; }

struct Params {
  const bf16* w;
  int64_t N, K;
  int32_t M;
  GemvInput in;
  GemvOutput out;
  int32_t R, splits;
  GemvScratch scratch;
};

template <bool kNorm, int kTokenTiles>
struct Layout {  // dynamic shared memory, in bytes from the start
  using X = typename std::conditional<kNorm, float, bf16>::type;
  static constexpr int kXRows = 8 * kTokenTiles;
  int R, stages;
  ASPD_GEMV_HOST_DEV size_t w_stage() const { return static_cast<size_t>(R) * (kChunk + kPad) * 2; }
  ASPD_GEMV_HOST_DEV size_t x_stage() const { return static_cast<size_t>(kXRows) * (kChunk + kPad) * sizeof(X); }
  ASPD_GEMV_HOST_DEV size_t nw_stage() const { return kNorm ? kChunk * 4 : 0; }
  ASPD_GEMV_HOST_DEV size_t x_at() const { return w_stage() * stages; }
  ASPD_GEMV_HOST_DEV size_t nw_at() const { return x_at() + x_stage() * stages; }
  ASPD_GEMV_HOST_DEV size_t red_at() const { return nw_at() + nw_stage() * stages; }
  ASPD_GEMV_HOST_DEV size_t result_at() const { return red_at() + kWarps * 256 * 4; }
  ASPD_GEMV_HOST_DEV size_t bytes() const { return result_at() + static_cast<size_t>(R) * 16 * 4; }
};

ASPD_GEMV_DEV uint32_t pack_bf16(float lo, float hi) {
  const __nv_bfloat162 p = __floats2bfloat162_rn(lo, hi);
  return *reinterpret_cast<const uint32_t*>(&p);
}

// Grid (row_blocks, splits), kWarps warps. Each stage copies kChunk k of the block's R weight
// rows (contiguous 256-byte row pieces: the DRAM sees long runs) and of the step rows into shared
// memory with cp.async, kStages deep; warp (tile t, part p) multiplies its 16 rows by the step rows
// over its share of the stage's 16-k steps: ldmatrix A, B built from the staged inputs (normalized
// on the fly), mma.sync.
// Block (bx, by) of a grid gx blocks wide, thread tid of nthreads (kWarps * 32); smem: its dynamic
// shared memory, s_last: a flag in its static shared memory.
template <bool kNorm, int kTokenTiles, GemvEpilogue kEpi>
ASPD_GEMV_DEV void gemv_block(const Params& p, unsigned char* smem, bool& s_last, unsigned bx, unsigned by, unsigned gx,
                              unsigned tid, unsigned nthreads) {
  using L = Layout<kNorm, kTokenTiles>;
  using X = typename L::X;
  const L lay{p.R, stages_for(p.R, kTokenTiles)};
  const int warp = tid / 32, lane = tid % 32, g = lane >> 2, c = lane & 3;
  const int tiles = p.R / 16, parts = kWarps / tiles;  // tiles <= 8 (R <= 128)
  const int t = warp / parts, part = warp % parts;
  float* red = reinterpret_cast<float*>(smem + lay.red_at());        // [kWarps][16][16]
  float* result = reinterpret_cast<float*>(smem + lay.result_at());  // [R][16]
  const int64_t row0 = static_cast<int64_t>(bx) * p.R;
  const int split = by;

  const int64_t chunks = (p.K + kChunk - 1) / kChunk;
  const int64_t c0 = split * chunks / p.splits, c1 = (split + 1) * chunks / p.splits;
  const int n_chunks = static_cast<int>(c1 - c0);
  const X* xin = kNorm ? reinterpret_cast<const X*>(p.in.residual) : reinterpret_cast<const X*>(p.in.x);
  // Weights (and norm weights) of stage i: read-only, so they may be copied before pdl_wait.
  auto issue_w = [&](int i) {
    const int slot = i % lay.stages;
    const int64_t k0 = (c0 + i) * kChunk;
    bf16* ws = reinterpret_cast<bf16*>(smem + slot * lay.w_stage());
    for (int q = tid; q < p.R * (kChunk / 8); q += kWarps * 32) {
      const int r = q / (kChunk / 8), k = (q % (kChunk / 8)) * 8;
      const bool valid = row0 + r < p.N && k0 + k < p.K;
      cp_async16(ws + r * (kChunk + kPad) + k, valid ? p.w + (row0 + r) * p.K + k0 + k : p.w, valid);
    }
    if (kNorm) {
      float* ns = reinterpret_cast<float*>(smem + lay.nw_at() + slot * lay.nw_stage());
      for (int q = tid; q < kChunk / 4; q += kWarps * 32) {
        const bool valid = k0 + 4 * q < p.K;
        cp_async16(ns + 4 * q, valid ? p.in.norm_weight + k0 + 4 * q : p.in.norm_weight, valid);
      }
    }
  };
  // Step rows of stage i: written by the kernels before, so only after pdl_wait.
  auto issue_x = [&](int i) {
    const int slot = i % lay.stages;
    const int64_t k0 = (c0 + i) * kChunk;
    constexpr int per_row = kChunk * static_cast<int>(sizeof(X)) / 16;  // 16-byte pieces of a step row
    X* xs = reinterpret_cast<X*>(smem + lay.x_at() + slot * lay.x_stage());
    for (int q = tid; q < L::kXRows * per_row; q += kWarps * 32) {
      const int m = q / per_row, k = (q % per_row) * (16 / static_cast<int>(sizeof(X)));
      const bool valid = m < p.M && k0 + k < p.K;
      cp_async16(xs + m * (kChunk + kPad) + k, valid ? xin + m * p.K + k0 + k : xin, valid);
    }
  };

  // Before the wait: the first stages' weights into shared memory (uncommitted: they join the
  // first stage's group below). The next kernel may start once every block is past the wait (not
  // before it: tried, 1.450 vs 1.403 ms per 0.5B step on an H200; asking the L2 for the rest of
  // the block's weights here too made no difference, 1.417).
  for (int i = 0; i < lay.stages - 1 && i < n_chunks; ++i) issue_w(i);
  pdl_wait();
  pdl_launch_dependents();

  // inv_rms of the step rows this lane feeds (g, g + 8): the producer's partial sums, in order.
  float inv[kTokenTiles];
#pragma unroll
  for (int j = 0; j < kTokenTiles; ++j) {
    inv[j] = 0.f;
    if (kNorm && g + 8 * j < p.M) {
      const float* slots = p.in.sumsq + (g + 8 * j) * p.in.sumsq_slots;
      float sum = 0.f;
      for (int i = 0; i < p.in.sumsq_slots; ++i) sum += slots[i];
      inv[j] = 1.f / sqrtf(sum / static_cast<float>(p.K) + p.in.eps);
    }
  }

  float acc[kTokenTiles][4] = {};
  const int steps = kChunk / 16, step0 = part * steps / parts, step1 = (part + 1) * steps / parts;
  for (int i = 0; i < lay.stages - 1; ++i) {
    if (i < n_chunks) issue_x(i);
    cp_async_commit();
  }
  for (int i = 0; i < n_chunks; ++i) {
    if (lay.stages == 4) cp_async_wait<2>();
    else cp_async_wait<1>();
    block_sync();
    const int slot = i % lay.stages;
    const bf16* ws = reinterpret_cast<const bf16*>(smem + slot * lay.w_stage());
    const X* xs = reinterpret_cast<const X*>(smem + lay.x_at() + slot * lay.x_stage());
    const float* ns = reinterpret_cast<const float*>(smem + lay.nw_at() + slot * lay.nw_stage());
    for (int st = step0; st < step1; ++st) {
      uint32_t a[4];
      ldmatrix_x4(a, ws + (t * 16 + lane % 16) * (kChunk + kPad) + st * 16 + (lane / 16) * 8);
      const int k = st * 16 + 2 * c;
#pragma unroll
      for (int j = 0; j < kTokenTiles; ++j) {
        const X* xr = xs + (g + 8 * j) * (kChunk + kPad);
        uint32_t b0, b1;
        if (kNorm) {
          // The expression of rms_norm_kernel, so both paths round the same floats.
          const float2 x0 = *reinterpret_cast<const float2*>(xr + k), x1 = *reinterpret_cast<const float2*>(xr + k + 8);
          const float2 w0 = *reinterpret_cast<const float2*>(ns + k), w1 = *reinterpret_cast<const float2*>(ns + k + 8);
          b0 = pack_bf16(w0.x * (x0.x * inv[j]), w0.y * (x0.y * inv[j]));
          b1 = pack_bf16(w1.x * (x1.x * inv[j]), w1.y * (x1.y * inv[j]));
        } else {
          b0 = *reinterpret_cast<const uint32_t*>(xr + k);
          b1 = *reinterpret_cast<const uint32_t*>(xr + k + 8);
        }
        mma_bf16(acc[j], a, b0, b1);
      }
    }
    if (i + lay.stages - 1 < n_chunks) {
      issue_w(i + lay.stages - 1);
      issue_x(i + lay.stages - 1);
    }
    cp_async_commit();
  }
  cp_async_wait<0>();
  {
    const int slot = warp;
    float* mine = red + slot * 256;  // [row 16][step row 16]
#pragma unroll
    for (int j = 0; j < kTokenTiles; ++j) {
      mine[g * 16 + 8 * j + 2 * c] = acc[j][0];
      mine[g * 16 + 8 * j + 2 * c + 1] = acc[j][1];
      mine[(g + 8) * 16 + 8 * j + 2 * c] = acc[j][2];
      mine[(g + 8) * 16 + 8 * j + 2 * c + 1] = acc[j][3];
    }
    if (kTokenTiles == 1) {  // step rows 8..15 stay zero
      mine[g * 16 + 8 + 2 * c] = mine[g * 16 + 9 + 2 * c] = 0.f;
      mine[(g + 8) * 16 + 8 + 2 * c] = mine[(g + 8) * 16 + 9 + 2 * c] = 0.f;
    }
  }
  block_sync();
  for (int i = tid; i < p.R * 16; i += nthreads) {
    const int r = i / 16, m = i % 16, tile = r / 16;
    float sum = 0.f;
    for (int q = 0; q < parts; ++q) sum += red[(tile * parts + q) * 256 + (r % 16) * 16 + m];
    result[i] = sum;
  }

  if (p.splits > 1) {
    // Partials of this block out; the last block of the row range to arrive sums them in split
    // order (the same order whichever block is last) and runs the epilogue. Only the M step-row
    // columns of [R][16] travel (the epilogues read no other): at M = 1, 1/16 of the traffic.
    float* mine = p.scratch.partial + (static_cast<int64_t>(bx) * p.splits + split) * p.R * 16;
    block_sync();
    for (int i = tid; i < p.R * p.M; i += nthreads) mine[(i / p.M) * 16 + i % p.M] = result[(i / p.M) * 16 + i % p.M];
    fence();
    block_sync();
    if (tid == 0) s_last = atomic_add(&p.scratch.counters[bx], 1) == p.splits - 1;
    block_sync();
    if (!s_last) return;
    fence();
    const float* all = p.scratch.partial + static_cast<int64_t>(bx) * p.splits * p.R * 16;
    for (int i = tid; i < p.R * p.M; i += nthreads) {
      const int at = (i / p.M) * 16 + i % p.M;
      float sum = 0.f;
      for (int sp = 0; sp < p.splits; ++sp) sum += ld_cg(all + static_cast<int64_t>(sp) * p.R * 16 + at);
      result[at] = sum;
    }
    if (tid == 0) p.scratch.counters[bx] = 0;  // ready for the next launch
  }
  block_sync();

  const GemvOutput& o = p.out;
  if (kEpi == GemvEpilogue::kStore) {
    for (int i = tid; i < p.R * p.M; i += nthreads) {
      const int r = i % p.R, m = i / p.R;
      if (row0 + r < p.N) o.y[m * p.N + row0 + r] = result[r * 16 + m];
    }
  } else if (kEpi == GemvEpilogue::kAddResidual) {
    for (int i = tid; i < p.R * 16; i += nthreads) {
      const int r = i % p.R, m = i / p.R;
      float sq = 0.f;
      if (m < p.M && row0 + r < p.N) {
        float* x = o.residual + m * p.N + row0 + r;
        const float v = *x + result[r * 16 + m];
        *x = v;
        sq = v * v;
      }
      result[r * 16 + m] = sq;
    }
    block_sync();
    for (int m = warp; m < p.M; m += kWarps) {
      float sum = 0.f;
      for (int r = lane; r < p.R; r += 32) sum += result[r * 16 + m];
      sum = warp_sum(sum);
      if (lane == 0) o.sumsq_out[m * gx + bx] = sum;
    }
  } else if (kEpi == GemvEpilogue::kSiluMul) {
    // Rows of a 32-row group: 16 gate rows, then the 16 up rows of the same features.
    const int64_t I = p.N / 2;
    for (int i = tid; i < (p.R / 2) * p.M; i += nthreads) {
      const int j = i % (p.R / 2), m = i / (p.R / 2);
      const int r_gate = (j / 16) * 32 + j % 16;
      const int64_t feature = row0 / 2 + j;
      if (feature >= I) continue;
      const float gate = result[r_gate * 16 + m], up = result[(r_gate + 16) * 16 + m];
      o.act[m * I + feature] = __float2bfloat16_rn(gate / (1.f + expf(-gate)) * up);  // silu_mul_kernel's expression
    }
  } else {  // kRopeAppend: the block holds one whole head (R = D)
    const int head = bx, D = o.D, half = D / 2;
    const int64_t col = static_cast<int64_t>(head) * D;
    for (int idx = tid; idx < half * p.M; idx += nthreads) {
      const int i = idx % half, m = idx / half;
      float a = result[i * 16 + m], b = result[(i + half) * 16 + m];
      if (o.bias != nullptr) {
        a += o.bias[col + i];
        b += o.bias[col + i + half];
      }
      const int64_t entry = o.io.length_before() + m;
      if (head < o.H + o.Hkv) {
        const float2 cs = rope_cos_sin(o.io.position()[m], i, D, o.theta);
        const float cf = cs.x, sf = cs.y;
        const float ra = a * cf - b * sf, rb = b * cf + a * sf;
        bf16* dst = head < o.H ? o.q + (static_cast<int64_t>(m) * o.H + head) * D
                               : o.k_cache + (entry * o.Hkv + (head - o.H)) * D;
        dst[i] = __float2bfloat16_rn(ra);
        dst[i + half] = __float2bfloat16_rn(rb);
      } else {
        bf16* dst = o.v_cache + (entry * o.Hkv + (head - o.H - o.Hkv)) * D;
        dst[i] = __float2bfloat16_rn(a);
        dst[i + half] = __float2bfloat16_rn(b);
      }
    }
  }
}

}  // namespace gemv
}  // namespace aspd
