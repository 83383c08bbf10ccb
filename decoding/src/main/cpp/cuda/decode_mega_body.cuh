// The phases of the decode megakernel (decode_mega.h), written against a handful of primitives
// that the including file supplies: decode_mega.cu (the GPU) or the CPU emulation test
// (src/test/cpp/decode_mega_emulation_test.cpp), so that one text is what both run.
//
// Primitives, in namespace aspd::mega: ASPD_MEGA_DEV, ASPD_MEGA_PHASE (phase functions),
// ASPD_MEGA_COLD (helpers run once per unit or phase; see below), shfl_xor,
// block_sync, warp_sync, grid_sync, mma_16816<T> (m16n8k16, fp32 accumulate), global_ns (a
// nanosecond clock shared by the SMs), ld_weight_f4 (data that no phase writes),
// ld_cg_u4 / ld_cg_f4 / ld_cg (L2-coherent loads of data this launch writes: an SM's L1 is not
// coherent with other SMs' stores), cp_async_16 / cp_async_commit / cp_async_wait<N>, atomic_add,
// fence. The GPU takes the mma, cp.async, shuffle and barrier ones from prefill_mma_parts.cuh.
// ASPD_MEGA_COLD marks helpers that run once per unit or phase (index arithmetic with divisions):
// calls on the GPU, so that their code is in the kernel once, not inlined at every use. The whole
// inlined kernel was 308 KB of machine code, 172 KB of it run each layer, more than an SM's
// instruction cache holds: ncu counted 20 % of all warp stall samples as "no instruction".
//
// The k permutation of the products. mma m16n8k16 takes A (16 rows x 16 k) as four registers,
// (g, 2c..2c+1), (g+8, 2c..), (g, 2c+8..), (g+8, 2c+8..), and B (16 k x 8 columns) as two,
// (2c.., n g), (2c+8.., n g), with g = lane / 4 and c = lane % 4. Any bijection of k applied to A
// and B alike leaves the product unchanged; within a 32-wide k step, lane (g, c) loads the 8
// contiguous values at 8c..8c+7 of its rows (16 bytes: registers r0..r3 hold pairs 0-1, 2-3, 4-5,
// 6-7), and the first mma takes pairs r0, r1 (its k = 2c.. and 2c+8..), the second r2, r3. The
// weight ring stores exactly these pieces: lane l's rows g, g + 8 at bytes 16 l and 512 + 16 l of
// an item, so a lane reads back only what it copied.
#pragma once

#include <cuda_bf16.h>

#include <cmath>
#include <cstdint>
#include <cstring>

#include "../core/visibility.h"
#include "attend_keys.cuh"
#include "decode_mega.h"

// Config's sizes serve the launch (host) and the phases (device).
#if defined(__CUDACC__)
#define ASPD_MEGA_HOST_DEV __host__ __device__
#else
#define ASPD_MEGA_HOST_DEV
#endif

