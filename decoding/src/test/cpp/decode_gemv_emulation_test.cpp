// Runs the fused decode products' block (cuda/decode_gemv_body.cuh, the text the GPU runs for
// `GpuModelOptions::fused_decode`) on the CPU emulation of warp_emulator.h and checks each epilogue
// against a float64 reference of the same product: y = x W^T with x the bf16 step rows or the fp32
// residual rows normalized on the fly (RMSNorm from the producer's partial sums of squares), then
// store, residual add (+ the new residual's partial sums of squares), SiLU(gate) * up over the
// 16-row interleaved gate/up layout, or bias + RoPE + q and cache append. Every block of the grid is
// resident at once (one std::thread per CUDA thread). The K splits of a row range form a cluster:
// its barrier is emulated, distributed shared memory reads go to the other block's shared memory,
// and one block arrives late at each cluster barrier, so that a partial read before its block
// wrote it, or after its block left, shows up (shared memory starts as NaN and turns NaN again
// when its block exits; cp.async destinations hold NaN until the issuing thread waits).
// Cases: 1 to 16 rows (one and two 8-row token tiles), K whole or split across 2-8 blocks, a K that
// ends inside a 128-wide chunk, weights resident (all copied before the wait) and streamed through
// 3- and 4-stage pipelines (R 64 and 128), head dims 48 and 80 (warps without a row tile), the
// bench's timeline stamps; and the launch's argument rules (decode_gemv_args_ok).
//
// In ctest wherever CMake finds CUDA (seconds on 2 cores); by hand, with sanitizers, from decoding/:
//   g++ -std=c++17 -O2 -pthread -fsanitize=address,undefined -Wno-unknown-pragmas
//     -I src/main/cpp -I src/test/cpp -I /usr/local/cuda/include
//     src/test/cpp/decode_gemv_emulation_test.cpp -o /tmp/decode_gemv_emulation
#include <cuda_bf16.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <deque>
#include <mutex>
#include <random>
#include <string>
#include <thread>
#include <vector>

#include "warp_emulator.h"
#include "cuda/decode_gemv.h"

#define ASPD_GEMV_DEV inline

namespace aspd::gemv {

using emu::block_sync;
using emu::cp_async_commit;
using emu::cp_async_wait;
using emu::ldmatrix_x4;

inline void cp_async16(void* dst, const void* src, bool valid) { emu::cp_async_16(dst, src, valid); }
inline void mma_bf16(float (&c)[4], const uint32_t (&a)[4], uint32_t b0, uint32_t b1) {
  emu::mma_16816<__nv_bfloat16>(c, a, b0, b1);
}
inline void cluster_sync() { emu::cluster_barrier(); }
using emu::cluster_peer;

inline uint64_t now_ns() {
  return static_cast<uint64_t>(
      std::chrono::duration_cast<std::chrono::nanoseconds>(std::chrono::steady_clock::now().time_since_epoch()).count());
}
inline void stamp_max(uint64_t* p, uint64_t t) {
  std::lock_guard<std::mutex> lock(emu::g_atomic_mu);
  *p = std::max(*p, t);
}
using emu::pdl_launch_dependents;
using emu::pdl_wait;
using emu::warp_sum;

}  // namespace aspd::gemv

#include "cuda/decode_gemv_body.cuh"

