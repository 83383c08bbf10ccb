// The fused decode products' block (decode_gemv.h), written against primitives that the including
// file supplies: decode_gemv.cu (the GPU) or the CPU emulation test
// (src/test/cpp/decode_gemv_emulation_test.cpp), so that one text is what both run.
//
// Primitives, in namespace aspd::gemv: ASPD_GEMV_DEV, block_sync, cp_async16(dst, src, valid)
// (zero-filled when !valid), cp_async_commit, cp_async_wait<N>, ldmatrix_x4, mma_bf16 (m16n8k16,
// fp32 accumulate), warp_sum, cluster_sync (a barrier of the row range's cluster that releases and
// acquires shared memory), cluster_peer(p, rank) (the same shared-memory address in the cluster's
// block of that rank), pdl_wait, pdl_launch_dependents, now_ns (a device clock) and stamp_max(p, t)
// (an atomic max on a 64-bit word), the last two for the bench's timeline only.
#pragma once

#include <cuda_bf16.h>

#include <cmath>
#include <cstdint>
#include <type_traits>

#include "decode_gemv.h"

namespace aspd {
namespace gemv {

constexpr int kWarps = kDecodeGemvWarps;
constexpr int kChunk = kDecodeGemvChunk;
constexpr int kPad = 8;       // elements of padding per shared-memory row (conflict-free ldmatrix / loads)

struct Params {
  const bf16* w;
  int64_t N, K;
  int32_t M;
  GemvInput in;
  GemvOutput out;
  int32_t R, splits, stages;
  // Null, or [3] nanosecond times (the bench's timeline): block (0, 0)'s start and the end of its
  // wait for the kernel before, and the latest end of any block (an atomic max: the stamps of
  // later steps only ever grow, so they need no reset between steps).
  uint64_t* stamps;
};

ASPD_GEMV_DEV uint32_t pack_bf16(float lo, float hi) {
  const __nv_bfloat162 p = __floats2bfloat162_rn(lo, hi);
  return *reinterpret_cast<const uint32_t*>(&p);
}

// Grid (row_blocks, splits), kWarps warps, clusters of (1, splits). Chunk i of the block's K range
// copies kChunk k of its R weight rows (contiguous 256-byte row pieces: the DRAM sees long runs)
// and of the M step rows into shared memory slot i % stages with cp.async; warp (tile t, part p)
// multiplies its 16 rows by the step rows over its share of the chunk's 16-k steps: ldmatrix A, B
// built from the staged rows (normalized on the fly), mma.sync. B columns past M repeat row M - 1
// (only M rows are staged); no epilogue reads them.
// Block (bx, by) of a grid gx blocks wide, thread tid of nthreads (kWarps * 32); smem: its dynamic
// shared memory (GemvSmem).
template <bool kNorm, int kTokenTiles, GemvEpilogue kEpi>
ASPD_GEMV_DEV void gemv_block(const Params& p, unsigned char* smem, unsigned bx, unsigned by, unsigned gx, unsigned tid,
                              unsigned nthreads) {
  using X = typename std::conditional<kNorm, float, bf16>::type;
  const bool stamping = p.stamps != nullptr && bx == 0 && by == 0 && tid == 0;
  if (stamping) p.stamps[0] = now_ns();
  const GemvSmem lay{p.R, p.stages, p.M, kNorm, p.in.sumsq_slots};
  const int warp = tid / 32, lane = tid % 32, g = lane >> 2, c = lane & 3;
  const int tiles = p.R / 16, parts = kWarps / tiles;  // tiles <= 8 (R <= 128)
  // Warps past the last tile (R of 48, 80, 96, 112: 8 warps do not divide evenly) multiply
  // nothing: their tile's rows are not in shared memory.
  const int t = warp / parts, part = warp % parts;
  const bool multiplies = t < tiles;
  float* red = reinterpret_cast<float*>(smem);  // [kWarps][16][16], over the weight slots once they are used
  float* sums = reinterpret_cast<float*>(smem + lay.sums_at());          // [M][slots]
  float* residual = reinterpret_cast<float*>(smem + lay.residual_at());  // [M][R]
  float* result = reinterpret_cast<float*>(smem + lay.result_at());      // [R][16]
  const int64_t row0 = static_cast<int64_t>(bx) * p.R;
  const int split = by;

  const int64_t chunks = (p.K + kChunk - 1) / kChunk;
  const int64_t c0 = split * chunks / p.splits, c1 = (split + 1) * chunks / p.splits;
  const int n_chunks = static_cast<int>(c1 - c0);
  // Resident: every chunk has its slot, all copied up front; else a pipeline of stages - 1 ahead.
  const bool resident = n_chunks <= p.stages;
  const int ahead = resident ? n_chunks : p.stages - 1;
  const X* xin = kNorm ? reinterpret_cast<const X*>(p.in.residual) : reinterpret_cast<const X*>(p.in.x);
  // Weights (and norm weights) of chunk i: read-only, so they may be copied before pdl_wait.
  auto issue_w = [&](int i) {
    const int slot = i % p.stages;
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
  // Step rows of chunk i: written by the kernels before, so only after pdl_wait.
  auto issue_x = [&](int i) {
    const int slot = i % p.stages;
    const int64_t k0 = (c0 + i) * kChunk;
    constexpr int per_row = kChunk * static_cast<int>(sizeof(X)) / 16;  // 16-byte pieces of a step row
    X* xs = reinterpret_cast<X*>(smem + lay.x_at() + slot * lay.x_stage());
    for (int q = tid; q < p.M * per_row; q += kWarps * 32) {
      const int m = q / per_row, k = (q % per_row) * (16 / static_cast<int>(sizeof(X)));
      const bool valid = k0 + k < p.K;
      cp_async16(xs + m * (kChunk + kPad) + k, valid ? xin + m * p.K + k0 + k : xin, valid);
    }
  };

  // Before the wait: the weights of the chunks copied ahead (uncommitted: they join the first
  // chunk's group below). The next kernel may start once every block is past the wait (not before
  // it: tried, 1.450 vs 1.403 ms per 0.5B step on an H200; asking the L2 for the rest of the
  // block's weights here too made no difference, 1.417).
  for (int i = 0; i < ahead; ++i) issue_w(i);
  pdl_wait();
  pdl_launch_dependents();
  if (stamping) p.stamps[1] = now_ns();

  // After the wait, everything the block reads from the kernels before goes out at once: the
  // step rows, the producer's sums of squares (norm prologue) and the residual slice the epilogue
  // adds to (split 0 only: it runs the epilogue), so that they cost one round trip together.
  for (int i = 0; i < ahead; ++i) {
    issue_x(i);
    if (!resident) cp_async_commit();
  }
  if (resident) cp_async_commit();
  if (kNorm)
    for (int i = tid; i < p.M * p.in.sumsq_slots; i += nthreads) sums[i] = p.in.sumsq[i];
  if (kEpi == GemvEpilogue::kAddResidual && split == 0)
    for (int i = tid; i < p.M * p.R; i += nthreads) {
      const int m = i / p.R, r = i % p.R;
      residual[i] = row0 + r < p.N ? p.out.residual[m * p.N + row0 + r] : 0.f;
    }
  if (resident) cp_async_wait<0>();
  block_sync();  // resident: every chunk is in shared memory from here on

  // inv_rms of the step rows this lane feeds (g, g + 8; past M, row M - 1): the partial sums in order.
  int xrow[kTokenTiles];
  float inv[kTokenTiles];
#pragma unroll
  for (int j = 0; j < kTokenTiles; ++j) {
    xrow[j] = g + 8 * j < p.M ? g + 8 * j : p.M - 1;
    inv[j] = 0.f;
    if (kNorm) {
      const float* slots = sums + xrow[j] * p.in.sumsq_slots;
      float sum = 0.f;
      for (int i = 0; i < p.in.sumsq_slots; ++i) sum += slots[i];
      inv[j] = 1.f / sqrtf(sum / static_cast<float>(p.K) + p.in.eps);
    }
  }

  float acc[kTokenTiles][4] = {};
  const int steps = kChunk / 16, step0 = part * steps / parts, step1 = multiplies ? (part + 1) * steps / parts : step0;
  for (int i = 0; i < n_chunks; ++i) {
    if (!resident) {
      if (p.stages == 4) cp_async_wait<2>();
      else cp_async_wait<1>();
      block_sync();
    }
    const int slot = i % p.stages;
    const bf16* ws = reinterpret_cast<const bf16*>(smem + slot * lay.w_stage());
    const X* xs = reinterpret_cast<const X*>(smem + lay.x_at() + slot * lay.x_stage());
    const float* ns = reinterpret_cast<const float*>(smem + lay.nw_at() + slot * lay.nw_stage());
    for (int st = step0; st < step1; ++st) {
      uint32_t a[4];
      ldmatrix_x4(a, ws + (t * 16 + lane % 16) * (kChunk + kPad) + st * 16 + (lane / 16) * 8);
      const int k = st * 16 + 2 * c;
#pragma unroll
      for (int j = 0; j < kTokenTiles; ++j) {
        const X* xr = xs + xrow[j] * (kChunk + kPad);
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
    if (!resident) {
      if (i + p.stages - 1 < n_chunks) {
        issue_w(i + p.stages - 1);
        issue_x(i + p.stages - 1);
      }
      cp_async_commit();
    }
  }
  cp_async_wait<0>();  // the pipeline's trailing (empty) groups
  block_sync();        // every warp is done with the weight slots that red lies over
  {
    float* mine = red + warp * 256;  // [row 16][step row 16]
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
    // The split-0 block of the cluster adds the other splits' results to its own, reading their
    // shared memory, in split order (the same sums whatever the timing), and runs the epilogue;
    // the others wait at a second barrier so that their shared memory outlives those reads.
    cluster_sync();
    if (split == 0)
      for (int i = tid; i < p.R * p.M; i += nthreads) {
        const int at = (i / p.M) * 16 + i % p.M;
        float sum = result[at];
        for (int sp = 1; sp < p.splits; ++sp) sum += cluster_peer(result, sp)[at];
        result[at] = sum;
      }
    cluster_sync();  // released: split 0's remote reads are done before a peer may leave
    if (split != 0) {
      if (p.stamps != nullptr && tid == 0) stamp_max(p.stamps + 2, now_ns());
      return;
    }
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
        const float v = residual[m * p.R + r] + result[r * 16 + m];
        o.residual[m * p.N + row0 + r] = v;
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
        const float2 cs = reinterpret_cast<const float2*>(o.rope)[m * half + i];
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
  if (p.stamps != nullptr && tid == 0) stamp_max(p.stamps + 2, now_ns());
}

}  // namespace gemv
}  // namespace aspd