namespace aspd {
namespace mega {


constexpr int kMiscBytes = 512;  // small per-block values at the start of shared memory
constexpr int kChunk = 32;       // cache entries per warp pass in attention
// Weight items (16 rows x 32 k of one tile, 1 KB) each warp keeps in flight. Lane l copies, and
// later reads, only its own two 16-byte pieces of an item, so the ring needs no warp or block
// synchronization: 4 items per warp are 64 KB per block in flight, ~8 TB/s over an H200's SMs at
// ~1 us of latency. (The build may set another depth for experiments: 8 measured slower on an
// H200, 90.6 vs 82.2 us per 0.5B layer.)
#ifndef ASPD_MEGA_RING_SLOTS
#define ASPD_MEGA_RING_SLOTS 4
#endif
constexpr int kRingSlots = ASPD_MEGA_RING_SLOTS;
constexpr size_t kSmemBudget = 227 * 1024;  // opt-in shared memory per block on Hopper
// The cost model that splits a product's K across blocks, in weight items (one is ~30 ns of an
// SM's share of an H200's bandwidth): a unit's fixed cost (block barriers, the reduction over
// warps, the epilogue), the items that load during the barrier before the phase (a block's ring,
// counted at three quarters), and the reduction of a split product across blocks (a partial
// store and fence, an atomic, the last block's loads: ~3 L2 round trips). Estimates; on an H200
// (2026-11-26) its 0.5B choice (down in 2 parts) ran as fast as whole K everywhere, and 2 parts
// everywhere 14 % slower. MegaArgs::product_parts overrides the choice per product.
constexpr int kUnitCost = 8, kSplitCost = 64;
constexpr int kMaxParts = 8;

template <int kWarps, int kDL>
struct Config {
  static constexpr int kThreads = kWarps * 32;
  static constexpr int kD = 32 * kDL;  // head dim: lane d owns dims d * kDL .. + kDL in attention
  static constexpr int kAttnWarps = kWarps < 8 ? kWarps : 8;
  static constexpr size_t kRedBytes = static_cast<size_t>(kWarps) * 2 * 256 * 4;  // [warp][tile][16][16]
  static constexpr size_t kRingBytes = static_cast<size_t>(kWarps) * kRingSlots * 1024;
  static constexpr ASPD_MEGA_HOST_DEV size_t normed_bytes(int E) { return static_cast<size_t>(kMegaMaxRows) * (E + 8) * 2; }
  static constexpr ASPD_MEGA_HOST_DEV size_t residual_bytes(int E) { return static_cast<size_t>(kMegaMaxRows) * E * 4; }
  // Whether the norm stages the fp32 residual rows too (one read of x per norm instead of two):
  // where they fit beside the weight ring.
  static ASPD_MEGA_HOST_DEV bool single_pass_norm(int E) {
    return kMiscBytes + kRedBytes + normed_bytes(E) + residual_bytes(E) + kRingBytes <= kSmemBudget;
  }
  // After the reduction buffer, the staged X rows: the normalized residual [16][E + 8] bf16 and,
  // with single_pass_norm, the fp32 residual rows [16][E]; or a chunk of a plain product's input
  // rows (at least one k step per warp).
  static ASPD_MEGA_HOST_DEV size_t gemm_bytes(int E) {
    const size_t staged = normed_bytes(E) + (single_pass_norm(E) ? residual_bytes(E) : 0);
    const size_t least = static_cast<size_t>(kMegaMaxRows) * (kWarps * 32 + 8) * 2;
    return kRedBytes + (staged > least ? staged : least);
  }
  static constexpr size_t kAttnBytes = static_cast<size_t>(kMegaMaxRows) * (kD + 8) * 2 +        // q rows
                                       static_cast<size_t>(kAttnWarps) * 3 * kChunk * 4 +        // entry tags
                                       static_cast<size_t>(kAttnWarps) * 2 * kChunk * (kD + 8) * 2 +  // K, V
                                       static_cast<size_t>(kAttnWarps) * kMegaMaxRows * (kD + 2) * 4;  // states
  static ASPD_MEGA_HOST_DEV size_t base_bytes(int E) {
    const size_t g = gemm_bytes(E);
    return kMiscBytes + (g > kAttnBytes ? g : kAttnBytes);
  }
  // The weight ring sits after everything when that fits (then the O product's weights load
  // during attention), else after the product buffers, over attention's (D = 128 at 7B). The
  // launch passes the choice in MegaArgs::ring_offset / ring_apart.
  static ASPD_MEGA_HOST_DEV bool ring_apart(int E) { return base_bytes(E) + kRingBytes <= kSmemBudget; }
  static ASPD_MEGA_HOST_DEV size_t ring_offset(int E) { return ring_apart(E) ? base_bytes(E) : kMiscBytes + gemm_bytes(E); }
  static ASPD_MEGA_HOST_DEV size_t smem_bytes(int E) {
    const size_t end = ring_offset(E) + kRingBytes, base = base_bytes(E);
    return end > base ? end : base;
  }
};

enum class Epi { kQkvRope, kResidual, kSiluMul };
// A product's X: the normalized residual, bf16 rows [M, K], or attention's output (merged from
// its split states where a head has several).
enum class Input { kNormed, kRows, kAttention };

ASPD_MEGA_DEV float warp_sum_f(float x) {
  for (int o = 16; o > 0; o >>= 1) x += shfl_xor(x, o);
  return x;
}

ASPD_MEGA_DEV uint32_t pack2(float lo, float hi) { return prefill_mma::pack2<__nv_bfloat16>(lo, hi); }

// The output units of a block: a contiguous range of floor or ceil(units / nblocks), so that every
// SM has work when there are at least as many units as blocks and no block has more than one unit
// above the others.
// 32-bit: units x blocks stays far below 2^31 (a product has at most max(groups,
// kMegaSplitUnits) units: choose_parts).
struct Range {
  int first, count;
};
ASPD_MEGA_COLD Range block_units(int units, int block, int nblocks) {
  const int b0 = block * units / nblocks, b1 = (block + 1) * units / nblocks;
  return Range{b0, b1 - b0};
}

// h [16][K + 8] bf16 in shared memory = RMSNorm of the residual rows (rows >= M zero), with
// rms_norm_kernel's expression. Where the rows fit (Config::single_pass_norm) they are read from L2 once
// into shared memory; else twice (sums of squares, then h).
template <int kWarps>
ASPD_MEGA_DEV void stage_normed(const Ctx& cx, unsigned char* smem, const MegaArgs& a, const float* norm_w, int K,
                                bf16* hs) {
  const int M = a.io.M, warp = cx.tid / 32, lane = cx.tid % 32, rows = M > 8 ? 16 : 8;
  float* s_inv = reinterpret_cast<float*>(smem);
  float* xs = reinterpret_cast<float*>(hs + kMegaMaxRows * (K + 8));  // [M][K] when single pass
  const bool single = Config<kWarps, 1>::single_pass_norm(K);
  if (single) {
    for (int i = cx.tid; i < M * K / 4; i += kWarps * 32)
      reinterpret_cast<float4*>(xs)[i] = ld_cg_f4(a.x + 4 * static_cast<int64_t>(i));
    block_sync();
  }
  for (int m = warp; m < M; m += kWarps) {
    float ss = 0.f;
    for (int k = 4 * lane; k < K; k += 128) {
      const float4 v = single ? *reinterpret_cast<const float4*>(xs + m * K + k) : ld_cg_f4(a.x + static_cast<int64_t>(m) * K + k);
      ss += v.x * v.x + v.y * v.y + v.z * v.z + v.w * v.w;
    }
    ss = warp_sum_f(ss);
    if (lane == 0) s_inv[m] = 1.f / sqrtf(ss / static_cast<float>(K) + a.eps);
  }
  block_sync();
  const int per_row = K / 8;
  for (int i = cx.tid; i < rows * per_row; i += kWarps * 32) {
    const int n = i / per_row, k = (i % per_row) * 8;
    uint4 out = make_uint4(0u, 0u, 0u, 0u);
    if (n < M) {
      const float inv = s_inv[n];
      const float* xr = single ? xs + n * K + k : nullptr;
      const float4 x0 = single ? *reinterpret_cast<const float4*>(xr) : ld_cg_f4(a.x + static_cast<int64_t>(n) * K + k);
      const float4 x1 = single ? *reinterpret_cast<const float4*>(xr + 4) : ld_cg_f4(a.x + static_cast<int64_t>(n) * K + k + 4);
      const float4 w0 = ld_weight_f4(norm_w + k), w1 = ld_weight_f4(norm_w + k + 4);
      out.x = pack2(w0.x * (x0.x * inv), w0.y * (x0.y * inv));
      out.y = pack2(w0.z * (x0.z * inv), w0.w * (x0.w * inv));
      out.z = pack2(w1.x * (x1.x * inv), w1.y * (x1.y * inv));
      out.w = pack2(w1.z * (x1.z * inv), w1.w * (x1.w * inv));
    }
    *reinterpret_cast<uint4*>(hs + n * (K + 8) + k) = out;
  }
  block_sync();
}

// Attention's per-split states in MegaArgs::attn_partial: the weighted sums [16][H][kMegaMaxSplits][D],
// then the (max, sum) pairs [16][H][kMegaMaxSplits][2].
ASPD_MEGA_DEV float* split_sums(const MegaArgs& a, int m, int h, int split) {
  return a.attn_partial + ((static_cast<int64_t>(m) * a.H + h) * kMegaMaxSplits + split) * a.D;
}
ASPD_MEGA_DEV float* split_stats(const MegaArgs& a, int m, int h, int split) {
  return a.attn_partial + static_cast<int64_t>(kMegaMaxRows) * a.H * kMegaMaxSplits * a.D +
         ((static_cast<int64_t>(m) * a.H + h) * kMegaMaxSplits + split) * 2;
}

// Splits of the cache entries per head: a block each, at least ~64 entries each.
// (The kernel computes it once, into Ctx::splits.)
ASPD_MEGA_HOST_DEV int attention_splits(const MegaArgs& a, int nblocks, int length_before) {
  const int64_t n = static_cast<int64_t>(length_before) + a.io.M;
  int splits = nblocks / a.H;
  const int64_t by_length = (n + 63) / 64;
  if (splits > by_length) splits = static_cast<int>(by_length);
  if (splits > kMegaMaxSplits) splits = kMegaMaxSplits;
  return splits < 1 ? 1 : splits;
}

// ---- products ----------------------------------------------------------------------------------
//
// A product y = X W^T is cut into output groups (kTiles tiles of 16 weight rows: the two RoPE
// halves of a head's dims, a gate tile and its up tile, or one tile) and each group's K into
// `parts` k ranges; a unit is one (group, part), and each block takes a contiguous run of units
// (block_units). Inside a unit the block's warps take its k steps in turn (warp w: kb + w, kb + w +
// kWarps, ...). Weights reach a warp through its ring of kRingSlots items in shared memory, filled
// by cp.async kRingSlots items ahead of use; the first kRingSlots items of a phase are issued at the
// end of the phase before (prefetch_product), so they load during that phase's tail, its grid
// barrier and this phase's input staging: weights do not depend on activations.

enum class Rows { kQkv, kGateUp, kPlain };

struct Product {
  const bf16* w = nullptr;  // null: no product
  int K = 0, groups = 0, tiles = 1, parts = 1;
  Rows rows = Rows::kPlain;
  int64_t tile_stride = 0;  // weight elements from tile t of a group to tile t + 1
};

struct Unit {
  int group, kb, ke;  // k steps [kb, ke) of 32
};

ASPD_MEGA_COLD Unit unit_at(int ksteps, int parts, int u) {
  const int part = u % parts;
  return Unit{u / parts, part * ksteps / parts, (part + 1) * ksteps / parts};
}

// First weight row of a group's tile 0 (its other tiles are Product::tile_stride apart: the
// second RoPE half of a head's dims, D / 2 rows on; the up rows, I rows on).
ASPD_MEGA_DEV int64_t product_row(const MegaArgs& a, const Product& p, int group) {
  if (p.rows == Rows::kQkv) {
    const int per_head = a.D / 32;
    return static_cast<int64_t>(group / per_head) * a.D + (group % per_head) * 16;
  }
  return 16 * static_cast<int64_t>(group);
}

// The split of K with the least modelled time of the busiest block, or `forced` parts (> 0). The
// launch resolves MegaArgs::product_parts with it on the host (resolve_parts), so the kernel only
// reads the result.
template <int kWarps>
ASPD_MEGA_HOST_DEV int choose_parts(int K, int groups, int tiles, int nblocks, int forced) {
  const int ksteps = K / 32;
  int most = ksteps < kMaxParts ? ksteps : kMaxParts;
  if (groups * most > kMegaSplitUnits) most = kMegaSplitUnits / groups;
  if (most < 1) most = 1;
  if (forced > 0) return forced < most ? forced : most;
  constexpr int64_t kEarly = 3 * kWarps * kRingSlots / 4;
  int64_t best = -1;
  int chosen = 1;
  for (int parts = 1; parts <= most; ++parts) {
    const int64_t units = (static_cast<int64_t>(groups) * parts + nblocks - 1) / nblocks;
    const int64_t items = units * ((ksteps + parts - 1) / parts) * tiles;
    const int64_t cost = units * kUnitCost + (items > kEarly ? items - kEarly : 0) + (parts > 1 ? kSplitCost : 0);
    if (best < 0 || cost < best) best = cost, chosen = parts;
  }
  return chosen;
}

enum class Phase { kQkv, kO, kGateUp, kDown };

// A phase's product shape: K, output groups, tiles per group, which weight rows.
struct PhaseShape {
  int K, groups, tiles;
  Rows rows;
};

ASPD_MEGA_HOST_DEV PhaseShape phase_shape(Phase phase, int E, int I, int H, int Hkv, int D) {
  switch (phase) {
    case Phase::kQkv: return PhaseShape{E, (H + 2 * Hkv) * (D / 32), 2, Rows::kQkv};
    case Phase::kO: return PhaseShape{H * D, E / 16, 1, Rows::kPlain};
    case Phase::kGateUp: return PhaseShape{E, I / 16, 2, Rows::kGateUp};
    default: return PhaseShape{I, E / 16, 1, Rows::kPlain};
  }
}

// The K split of each phase for a model's shape: `forced` > 0 as given (capped), 0 = chosen.
template <int kWarps>
ASPD_MEGA_HOST_DEV int phase_parts(Phase phase, int E, int I, int H, int Hkv, int D, int nblocks, int forced) {
  const PhaseShape sh = phase_shape(phase, E, I, H, Hkv, D);
  return choose_parts<kWarps>(sh.K, sh.groups, sh.tiles, nblocks, forced);
}

// MegaArgs::product_parts as the kernel reads them: every entry the resolved count (>= 1).
template <int kWarps>
void resolve_parts(MegaArgs& a, int nblocks) {
  for (int i = 0; i < 4; ++i)
    a.product_parts[i] = phase_parts<kWarps>(static_cast<Phase>(i), a.E, a.I, a.H, a.Hkv, a.D, nblocks, a.product_parts[i]);
}

// The product of a phase of layer l, with the resolved K split.
ASPD_MEGA_COLD Product layer_product(const MegaArgs& a, int l, Phase phase) {
  const MegaLayer& ly = a.layers[l];
  const PhaseShape sh = phase_shape(phase, a.E, a.I, a.H, a.Hkv, a.D);
  Product p;
  p.w = phase == Phase::kQkv ? ly.wqkv : phase == Phase::kO ? ly.wo : phase == Phase::kGateUp ? ly.wgu : ly.wd;
  p.K = sh.K, p.groups = sh.groups, p.tiles = sh.tiles, p.rows = sh.rows;
  p.parts = a.product_parts[static_cast<int>(phase)];
  const int64_t tile_rows = sh.rows == Rows::kQkv ? a.D / 2 : sh.rows == Rows::kGateUp ? a.I : 0;
  p.tile_stride = tile_rows * sh.K;
  return p;
}

// A warp's walk over its weight items: units r of the block's run, k steps ks, tiles t. Held in
// registers in the loops; the helpers that move it to the next unit take and return values (a
// reference would put it in local memory, and every item would load it from there).
struct Items {
  int first, count;  // the block's units
  int r, ks, ke, t;  // unit r of the run (r = count: none left), its k steps ks < ke, tile t
  const bf16* src;   // the lane's first weight (row g of tile 0, k 8c) of unit r's group
};

struct ItemsAt {
  int r, ks, ke;
  const bf16* src;
};

// From unit r on, the first with a k step for this warp (r = count: none left).
ASPD_MEGA_COLD ItemsAt items_from(const MegaArgs& a, Product p, int first, int count, int r, int warp, int lane) {
  for (; r < count; ++r) {
    const Unit u = unit_at(p.K / 32, p.parts, first + r);
    if (u.kb + warp < u.ke)
      return ItemsAt{r, u.kb + warp, u.ke, p.w + (product_row(a, p, u.group) + lane / 4) * p.K + 8 * (lane % 4)};
  }
  return ItemsAt{count, 0, 0, nullptr};
}

ASPD_MEGA_DEV void items_at(Items& it, const ItemsAt& at) { it.r = at.r, it.ks = at.ks, it.ke = at.ke, it.src = at.src; }

ASPD_MEGA_DEV Items items_begin(const Ctx& cx, const MegaArgs& a, const Product& p) {
  const Range run = block_units(p.groups * p.parts, cx.block, cx.nblocks);
  Items it;
  it.first = run.first, it.count = run.count, it.t = 0;
  items_at(it, items_from(a, p, run.first, run.count, 0, cx.tid / 32, cx.tid % 32));
  return it;
}

template <int kWarps>
ASPD_MEGA_DEV void items_next(const MegaArgs& a, const Product& p, int warp, int lane, Items& it) {
  if (it.r >= it.count) return;
  if (++it.t < p.tiles) return;
  it.t = 0;
  it.ks += kWarps;
  if (it.ks < it.ke) return;
  items_at(it, items_from(a, p, it.first, it.count, it.r + 1, warp, lane));
}

// Lane's part of item `it` (rows g and g + 8 of the tile, k 8c .. 8c + 7 of the step) into the
// slot, as one commit group (an empty one past the last item, so the waits count uniformly).
ASPD_MEGA_DEV void issue_item(const Product& p, const Items& it, unsigned char* slot, int lane) {
  if (it.r < it.count) {
    const bf16* src = it.src + it.t * p.tile_stride + 32 * it.ks;
    cp_async_16(slot + 16 * lane, src, true);
    cp_async_16(slot + 512 + 16 * lane, src + 8 * static_cast<int64_t>(p.K), true);
  }
  cp_async_commit();
}

// The first kRingSlots items of this warp in product p, issued now (gemm_phase assumes they were).
template <int kWarps>
ASPD_MEGA_COLD void prefetch_product(const Ctx& cx, const MegaArgs& a, const Product& p, unsigned char* ring) {
  if (p.w == nullptr) return;
  const int warp = cx.tid / 32, lane = cx.tid % 32;
  Items it = items_begin(cx, a, p);
  for (int s = 0; s < kRingSlots; ++s) {
    issue_item(p, it, ring + (warp * kRingSlots + s) * 1024, lane);
    items_next<kWarps>(a, p, warp, lane, it);
  }
}

// One output (feature f of group `group`, tile results res, row n) of a product.
template <Epi kEpi, int kTiles>
ASPD_MEGA_DEV void product_epilogue(const Ctx& cx, const MegaArgs& a, const MegaLayer& ly, int group, int feat, int n,
                                    const float (&res)[kTiles], float x_old) {
  if (kEpi == Epi::kResidual) {
    a.x[static_cast<int64_t>(n) * a.E + 16 * group + feat] = x_old + res[0];
  } else if (kEpi == Epi::kSiluMul) {
    const float gate = res[0], up = res[kTiles - 1];
    a.act[static_cast<int64_t>(n) * a.I + 16 * group + feat] = __float2bfloat16_rn(gate / (1.f + expf(-gate)) * up);
  } else {
    // qkv_rope_append_kernel's arithmetic: bias, then RoPE with the angle in double.
    const int per_head = a.D / 32, head = group / per_head, i_dim = (group % per_head) * 16 + feat, half = a.D / 2;
    const int64_t col = static_cast<int64_t>(head) * a.D;
    float va = res[0], vb = res[kTiles - 1];
    if (ly.bqkv != nullptr) {
      va += ly.bqkv[col + i_dim];
      vb += ly.bqkv[col + i_dim + half];
    }
    const int64_t entry = static_cast<int64_t>(cx.length_before) + n;
    if (head < a.H + a.Hkv) {
      // rope_cos_sin of the row's position and this dim pair (launch_decode_prologue's table).
      const float2 cs = *reinterpret_cast<const float2*>(a.rope + (static_cast<int64_t>(n) * half + i_dim) * 2);
      const float cf = cs.x, sf = cs.y;
      const float ra = va * cf - vb * sf, rb = vb * cf + va * sf;
      bf16* dst = head < a.H ? a.q + (static_cast<int64_t>(n) * a.H + head) * a.D
                             : ly.k_cache + (entry * a.Hkv + (head - a.H)) * a.D;
      dst[i_dim] = __float2bfloat16_rn(ra);
      dst[i_dim + half] = __float2bfloat16_rn(rb);
    } else {
      bf16* dst = ly.v_cache + (entry * a.Hkv + (head - a.H - a.Hkv)) * a.D;
      dst[i_dim] = __float2bfloat16_rn(va);
      dst[i_dim + half] = __float2bfloat16_rn(vb);
    }
  }
}

// bf16 rows [rows][32 (c1 - c0)] of attention's output, k steps [c0, c1) of H D, into hs (row
// stride `stride`) from the split states (several splits per head): each output is the splits'
// sums weighted by 2^(max_s - max) over their weighted counts, added in split order. Rows >= M and
// rows that saw nothing are zeros.
template <int kWarps>
ASPD_MEGA_DEV void stage_attention(const Ctx& cx, const MegaArgs& a, int splits, int c0, int c1, int rows, bf16* hs,
                                   int stride) {
  const int M = a.io.M, per_row = 4 * (c1 - c0);
  for (int i = cx.tid; i < rows * per_row; i += kWarps * 32) {
    const int n = i / per_row, k = 32 * c0 + (i % per_row) * 8, h = k / a.D, d = k % a.D;
    float out[8] = {0.f, 0.f, 0.f, 0.f, 0.f, 0.f, 0.f, 0.f};
    if (n < M) {
      float mx = -INFINITY;
      {
        float mx_s[kMegaMaxSplits];  // one batch of loads
#pragma unroll
        for (int sp = 0; sp < kMegaMaxSplits; ++sp) mx_s[sp] = sp < splits ? ld_cg(split_stats(a, n, h, sp)) : -INFINITY;
#pragma unroll
        for (int sp = 0; sp < kMegaMaxSplits; ++sp) mx = fmaxf(mx, mx_s[sp]);
      }
      float den = 0.f;
      for (int sp0 = 0; sp0 < splits && mx != -INFINITY; sp0 += 4) {
        float2 st[4];
        float4 v[4][2];
#pragma unroll
        for (int j = 0; j < 4; ++j) {
          const int sp = sp0 + j < splits ? sp0 + j : 0;
          const float* stats = split_stats(a, n, h, sp);
          const float* sums = split_sums(a, n, h, sp) + d;
          st[j] = sp0 + j < splits ? make_float2(ld_cg(stats), ld_cg(stats + 1)) : make_float2(-INFINITY, 0.f);
          v[j][0] = sp0 + j < splits ? ld_cg_f4(sums) : make_float4(0.f, 0.f, 0.f, 0.f);
          v[j][1] = sp0 + j < splits ? ld_cg_f4(sums + 4) : make_float4(0.f, 0.f, 0.f, 0.f);
        }
#pragma unroll
        for (int j = 0; j < 4; ++j) {
          if (sp0 + j >= splits) break;
          const float f = exp2f(st[j].x - mx);  // 0 for a split that saw nothing
          den += st[j].y * f;
          out[0] += v[j][0].x * f, out[1] += v[j][0].y * f, out[2] += v[j][0].z * f, out[3] += v[j][0].w * f;
          out[4] += v[j][1].x * f, out[5] += v[j][1].y * f, out[6] += v[j][1].z * f, out[7] += v[j][1].w * f;
        }
      }
      const float inv = den > 0.f ? 1.f / den : 0.f;
#pragma unroll
      for (int e = 0; e < 8; ++e) out[e] *= inv;
    }
    uint4 packed;
    packed.x = pack2(out[0], out[1]);
    packed.y = pack2(out[2], out[3]);
    packed.z = pack2(out[4], out[5]);
    packed.w = pack2(out[6], out[7]);
    *reinterpret_cast<uint4*>(hs + n * stride + (k - 32 * c0)) = packed;
  }
}

// Product p and its epilogue. X: the normalized residual (staged once), or bf16 rows xin [M, K]
// or attention's output (merged from the split states) staged per unit in chunks. `next` is the product of the next phase that uses the ring:
// each warp issues its first items once its own items here are done.
template <int kWarps, Epi kEpi, Input kIn, int kTiles>
ASPD_MEGA_PHASE void gemm_phase(const Ctx& cx, unsigned char* smem, unsigned char* ring, const MegaArgs& a,
                                const MegaLayer& ly, const Product& product, const float* norm_w, const bf16* xin,
                                const Product& next) {
  using C = Config<kWarps, 1>;
  constexpr bool kNorm = kIn == Input::kNormed;
  const Product p = product;  // in registers: the caller's copy is in local memory
  const int M = a.io.M, NT = M > 8 ? 2 : 1, rows = 8 * NT;
  const int warp = cx.tid / 32, lane = cx.tid % 32, g = lane / 4, c = lane % 4;
  Items ahead = items_begin(cx, a, p);  // the producer: kRingSlots items ahead of use
  const int first = ahead.first, count = ahead.count;
  if (count == 0) {  // block-uniform
    prefetch_product<kWarps>(cx, a, next, ring);
    return;
  }
  for (int s = 0; s < kRingSlots; ++s) items_next<kWarps>(a, p, warp, lane, ahead);  // issued by prefetch_product
  unsigned char* my_ring = ring + warp * kRingSlots * 1024;
  float* red = reinterpret_cast<float*>(smem + kMiscBytes);
  bf16* hs = reinterpret_cast<bf16*>(smem + kMiscBytes + C::kRedBytes);
  int32_t* s_last = reinterpret_cast<int32_t*>(smem + 384);
  if (kNorm) stage_normed<kWarps>(cx, smem, a, norm_w, p.K, hs);
  // k steps of xin per staged chunk ([rows][32 chunk + 8] bf16 in hs), a multiple of kWarps so
  // that each chunk gives every warp its share.
  const int hs_elems = static_cast<int>((C::gemm_bytes(a.E) - C::kRedBytes) / (2 * rows));
  const int chunk = kNorm ? p.K / 32 : (hs_elems - 8) / 32 / kWarps * kWarps;
  const int splits = kIn == Input::kAttention ? cx.splits : 1;
  int slot = 0;
  for (int r = 0; r < count; ++r) {
    const Unit u = unit_at(p.K / 32, p.parts, first + r);
    // The residual values this thread adds to first, read before the products so that the
    // epilogue does not wait for them.
    float x_early = 0.f;
    if (kEpi == Epi::kResidual && p.parts == 1 && cx.tid < 16 * M)
      x_early = ld_cg(a.x + static_cast<int64_t>(cx.tid % M) * a.E + 16 * u.group + cx.tid / M);
    float acc[kTiles][2][4];
#pragma unroll
    for (int t = 0; t < kTiles; ++t)
#pragma unroll
      for (int nt = 0; nt < 2; ++nt) acc[t][nt][0] = acc[t][nt][1] = acc[t][nt][2] = acc[t][nt][3] = 0.f;
    for (int c0 = u.kb; c0 < u.ke; c0 += chunk) {
      const int c1 = u.ke - c0 < chunk ? u.ke : c0 + chunk;
      int stride = p.K + 8, base = 0;  // element (n, k) of X at hs[n * stride + k - base]
      if (!kNorm) {
        stride = 32 * (c1 - c0) + 8, base = 32 * c0;
        const int per_row = 4 * (c1 - c0);  // 16-byte pieces
        block_sync();  // the previous chunk's readers are done
        if (kIn == Input::kAttention && splits > 1) {
          stage_attention<kWarps>(cx, a, splits, c0, c1, rows, hs, stride);
        } else {
          for (int i = cx.tid; i < rows * per_row; i += kWarps * 32) {
            const int n = i / per_row, k = (i % per_row) * 8;
            *reinterpret_cast<uint4*>(hs + n * stride + k) =
                n < M ? ld_cg_u4(xin + static_cast<int64_t>(n) * p.K + base + k) : make_uint4(0u, 0u, 0u, 0u);
          }
        }
        block_sync();
      }
      for (int ks = c0 + warp; ks < c1; ks += kWarps) {
        uint4 xb[2];
#pragma unroll
        for (int nt = 0; nt < 2; ++nt)
          xb[nt] = nt < NT ? *reinterpret_cast<const uint4*>(hs + (8 * nt + g) * stride + 32 * ks - base + 8 * c)
                           : make_uint4(0u, 0u, 0u, 0u);
#pragma unroll
        for (int t = 0; t < kTiles; ++t) {
          cp_async_wait<kRingSlots - 1>();
          unsigned char* sl = my_ring + slot * 1024;
          const uint4 wa = *reinterpret_cast<const uint4*>(sl + 16 * lane);
          const uint4 wb = *reinterpret_cast<const uint4*>(sl + 512 + 16 * lane);
          const uint32_t a0[4] = {wa.x, wb.x, wa.y, wb.y};
          const uint32_t a1[4] = {wa.z, wb.z, wa.w, wb.w};
#pragma unroll
          for (int nt = 0; nt < 2; ++nt) {
            if (nt >= NT) break;  // warp-uniform
            mma_16816<__nv_bfloat16>(acc[t][nt], a0, xb[nt].x, xb[nt].y);
            mma_16816<__nv_bfloat16>(acc[t][nt], a1, xb[nt].z, xb[nt].w);
          }
          // The slot's registers are consumed (by the mma above); refill it with the item
          // kRingSlots ahead.
          issue_item(p, ahead, sl, lane);
          items_next<kWarps>(a, p, warp, lane, ahead);
          slot = slot + 1 == kRingSlots ? 0 : slot + 1;
        }
      }
    }
    if (r == count - 1) prefetch_product<kWarps>(cx, a, next, ring);  // this warp's items are done
    // Partials [warp][tile][feature 16][row 16]; C fragment: (feature g, rows 2c, 2c+1), (g + 8, ...).
#pragma unroll
    for (int t = 0; t < kTiles; ++t)
#pragma unroll
      for (int nt = 0; nt < 2; ++nt) {
        if (nt >= NT) break;
        float* mine = red + (warp * kTiles + t) * 256;
        const int n = 8 * nt + 2 * c;
        mine[g * 16 + n] = acc[t][nt][0];
        mine[g * 16 + n + 1] = acc[t][nt][1];
        mine[(g + 8) * 16 + n] = acc[t][nt][2];
        mine[(g + 8) * 16 + n + 1] = acc[t][nt][3];
      }
    block_sync();
    // The warps' sums in warp order; whole k: the epilogue, a part of k: this unit's partial.
    float* ws = a.product_partial + static_cast<int64_t>(first + r) * kTiles * 256;
    for (int i = cx.tid; i < 16 * M; i += kWarps * 32) {
      const int feat = i / M, n = i % M;
      float res[kTiles];
#pragma unroll
      for (int t = 0; t < kTiles; ++t) {
        res[t] = 0.f;
        for (int w = 0; w < kWarps; ++w) res[t] += red[(w * kTiles + t) * 256 + feat * 16 + n];
      }
      if (p.parts == 1) {
        const float x_old = kEpi != Epi::kResidual ? 0.f
                            : i == cx.tid        ? x_early
                                                 : ld_cg(a.x + static_cast<int64_t>(n) * a.E + 16 * u.group + feat);
        product_epilogue<kEpi, kTiles>(cx, a, ly, u.group, feat, n, res, x_old);
      } else {
#pragma unroll
        for (int t = 0; t < kTiles; ++t) ws[t * 256 + feat * 16 + n] = res[t];
      }
    }
    if (p.parts > 1) {
      // The last block of the group to finish adds the parts, in part order, and runs the epilogue.
      fence();
      block_sync();
      if (cx.tid == 0) *s_last = atomic_add(a.product_counters + u.group, 1) == p.parts - 1 ? 1 : 0;
      block_sync();
      if (*s_last) {
        fence();
        const float* parts0 = a.product_partial + static_cast<int64_t>(u.group) * p.parts * kTiles * 256;
        for (int i = cx.tid; i < 16 * M; i += kWarps * 32) {
          const int feat = i / M, n = i % M;
          const float x_old = kEpi == Epi::kResidual ? ld_cg(a.x + static_cast<int64_t>(n) * a.E + 16 * u.group + feat) : 0.f;
          float vals[kTiles][kMaxParts];
#pragma unroll
          for (int t = 0; t < kTiles; ++t)
#pragma unroll
            for (int q = 0; q < kMaxParts; ++q)
              vals[t][q] = q < p.parts ? ld_cg(parts0 + (q * kTiles + t) * 256 + feat * 16 + n) : 0.f;
          float res[kTiles];
#pragma unroll
          for (int t = 0; t < kTiles; ++t) {
            res[t] = 0.f;
#pragma unroll
            for (int q = 0; q < kMaxParts; ++q)
              if (q < p.parts) res[t] += vals[t][q];
          }
          product_epilogue<kEpi, kTiles>(cx, a, ly, u.group, feat, n, res, x_old);
        }
        if (cx.tid == 0) a.product_counters[u.group] = 0;  // ready for the next product
      }
    }
    block_sync();  // red and hs are rewritten by the next unit
  }
}

// Which entries of a chunk issue_chunk copies: those cached before this step (they can load
// before the grid barrier that ends the QKV phase), the rest (this step's entries, written by
// the QKV phase, and zeros past the chunk's end), or all.
enum class ChunkPart { kCached, kRest, kAll };

// K and V rows of cache entries c0 .. c0 + cn - 1 of KV head kvh into a warp's chunk buffers
// ([32][D + 8] each), by cp.async; rows past cn are zeros (finite, for the products). No commit.
template <int D>
ASPD_MEGA_DEV void issue_chunk(const Ctx& cx, const MegaArgs& a, const MegaLayer& ly, int kvh, int64_t c0, int cn,
                               bf16* myK, bf16* myV, int lane, ChunkPart part) {
  const int64_t cached = cx.length_before;
  for (int pc = lane; pc < kChunk * (D / 8); pc += 32) {
    const int ent = pc / (D / 8), d = (pc % (D / 8)) * 8;
    const bool valid = ent < cn, is_cached = valid && c0 + ent < cached;
    if (part == ChunkPart::kCached ? !is_cached : part == ChunkPart::kRest && is_cached) continue;
    const int64_t src = ((c0 + ent) * a.Hkv + kvh) * D + d;
    cp_async_16(myK + ent * (D + 8) + d, valid ? ly.k_cache + src : ly.k_cache, valid);
    cp_async_16(myV + ent * (D + 8) + d, valid ? ly.v_cache + src : ly.v_cache, valid);
  }
}

// Attention's shared memory: q rows [16][D + 8], then per attention warp the chunk's entry tags
// [AW][3][32] (position, group, branch), K and V chunks [AW][32][D + 8] each (rows 16 bytes apart
// modulo 128, so ldmatrix phases do not collide) and the warp's final softmax state [AW][16][D + 2]
// (fp32 max, sum, weighted sums) for the block merge.
template <int kWarps, int kDL>
struct AttnSmem {
  static constexpr int D = Config<kWarps, kDL>::kD, AW = Config<kWarps, kDL>::kAttnWarps, kLd = D + 8;
  bf16* q;
  int32_t* tags;
  bf16 *k, *v;
  float* state;
  ASPD_MEGA_DEV explicit AttnSmem(unsigned char* smem) {
    q = reinterpret_cast<bf16*>(smem + kMiscBytes);
    tags = reinterpret_cast<int32_t*>(q + kMegaMaxRows * kLd);
    k = reinterpret_cast<bf16*>(tags + AW * 3 * kChunk);
    v = k + AW * kChunk * kLd;
    state = reinterpret_cast<float*>(v + AW * kChunk * kLd);
  }
};

// The tag rule for attend_keys: step row rr (of `rows`) sees entry c (of `keys` in the chunk).
struct TagMask {
  const int32_t* row_tags;    // [3][16]: position, group, branch of the step rows
  const int32_t* entry_tags;  // [3][32]: the same of the chunk's entries
  int rows, keys;
  ASPD_MEGA_DEV bool operator()(int rr, int c) const {
    return rr < rows && c < keys &&
           tagged_visible(row_tags[rr], row_tags[16 + rr], row_tags[32 + rr], entry_tags[c], entry_tags[kChunk + c],
                          entry_tags[2 * kChunk + c]);
  }
};

// Cache entries [b, e) of split `split` of head h for attention unit `unit` (entries < 2^31: the
// cache capacity is int32).
struct AttnUnit {
  int h, split, b, e;
};
ASPD_MEGA_COLD AttnUnit attention_unit(const Ctx& cx, const MegaArgs& a, int unit) {
  const int n = cx.length_before + a.io.M, splits = cx.splits;
  AttnUnit u;
  u.h = unit / splits;
  u.split = unit % splits;
  const int per = (n + splits - 1) / splits;
  u.b = u.split * per;
  u.e = u.b + per < n ? u.b + per : n;
  return u;
}

// The cached entries of each attention warp's first chunk of this block's first unit, issued at
// the end of the QKV phase (its buffers free), so they load during its grid barrier.
template <int kWarps, int kDL>
ASPD_MEGA_DEV void attention_prefetch(const Ctx& cx, unsigned char* smem, const MegaArgs& a, const MegaLayer& ly) {
  using S = AttnSmem<kWarps, kDL>;
  const int warp = cx.tid / 32, lane = cx.tid % 32;
  if (cx.block >= a.H * cx.splits || warp >= S::AW) return;
  const AttnUnit u = attention_unit(cx, a, cx.block);
  const int c0 = u.b + kChunk * warp;
  if (c0 >= u.e) return;
  const S sm(smem);
  issue_chunk<S::D>(cx, a, ly, u.h / (a.H / a.Hkv), c0, u.e - c0 < kChunk ? u.e - c0 : kChunk,
                    sm.k + warp * kChunk * S::kLd, sm.v + warp * kChunk * S::kLd, lane, ChunkPart::kCached);
  cp_async_commit();
}

// The step rows against entries [0, length_before + M) of the cache under the tag rule.
template <int kWarps, int kDL>
ASPD_MEGA_PHASE void attention_phase(const Ctx& cx, unsigned char* smem, const MegaArgs& a, const MegaLayer& ly) {
  using C = Config<kWarps, kDL>;
  constexpr int D = C::kD, AW = C::kAttnWarps;
  const int M = a.io.M, H = a.H, warp = cx.tid / 32, lane = cx.tid % 32;
  const int units = H * cx.splits;
  int32_t* s_qtag = reinterpret_cast<int32_t*>(smem);  // [3][16]
  using S = AttnSmem<kWarps, kDL>;
  const S sm(smem);
  constexpr int kLd = S::kLd;
  float* sState = sm.state;
  for (int unit = cx.block; unit < units; unit += cx.nblocks) {
    const AttnUnit au = attention_unit(cx, a, unit);
    const int h = au.h, split = au.split, b = au.b, e = au.e;
    const int kvh = h / (H / a.Hkv);
    bf16* myK = sm.k + warp * kChunk * kLd;
    bf16* myV = sm.v + warp * kChunk * kLd;
    int32_t* myTags = sm.tags + warp * 3 * kChunk;
    // The warp's first chunk goes first, before the q rows: the two loads overlap. In the first
    // unit its cached entries were issued before the grid barrier (attention_prefetch).
    const int c_first = b + kChunk * warp;
    if (warp < AW && c_first < e) {
      issue_chunk<D>(cx, a, ly, kvh, c_first, e - c_first < kChunk ? static_cast<int>(e - c_first) : kChunk, myK, myV,
                     lane, unit == cx.block ? ChunkPart::kRest : ChunkPart::kAll);
      cp_async_commit();
    }
    for (int i = cx.tid; i < M * (D / 8); i += kWarps * 32) {
      const int m = i / (D / 8), d = (i % (D / 8)) * 8;
      *reinterpret_cast<uint4*>(sm.q + m * kLd + d) = ld_cg_u4(a.q + (static_cast<int64_t>(m) * H + h) * D + d);
    }
    if (cx.tid < M) {
      s_qtag[cx.tid] = a.io.position()[cx.tid];
      s_qtag[16 + cx.tid] = a.io.group()[cx.tid];
      s_qtag[32 + cx.tid] = a.io.branch()[cx.tid];
    }
    block_sync();
    if (warp < AW) {
      // The step rows are one m16 tile (rows >= M masked): S = Q K^T, online softmax and O += P V
      // on tensor cores, the state in registers across the warp's chunks (prefill_mma::attend_keys).
      prefill_mma::WarpState<D, 1> st;
#pragma unroll
      for (int r = 0; r < 2; ++r) {
        st.m[0][r] = -INFINITY;
        st.l[0][r] = 0.f;
#pragma unroll
        for (int dn = 0; dn < D / 8; ++dn) st.o[0][dn][2 * r] = st.o[0][dn][2 * r + 1] = 0.f;
      }
#pragma unroll 1
      for (int c0 = c_first; c0 < e; c0 += kChunk * AW) {
        const int cn = e - c0 < kChunk ? e - c0 : kChunk;
        // K and V rows of the chunk (the first was issued above), the entries' tags: one round
        // trip for all of them.
        if (c0 != c_first) {
          warp_sync();  // every lane is done with the previous chunk's rows
          issue_chunk<D>(cx, a, ly, kvh, c0, cn, myK, myV, lane, ChunkPart::kAll);
          cp_async_commit();
        }
        if (lane < cn) {
          myTags[lane] = ld_cg(a.tags.position + c0 + lane);
          myTags[kChunk + lane] = ld_cg(a.tags.group + c0 + lane);
          myTags[2 * kChunk + lane] = ld_cg(a.tags.branch + c0 + lane);
        }
        cp_async_wait<0>();
        warp_sync();
        // Q fragments per chunk: live only through S, which keeps registers for O at D = 128.
        uint32_t qf[D / 16][4];
#pragma unroll
        for (int kk = 0; kk < D / 16; ++kk) prefill_mma::load_a_fragment<bf16, kLd>(qf[kk], sm.q, kk * 16, lane);
        prefill_mma::attend_keys<bf16, D, 1, kChunk, true>(qf, nullptr, myK, myV, TagMask{s_qtag, myTags, M, cn},
                                                           a.scale_log2, lane, st);
      }
      // The warp's state per row for the block merge: rows g and g + 8, dims 8 dn + 2 t, + 1.
      float* myState = sm.state + warp * kMegaMaxRows * (D + 2);
      const int g = lane / 4, t = lane % 4;
#pragma unroll
      for (int r = 0; r < 2; ++r) {
        float l = st.l[0][r];
        l += shfl_xor(l, 1);
        l += shfl_xor(l, 2);
        const int row = 8 * r + g;
        if (row >= M) continue;
        float* out = myState + row * (D + 2);
        if (t == 0) {
          out[0] = st.m[0][r];
          out[1] = l;
        }
#pragma unroll
        for (int dn = 0; dn < D / 8; ++dn) {
          out[2 + 8 * dn + 2 * t] = st.o[0][dn][2 * r];
          out[2 + 8 * dn + 2 * t + 1] = st.o[0][dn][2 * r + 1];
        }
      }
    }
    block_sync();
    // Merge the warps (in warp order); one split: the output, else this split's state.
    for (int i = cx.tid; i < M * D; i += kWarps * 32) {
      const int m = i / D, d = i % D;
      float mx = -INFINITY;
      for (int w = 0; w < AW; ++w) mx = fmaxf(mx, sState[(w * kMegaMaxRows + m) * (D + 2)]);
      float num = 0.f, den = 0.f;
      if (mx != -INFINITY)
        for (int w = 0; w < AW; ++w) {
          const float* st = sState + (w * kMegaMaxRows + m) * (D + 2);
          const float f = exp2f(st[0] - mx);  // 0 for a warp that saw nothing
          num += st[2 + d] * f;
          den += st[1] * f;
        }
      if (cx.splits == 1) {
        a.attn[(static_cast<int64_t>(m) * H + h) * D + d] = __float2bfloat16_rn(den > 0.f ? num / den : 0.f);
      } else {  // merged by the O product as it stages its input (stage_attention)
        if (d == 0) {
          float* st = split_stats(a, m, h, split);
          st[0] = mx;
          st[1] = den;
        }
        split_sums(a, m, h, split)[d] = num;
      }
    }
    block_sync();  // shared memory is reused by the next unit
  }
}

// h_out = RMSNorm(x, final_norm), one block per row.
template <int kWarps>
ASPD_MEGA_DEV void final_norm_phase(const Ctx& cx, unsigned char* smem, const MegaArgs& a) {
  float* partial = reinterpret_cast<float*>(smem);  // [kWarps], then the inverse at [32]
  const int warp = cx.tid / 32, lane = cx.tid % 32;
  for (int m = cx.block; m < a.io.M; m += cx.nblocks) {
    const float* xr = a.x + static_cast<int64_t>(m) * a.E;
    float ss = 0.f;
    for (int k = cx.tid; k < a.E; k += kWarps * 32) {
      const float v = ld_cg(xr + k);
      ss += v * v;
    }
    ss = warp_sum_f(ss);
    if (lane == 0) partial[warp] = ss;
    block_sync();
    if (cx.tid == 0) {
      float sum = 0.f;
      for (int w = 0; w < kWarps; ++w) sum += partial[w];
      partial[32] = 1.f / sqrtf(sum / static_cast<float>(a.E) + a.eps);
    }
    block_sync();
    const float inv = partial[32];
    for (int k = cx.tid; k < a.E; k += kWarps * 32)
      a.h_out[static_cast<int64_t>(m) * a.E + k] = __float2bfloat16_rn(a.final_norm[k] * (ld_cg(xr + k) * inv));
    block_sync();
  }
}

// Phase boundaries for the bench (a.timings [5 L + 1]): block 0 stamps the time after each grid
// barrier, when every block has finished the phase before it.
ASPD_MEGA_DEV void stamp(const Ctx& cx, const MegaArgs& a, int index) {
  if (a.timings != nullptr && cx.block == 0 && cx.tid == 0) a.timings[index] = global_ns();
}

// The whole step: every layer, then the final norm.
template <int kWarps, int kDL>
ASPD_MEGA_DEV void run_step(const Ctx& cx, unsigned char* smem, const MegaArgs& a) {
  stamp(cx, a, 0);
  uint32_t barrier = cx.barrier_base;
  if (a.only_barriers) {  // a bench's measure of the grid barrier alone
    for (int i = 1; i <= 5 * a.L; ++i) {
      grid_sync(cx, a, ++barrier);
      stamp(cx, a, i);
    }
    if (cx.block == 0 && cx.tid == 0) a.barrier[0] = barrier;
    return;
  }
  unsigned char* ring = smem + a.ring_offset;
  const bool ring_apart = a.ring_apart != 0;
  const Product none;
  // Each product is made just before the phase before it (which issues its first weights), so
  // that few live across the phase calls.
  Product qkv = layer_product(a, 0, Phase::kQkv);
  prefetch_product<kWarps>(cx, a, qkv, ring);
  for (int l = 0; l < a.L; ++l) {
    // A reference into global memory, not a copy: the nine pointers are loaded where a phase
    // uses them instead of holding 18 registers through every phase.
    const MegaLayer& ly = a.layers[l];
    const Product o = layer_product(a, l, Phase::kO);
    gemm_phase<kWarps, Epi::kQkvRope, Input::kNormed, 2>(cx, smem, ring, a, ly, qkv, ly.in_norm, nullptr,
                                                         ring_apart ? o : none);
    attention_prefetch<kWarps, kDL>(cx, smem, a, ly);  // after the QKV phase's last block barrier
    grid_sync(cx, a, ++barrier);
    stamp(cx, a, 5 * l + 1);
    attention_phase<kWarps, kDL>(cx, smem, a, ly);
    if (!ring_apart) prefetch_product<kWarps>(cx, a, o, ring);  // attention's buffers are free now
    grid_sync(cx, a, ++barrier);
    stamp(cx, a, 5 * l + 2);
    const Product gu = layer_product(a, l, Phase::kGateUp);
    gemm_phase<kWarps, Epi::kResidual, Input::kAttention, 1>(cx, smem, ring, a, ly, o, nullptr, a.attn, gu);
    grid_sync(cx, a, ++barrier);
    stamp(cx, a, 5 * l + 3);
    const Product down = layer_product(a, l, Phase::kDown);
    gemm_phase<kWarps, Epi::kSiluMul, Input::kNormed, 2>(cx, smem, ring, a, ly, gu, ly.post_norm, nullptr, down);
    grid_sync(cx, a, ++barrier);
    stamp(cx, a, 5 * l + 4);
    qkv = l + 1 < a.L ? layer_product(a, l + 1, Phase::kQkv) : none;
    gemm_phase<kWarps, Epi::kResidual, Input::kRows, 1>(cx, smem, ring, a, ly, down, nullptr, a.act, qkv);
    grid_sync(cx, a, ++barrier);
    stamp(cx, a, 5 * l + 5);
  }
  final_norm_phase<kWarps>(cx, smem, a);
  cp_async_wait<0>();  // only empty commit groups are left; none outlives the launch
  // Every block read the base before the first barrier, so the next launch may start from here.
  if (cx.block == 0 && cx.tid == 0) a.barrier[0] = barrier;
}

}  // namespace mega
}  // namespace aspd