namespace {

using namespace aspd;
using bf16 = __nv_bfloat16;

float bf(bf16 x) { return __bfloat162float(x); }

struct Case {
  const char* what;
  GemvEpilogue kind;
  bool norm;
  int M;
  int64_t N, K;
  int sms;  // plan_decode_gemv's SM count: fewer SMs, fewer K splits
  int H = 0, Hkv = 0, D = 0;
  int want_splits = 0;  // the split the case is for (checked, so that a plan change cannot drop it)
  bool resident = true;  // the plan may keep the weights resident (and the case checks that it does)
  bool stamps = false;   // run with the bench's timeline stamps
};

template <bool kNorm, int kTT, GemvEpilogue kEpi>
void run_grid(const gemv::Params& p, const GemvPlan& plan) {
  const GemvSmem lay{p.R, p.stages, p.M, kNorm, p.in.sumsq_slots};
  const size_t bytes = static_cast<size_t>(lay.bytes());
  const int blocks = plan.row_blocks * plan.splits, threads = gemv::kWarps * 32;
  std::vector<std::vector<unsigned char>> smem(blocks, std::vector<unsigned char>(bytes, 0xFF));
  std::deque<emu::BlockEmu> emus;
  for (int b = 0; b < blocks; ++b) emus.emplace_back(threads, smem[b].data(), bytes);
  std::deque<emu::ClusterEmu> clusters;  // one per row range: its K splits
  for (int bx = 0; bx < plan.row_blocks; ++bx) {
    clusters.emplace_back(plan.splits * threads);
    for (int by = 0; by < plan.splits; ++by) clusters.back().smem.push_back(smem[by * plan.row_blocks + bx].data());
    clusters.back().late_rank = bx % plan.splits;  // split 0 late in some clusters, a peer in others
  }
  std::vector<std::thread> pool;
  for (int b = 0; b < blocks; ++b)
    for (int tid = 0; tid < threads; ++tid)
      pool.emplace_back([&, b, tid] {
        emu::tl_block = &emus[b];
        emu::tl_tid = tid;
        const unsigned bx = static_cast<unsigned>(b % plan.row_blocks), by = static_cast<unsigned>(b / plan.row_blocks);
        emu::tl_cluster = &clusters[bx];
        emu::tl_cluster_rank = static_cast<int>(by);
        gemv::gemv_block<kNorm, kTT, kEpi>(p, smem[b].data(), bx, by, static_cast<unsigned>(plan.row_blocks),
                                           static_cast<unsigned>(tid), static_cast<unsigned>(threads));
        if (!emu::tl_uncommitted.empty() || !emu::tl_groups.empty()) emu::emu_fail("cp.async still in flight at exit");
        // The block has left: its shared memory is gone (NaN to any peer that still reads it).
        emu::block_sync();
        if (tid == 0) std::memset(smem[b].data(), 0xFF, bytes);
      });
  for (std::thread& t : pool) t.join();
}

template <bool kNorm, GemvEpilogue kEpi>
void run_for_rows(const gemv::Params& p, const GemvPlan& plan) {
  if (p.M <= 8) run_grid<kNorm, 1, kEpi>(p, plan);
  else run_grid<kNorm, 2, kEpi>(p, plan);
}

template <GemvEpilogue kEpi>
void run_for(const gemv::Params& p, const GemvPlan& plan, bool norm) {
  if (norm) run_for_rows<true, kEpi>(p, plan);
  else run_for_rows<false, kEpi>(p, plan);
}

bool close(double got, double want, double scale, double rel) {
  return std::fabs(got - want) <= rel * (std::fabs(want) + scale * 1e-2);
}

bool run_case(const Case& c, uint32_t seed) {
  std::mt19937 rng(seed);
  std::normal_distribution<float> normal(0.f, 1.f);
  const int M = c.M;
  const int64_t N = c.N, K = c.K;
  const GemvPlan plan = plan_decode_gemv(c.kind, N, K, c.D, c.sms, kDecodeGemvMaxSplits, c.resident);
  if ((c.want_splits != 0 && plan.splits != c.want_splits) || plan.resident != c.resident) {
    std::printf("[FAIL] %s: the plan splits K in %d (%s), the case is for %d (%s)\n", c.what, plan.splits,
                plan.resident ? "resident" : "pipelined", c.want_splits, c.resident ? "resident" : "pipelined");
    return false;
  }

  // Weights, inputs, and what the norm prologue reads.
  std::vector<bf16> w(static_cast<size_t>(N) * K), xb(static_cast<size_t>(M) * K);
  for (bf16& v : w) v = __float2bfloat16_rn(normal(rng) / std::sqrt(static_cast<float>(K)));
  for (bf16& v : xb) v = __float2bfloat16_rn(normal(rng));
  std::vector<float> residual(static_cast<size_t>(M) * K), norm_w(K);
  for (float& v : residual) v = normal(rng);
  for (float& v : norm_w) v = 1.f + 0.1f * normal(rng);
  const int32_t slots = residual_sumsq_slots(K);
  std::vector<float> sumsq(static_cast<size_t>(M) * slots, 0.f);
  for (int m = 0; m < M; ++m)
    for (int64_t k = 0; k < K; ++k) sumsq[m * slots + k / kResidualRowsPerBlock] += residual[m * K + k] * residual[m * K + k];
  const float eps = 1e-6f;

  // The rows the product sees (bf16 values), as the kernel builds them.
  std::vector<float> h(static_cast<size_t>(M) * K);
  for (int m = 0; m < M; ++m) {
    float sum = 0.f;
    for (int i = 0; i < slots; ++i) sum += sumsq[m * slots + i];
    const float inv = 1.f / std::sqrt(sum / static_cast<float>(K) + eps);
    for (int64_t k = 0; k < K; ++k)
      h[m * K + k] = c.norm ? bf(__float2bfloat16_rn(norm_w[k] * (residual[m * K + k] * inv))) : bf(xb[m * K + k]);
  }
  std::vector<double> y(static_cast<size_t>(M) * N);
  for (int m = 0; m < M; ++m)
    for (int64_t n = 0; n < N; ++n) {
      double s = 0;
      for (int64_t k = 0; k < K; ++k) s += static_cast<double>(h[m * K + k]) * bf(w[n * K + k]);
      y[m * N + n] = s;
    }

  // Outputs, scratch, and the step for the RoPE epilogue.
  GemvInput in;
  if (c.norm) {
    in.residual = residual.data(), in.norm_weight = norm_w.data(), in.sumsq = sumsq.data(), in.sumsq_slots = slots;
    in.eps = eps;
  } else {
    in.x = xb.data();
  }
  std::vector<float> out_y(static_cast<size_t>(M) * N, NAN), out_res(static_cast<size_t>(M) * N),
      sumsq_out(static_cast<size_t>(M) * plan.row_blocks, NAN), bias(N);
  for (float& v : out_res) v = normal(rng);
  for (float& v : bias) v = 0.1f * normal(rng);
  const std::vector<float> res0 = out_res;
  std::vector<bf16> act(static_cast<size_t>(M) * (N / 2), __float2bfloat16_rn(NAN));
  const int64_t before = 37;
  std::vector<int32_t> io(1 + 4 * M, 0);
  io[0] = static_cast<int32_t>(before);
  for (int m = 0; m < M; ++m) io[1 + M + m] = static_cast<int32_t>(before + 5 * m);  // positions
  std::vector<bf16> q(static_cast<size_t>(M) * std::max(c.H, 1) * std::max(c.D, 1), __float2bfloat16_rn(NAN)),
      kc(static_cast<size_t>(before + M) * std::max(c.Hkv, 1) * std::max(c.D, 1), __float2bfloat16_rn(NAN)),
      vc(kc.size(), __float2bfloat16_rn(NAN));
  GemvOutput out;
  out.kind = c.kind;
  out.y = out_y.data();
  out.residual = out_res.data();
  out.sumsq_out = sumsq_out.data();
  out.act = act.data();
  out.bias = bias.data();
  out.io = StepIoView{io.data(), M};
  out.H = c.H, out.Hkv = c.Hkv, out.D = c.D;
  std::vector<float2> rope(static_cast<size_t>(M) * std::max(c.D / 2, 1));  // launch_decode_prologue's table
  for (int m = 0; m < M; ++m)
    for (int i = 0; i < c.D / 2; ++i) rope[m * (c.D / 2) + i] = rope_cos_sin(io[1 + M + m], i, c.D, 10000.0);
  out.rope = reinterpret_cast<const float*>(rope.data());
  out.q = q.data(), out.k_cache = kc.data(), out.v_cache = vc.data();
  std::vector<uint64_t> stamps(3, 0);
  const gemv::Params p{w.data(), N, K, M, in, out, plan.rows_per_block, plan.splits, plan.stages,
                       c.stamps ? stamps.data() : nullptr};
  const uint64_t launched = gemv::now_ns();
  emu::g_readable = {{reinterpret_cast<const unsigned char*>(w.data()), w.size() * 2},
                     {reinterpret_cast<const unsigned char*>(xb.data()), xb.size() * 2},
                     {reinterpret_cast<const unsigned char*>(residual.data()), residual.size() * 4},
                     {reinterpret_cast<const unsigned char*>(norm_w.data()), norm_w.size() * 4}};
  switch (c.kind) {
    case GemvEpilogue::kStore: run_for<GemvEpilogue::kStore>(p, plan, c.norm); break;
    case GemvEpilogue::kAddResidual: run_for<GemvEpilogue::kAddResidual>(p, plan, c.norm); break;
    case GemvEpilogue::kSiluMul: run_for<GemvEpilogue::kSiluMul>(p, plan, c.norm); break;
    case GemvEpilogue::kRopeAppend: run_for<GemvEpilogue::kRopeAppend>(p, plan, c.norm); break;
  }

  // ---- compare ----
  double scale = 0;
  for (double v : y) scale = std::max(scale, std::fabs(v));
  double worst = 0;
  int bad = 0;
  auto check = [&](double got, double want, double rel, const char* what, int m, int64_t n) {
    const double diff = std::isnan(got) ? INFINITY : std::fabs(got - want);
    worst = std::max(worst, diff);
    if (!close(got, want, scale, rel) && bad++ < 3)
      std::printf("  %s row %d col %lld: got %.6f, reference %.6f\n", what, m, static_cast<long long>(n), got, want);
  };
  // Stamps: block (0, 0)'s start, its wait's end, then the last block's end, in order, all after
  // the launch.
  const bool stamps_ok = !c.stamps || (stamps[0] >= launched && stamps[1] >= stamps[0] && stamps[2] >= stamps[1]);
  if (c.kind == GemvEpilogue::kStore) {
    for (int m = 0; m < M; ++m)
      for (int64_t n = 0; n < N; ++n) check(out_y[m * N + n], y[m * N + n], 1e-4, "y", m, n);
  } else if (c.kind == GemvEpilogue::kAddResidual) {
    for (int m = 0; m < M; ++m) {
      for (int64_t n = 0; n < N; ++n) check(out_res[m * N + n], res0[m * N + n] + y[m * N + n], 1e-4, "residual", m, n);
      for (int b = 0; b < plan.row_blocks; ++b) {
        double s = 0;
        for (int64_t n = b * kResidualRowsPerBlock; n < std::min<int64_t>(N, (b + 1) * kResidualRowsPerBlock); ++n)
          s += static_cast<double>(out_res[m * N + n]) * out_res[m * N + n];
        check(sumsq_out[m * plan.row_blocks + b], s, 1e-4, "sum of squares", m, b);
      }
    }
  } else if (c.kind == GemvEpilogue::kSiluMul) {
    const int64_t I = N / 2;
    for (int m = 0; m < M; ++m)
      for (int64_t f = 0; f < I; ++f) {
        const int64_t gate_row = (f / kGateUpGroup) * 2 * kGateUpGroup + f % kGateUpGroup;
        const double gate = y[m * N + gate_row], up = y[m * N + gate_row + kGateUpGroup];
        check(bf(act[m * I + f]), gate / (1 + std::exp(-gate)) * up, 8e-3, "act", m, f);
      }
  } else {
    const int D = c.D, half = D / 2;
    for (int m = 0; m < M; ++m)
      for (int head = 0; head < c.H + 2 * c.Hkv; ++head)
        for (int i = 0; i < half; ++i) {
          const int64_t col = static_cast<int64_t>(head) * D;
          const double a = y[m * N + col + i] + bias[col + i], b = y[m * N + col + i + half] + bias[col + i + half];
          const int64_t entry = before + m;
          double ra = a, rb = b;
          const bf16* dst;
          if (head < c.H + c.Hkv) {
            const float2 cs = rope_cos_sin(io[1 + M + m], i, D, 10000.0);
            ra = a * cs.x - b * cs.y, rb = b * cs.x + a * cs.y;
            dst = head < c.H ? &q[(static_cast<size_t>(m) * c.H + head) * D] : &kc[(entry * c.Hkv + head - c.H) * D];
          } else {
            dst = &vc[(entry * c.Hkv + head - c.H - c.Hkv) * D];
          }
          check(bf(dst[i]), ra, 8e-3, "rotated", m, col + i);
          check(bf(dst[i + half]), rb, 8e-3, "rotated", m, col + i + half);
        }
  }
  const bool ok = bad == 0 && stamps_ok;
  if (!stamps_ok) std::printf("  the timeline stamps are missing or out of order\n");
  std::printf("[%s] %s: %d rows, N %lld, K %lld, %d x %d blocks (R %d, %s, %d slots), %s: max |diff| %.2e "
              "(|y| <= %.2f)\n",
              ok ? "ok" : "FAIL", c.what, M, static_cast<long long>(N), static_cast<long long>(K), plan.row_blocks,
              plan.splits, plan.rows_per_block, plan.resident ? "resident" : "pipelined", plan.stages,
              c.norm ? "normed residual" : "bf16 rows", worst, scale);
  return ok;
}

// decode_gemv_args_ok: a good launch of each epilogue is accepted, then one fault at a time is
// refused (each mutation leaves everything else as the accepted launch had it).
bool check_argument_rules() {
  alignas(16) static bf16 w[64], x[64], q[64], kc[64], vc[64], act[64];
  alignas(16) static float residual[64], norm_w[64], sumsq[64], y[64], rope_table[64], bias[64];
  alignas(16) static int32_t io[1 + 4 * 16];
  const int64_t K = 256;
  struct Launch {
    const bf16* w;
    int64_t N, K;
    int32_t M;
    GemvInput in;
    GemvOutput out;
    GemvPlan plan;
  };
  auto rope_launch = [&] {  // 2 query heads, 1 KV head, head dim 64, normed input, 3 rows
    Launch l{w, 256, K, 3, {}, {}, plan_decode_gemv(GemvEpilogue::kRopeAppend, 256, K, 64, 4)};
    l.in.residual = residual, l.in.norm_weight = norm_w, l.in.sumsq = sumsq, l.in.sumsq_slots = 4;
    l.out.kind = GemvEpilogue::kRopeAppend;
    l.out.io = StepIoView{io, 3};
    l.out.H = 2, l.out.Hkv = 1, l.out.D = 64;
    l.out.rope = rope_table, l.out.bias = bias, l.out.q = q, l.out.k_cache = kc, l.out.v_cache = vc;
    return l;
  };
  auto plain_launch = [&](GemvEpilogue kind) {
    Launch l{w, 128, K, 2, {}, {}, plan_decode_gemv(kind, 128, K, 0, 4)};
    l.in.x = x;
    l.out.kind = kind;
    l.out.y = y, l.out.residual = residual, l.out.sumsq_out = sumsq, l.out.act = act;
    return l;
  };
  auto ok = [](const Launch& l) { return decode_gemv_args_ok(l.w, l.N, l.K, l.M, l.in, l.out, l.plan); };
  int bad = 0;
  auto accepted = [&](const char* what, const Launch& l) {
    if (!ok(l) && bad++ < 20) std::printf("  refused a good launch: %s\n", what);
  };
  auto refused = [&](const char* what, Launch l, auto&& mutate) {
    mutate(l);
    if (ok(l) && bad++ < 20) std::printf("  accepted a bad launch: %s\n", what);
  };
  const Launch rope = rope_launch();
  accepted("bias + RoPE + append", rope);
  for (GemvEpilogue kind : {GemvEpilogue::kStore, GemvEpilogue::kAddResidual, GemvEpilogue::kSiluMul})
    accepted("plain rows", plain_launch(kind));
  int rules = 0;
  auto rule = [&](const char* what, auto&& mutate) {
    ++rules;
    refused(what, rope, mutate);
  };
  rule("no rows", [](Launch& l) { l.M = 0, l.out.io.M = 0; });
  rule("17 rows", [](Launch& l) { l.M = 17, l.out.io.M = 17; });
  rule("step inputs for other rows than the product's", [](Launch& l) { l.out.io.M = 2; });
  rule("no step inputs", [](Launch& l) { l.out.io.base = nullptr; });
  rule("K not a multiple of 8", [](Launch& l) { l.K = 250; });
  rule("no weights", [](Launch& l) { l.w = nullptr; });
  rule("misaligned weights", [](Launch& l) { l.w += 1; });
  rule("a plan for another N", [](Launch& l) { l.N = 320; });
  rule("9 K splits", [](Launch& l) { l.plan.splits = 9; });
  rule("more K splits than chunks", [](Launch& l) { l.plan.splits = 3; });
  rule("resident slots fewer than a block's chunks", [](Launch& l) { l.plan.splits = 1, l.plan.stages = 1; });
  rule("a pipeline of 2 stages", [](Launch& l) { l.plan.resident = false, l.plan.stages = 2; });
  rule("no norm weights", [](Launch& l) { l.in.norm_weight = nullptr; });
  rule("no sums of squares", [](Launch& l) { l.in.sumsq = nullptr; });
  rule("zero sum slots", [](Launch& l) { l.in.sumsq_slots = 0; });
  rule("misaligned residual input", [](Launch& l) { l.in.residual += 1; });
  rule("no RoPE table", [](Launch& l) { l.out.rope = nullptr; });
  rule("no q", [](Launch& l) { l.out.q = nullptr; });
  rule("no K cache", [](Launch& l) { l.out.k_cache = nullptr; });
  rule("no V cache", [](Launch& l) { l.out.v_cache = nullptr; });
  rule("heads that do not make up N", [](Launch& l) { l.out.H = 3; });
  rule("no KV heads", [](Launch& l) { l.out.Hkv = 0; });
  rule("a head dim other than the block's rows", [](Launch& l) { l.out.D = 32; });
  auto plain_rule = [&](const char* what, GemvEpilogue kind, auto&& mutate) {
    ++rules;
    refused(what, plain_launch(kind), mutate);
  };
  plain_rule("misaligned bf16 rows", GemvEpilogue::kStore, [](Launch& l) { l.in.x += 4; });
  plain_rule("no y", GemvEpilogue::kStore, [](Launch& l) { l.out.y = nullptr; });
  plain_rule("no residual to add to", GemvEpilogue::kAddResidual, [](Launch& l) { l.out.residual = nullptr; });
  plain_rule("no sums-of-squares output", GemvEpilogue::kAddResidual, [](Launch& l) { l.out.sumsq_out = nullptr; });
  plain_rule("residual add with 32-row blocks", GemvEpilogue::kAddResidual,
             [](Launch& l) { l.plan.rows_per_block = 32, l.plan.row_blocks = 4; });
  plain_rule("no SiLU output", GemvEpilogue::kSiluMul, [](Launch& l) { l.out.act = nullptr; });
  plain_rule("SiLU with 16-row blocks", GemvEpilogue::kSiluMul,
             [](Launch& l) { l.plan.rows_per_block = 16, l.plan.row_blocks = 8; });
  std::printf("[%s] argument rules: 4 good launches accepted, %d faults refused one at a time\n",
              bad == 0 ? "ok" : "FAIL", rules);
  return bad == 0;
}

}  // namespace

int main() {
  Case cases[] = {
      {"store, K split in 4", GemvEpilogue::kStore, false, 1, 128, 512, 4},
      {"store, normed, K ends inside a chunk", GemvEpilogue::kStore, true, 16, 64, 200, 2},
      {"residual add, 9 rows, K split in 2", GemvEpilogue::kAddResidual, false, 9, 128, 1024, 2},
      {"residual add, whole K", GemvEpilogue::kAddResidual, false, 3, 192, 256, 1},
      {"SiLU * up, normed", GemvEpilogue::kSiluMul, true, 5, 192, 256, 4},
      {"bias + RoPE + append, normed, 16 rows", GemvEpilogue::kRopeAppend, true, 16, 256, 256, 2},
      {"bias + RoPE + append, head dim 128, 3-stage pipeline", GemvEpilogue::kRopeAppend, false, 2, 512, 640, 1},
      {"store, K split in 8 (the largest cluster), K ends inside a chunk", GemvEpilogue::kStore, false, 2, 64, 1000, 8},
      {"residual add, 4-stage pipeline, whole K", GemvEpilogue::kAddResidual, false, 9, 128, 1024, 1},
      {"residual add, 16 rows, pipelines in a cluster of 4", GemvEpilogue::kAddResidual, false, 16, 64, 3072, 2},
      {"bias + RoPE + append, head dim 80 (3 of 8 warps idle), 1 row", GemvEpilogue::kRopeAppend, true, 1, 320, 256, 1},
      {"bias + RoPE + append, head dim 48 (2 of 8 warps idle), 1 row, K split in 2", GemvEpilogue::kRopeAppend, false,
       1, 192, 256, 4},
  };
  cases[0].want_splits = 4;
  cases[0].stamps = true;
  cases[2].want_splits = 2;
  cases[3].want_splits = 1;
  cases[4].want_splits = 2;
  cases[5].H = 2, cases[5].Hkv = 1, cases[5].D = 64;
  cases[6].H = 2, cases[6].Hkv = 1, cases[6].D = 128;
  cases[6].resident = false;
  cases[7].want_splits = 8;
  cases[7].stamps = true;
  cases[8].want_splits = 1;
  cases[8].resident = false;
  cases[9].want_splits = 4;
  cases[9].resident = false;
  cases[10].H = 2, cases[10].Hkv = 1, cases[10].D = 80;
  cases[11].H = 2, cases[11].Hkv = 1, cases[11].D = 48;
  cases[11].want_splits = 2;
  int failed = 0;
  uint32_t seed = 5;
  for (const Case& c : cases) failed += run_case(c, seed++) ? 0 : 1;
  failed += check_argument_rules() ? 0 : 1;
  std::printf("%d of %zu checks failed\n", failed, sizeof(cases) / sizeof(cases[0]) + 1);
  return failed == 0 ? 0 : 1;
}
