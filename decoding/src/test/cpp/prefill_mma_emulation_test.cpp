// Runs the block body of the kMma prefill kernel (cuda/prefill_mma_kernel.cu, compiled as plain
// C++ with ASPD_PREFILL_MMA_EMULATION) on the CPU and checks it against the float64 reference.
// No GPU needed: one std::thread per CUDA thread, and the warp primitives are emulated from their
// PTX ISA definitions, so fragment layouts, ldmatrix addressing, the cp.async pipeline, masks and
// the online softmax are all exercised by the very source the GPU runs.
//
// What the emulation makes visible:
//   - layouts: mma/ldmatrix follow the PTX fragment tables (g = lane / 4, t = lane % 4);
//   - pipeline: cp.async poisons its destination with 0xFF (NaN in bf16 and fp16) at issue and
//     writes the data only at the issuing thread's cp.async.wait_group, so a read before the wait
//     and barrier, or a copy into a stage that another warp still reads, shows up as NaN; shared
//     memory starts poisoned too; copies still in flight at thread exit fail;
//   - bounds: shared-memory accesses of the primitives and cp.async sources are range-checked
//     (build with -fsanitize=address for the plain loads and stores);
//   - divergence: a warp collective or barrier that not every thread reaches times out and fails.
//
// Build and run from decoding/ (~2 min on 2 cores; not in ctest because it is slow), one line:
//   g++ -std=c++17 -O2 -pthread -fsanitize=address,undefined -Wno-unknown-pragmas
//     -I src/main/cpp -I src/test/cpp -I /usr/local/cuda/include
//     src/test/cpp/prefill_mma_emulation_test.cpp src/test/cpp/random_layouts.cpp
//     src/main/cpp/core/layout.cpp src/main/cpp/core/attention_reference.cpp
//     -o /tmp/prefill_mma_emulation && /tmp/prefill_mma_emulation
// It was checked to fail on each of 18 deliberate bugs (swapped B registers, ldmatrix without
// .trans for V, wrong K/V row maps, P packed in the wrong order, no quad max, wait_group 2, no
// trailing barrier, no mask, -inf max not guarded, one warp deciding the loads, off causal bound,
// wrong GQA head, missing 32-key half offsets for V or key labels, wrong Q row tile, a too eager
// half skip, a shifted copy row).
#include <cuda_bf16.h>
#include <cuda_fp16.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <condition_variable>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <deque>
#include <mutex>
#include <random>
#include <string>
#include <thread>
#include <type_traits>
#include <utility>
#include <vector>

#include "cuda/attention_kernels.h"

#include "warp_emulator.h"

namespace aspd::prefill_mma {

using namespace aspd::emu;

inline float fast_exp2(float x) { return std::exp2(x); }

inline void counter_add(unsigned long long* counter, unsigned long long n) {
  if (counter == nullptr || n == 0) return;
  std::lock_guard<std::mutex> lock(g_atomic_mu);
  *counter += n;
}

}  // namespace aspd::prefill_mma

#define ASPD_PREFILL_MMA_EMULATION 1
#include "cuda/prefill_mma_kernel.cu"

#include "core/attention_reference.h"
#include "core/layout.h"
#include "random_layouts.h"

namespace {

using namespace aspd;
using namespace aspd::prefill_mma;
using aspd::testing::Labels;
using aspd::testing::labels_of;

template <typename T, int D, int kWarps, int kM>
void run_grid(const Params& p) {
  using C = Config<D, kWarps, kM>;
  const int64_t blocks = (p.T + C::kBlockM - 1) / C::kBlockM * p.H;
  std::vector<unsigned char> smem(C::kSmemBytes);
  for (int64_t b = 0; b < blocks; ++b) {
    std::memset(smem.data(), 0xFF, smem.size());
    BlockEmu block(C::kThreads, smem.data(), smem.size());
    std::vector<std::thread> threads;
    for (int tid = 0; tid < C::kThreads; ++tid)
      threads.emplace_back([&, tid] {
        tl_block = &block;
        tl_tid = tid;
        prefill_block<T, D, kWarps, kM>(p, static_cast<int32_t>(b), tid, smem.data());
        if (!tl_uncommitted.empty() || !tl_groups.empty()) emu_fail("cp.async still in flight at exit");
      });
    for (std::thread& t : threads) t.join();
  }
}

template <typename T>
uint16_t to_bits(float x) {
  if constexpr (std::is_same_v<T, __nv_bfloat16>) return __bfloat16_as_ushort(__float2bfloat16_rn(x));
  else return __half_as_ushort(__float2half_rn(x));
}

struct Counts {
  unsigned long long skipped = 0, unmasked = 0, masked = 0;
};

// One emulated run against the reference; returns false on mismatch.
template <typename T, int D, int kWarps, int kM>
bool check(const std::string& name, std::mt19937& rng, const Labels& lab, int32_t H, int32_t Hkv,
           float q_gain, Counts* counts_out = nullptr) {
  const int64_t T_len = static_cast<int64_t>(lab.group.size());
  const PrefillDims dims{T_len, H, Hkv, D};
  std::vector<float> q = testing::grid_floats(rng, T_len * H * D);
  for (float& x : q) x *= q_gain;  // powers of two keep the grid exact in bf16 and fp16
  const std::vector<float> k = testing::grid_floats(rng, T_len * Hkv * D);
  const std::vector<float> v = testing::grid_floats(rng, T_len * Hkv * D);
  auto bits = [](const std::vector<float>& x) {
    std::vector<uint16_t> out(x.size());
    for (size_t i = 0; i < x.size(); ++i) out[i] = to_bits<T>(x[i]);
    return out;
  };
  const std::vector<uint16_t> qb = bits(q), kb = bits(k), vb = bits(v);
  std::vector<TileLabels> tiles;
  for (int64_t t0 = 0; t0 < T_len; t0 += kPrefillTile)
    tiles.push_back(summarize_tile(lab.group.data(), lab.branch.data(), t0, std::min(T_len, t0 + kPrefillTile)));
  std::vector<float> out(q.size(), std::nanf(""));
  Counts counts;
  g_readable = {{reinterpret_cast<const unsigned char*>(qb.data()), qb.size() * 2},
                {reinterpret_cast<const unsigned char*>(kb.data()), kb.size() * 2},
                {reinterpret_cast<const unsigned char*>(vb.data()), vb.size() * 2},
                {reinterpret_cast<const unsigned char*>(lab.group.data()), lab.group.size() * 4},
                {reinterpret_cast<const unsigned char*>(lab.branch.data()), lab.branch.size() * 4}};
  const double scale = 1.0 / std::sqrt(static_cast<double>(D));
  PrefillTileCounters counters;
  counters.skipped = &counts.skipped;
  counters.unmasked = &counts.unmasked;
  counters.masked = &counts.masked;
  const Params p{qb.data(), kb.data(), vb.data(), lab.group.data(), lab.branch.data(), tiles.data(),
                 static_cast<int32_t>(T_len), H, Hkv, static_cast<float>(scale) * kLog2e, out.data(), counters};
  const auto start = std::chrono::steady_clock::now();
  run_grid<T, D, kWarps, kM>(p);
  const double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();

  std::vector<double> want(q.size());
  prefill_reference(q.data(), k.data(), v.data(), lab.group.data(), lab.branch.data(), dims, scale, want.data());
  const bool bf16 = std::is_same_v<T, __nv_bfloat16>;
  const double tol = bf16 ? 2e-2 : 4e-3;
  double max_abs = 0.0;
  long bad = 0;
  for (size_t i = 0; i < want.size(); ++i) {
    const double diff = std::fabs(static_cast<double>(out[i]) - want[i]);
    if (!std::isnan(max_abs) && !(diff <= max_abs)) max_abs = diff;  // a NaN sticks
    if (!(diff <= tol + tol * std::fabs(want[i]))) {
      if (bad < 5)
        std::printf("    mismatch at row %lld head %lld d %lld: got %.6g want %.6g\n",
                    static_cast<long long>(i / (H * D)), static_cast<long long>(i / D % H),
                    static_cast<long long>(i % D), out[i], want[i]);
      ++bad;
    }
  }
  // Every (warp's rows, key tile at or below the warp's last row) is counted exactly once.
  constexpr int kWarpRows = 16 * kM;
  unsigned long long expected = 0;
  for (int64_t first = 0; first < T_len; first += kWarpRows)
    expected += static_cast<unsigned long long>(std::min(T_len - 1, first + kWarpRows - 1) / kPrefillTile + 1) * H;
  const unsigned long long counted = counts.skipped + counts.unmasked + counts.masked;
  const bool ok = bad == 0 && counted == expected;
  std::printf("[%s] %s %s D=%d warps=%dx%d rows T=%lld H=%d Hkv=%d: max|diff| %.2e, tiles skipped %llu "
              "unmasked %llu masked %llu (%llu expected in all), %.1f s\n",
              ok ? " OK " : "FAIL", name.c_str(), bf16 ? "bf16" : "fp16", D, kWarps, kWarpRows,
              static_cast<long long>(T_len), H, Hkv, max_abs, counts.skipped, counts.unmasked,
              counts.masked, expected, secs);
  if (counts_out != nullptr) *counts_out = counts;
  return ok;
}

Labels random_labels(std::mt19937& rng, const testing::SampleSpec& spec) {
  const SpecialTokens st = testing::random_specials(rng, 5000);
  const testing::GeneratedSample s = testing::generate_sample(rng, st, 5000, spec);
  return Labels{s.group_id, s.branch_id};
}

}  // namespace

int main() {
  std::mt19937 rng(4242);
  int failed = 0;
  auto run = [&](bool ok) { failed += ok ? 0 : 1; };
  testing::SampleSpec small, long_branches, tiny_branches;
  long_branches.groups_min = long_branches.groups_max = 1;
  long_branches.branches_min = 3;
  long_branches.branches_max = 4;
  long_branches.content_min = 70;
  long_branches.content_max = 110;
  tiny_branches.branches_min = 8;
  tiny_branches.content_max = 2;
  tiny_branches.title_max = 1;

  // Every layout of the kernel: kMma (4 warps x 32 rows), kMmaQRegs (8 x 16), kMma64 (4 x 16).
  // Edge sizes: one token, fewer than one m16 block, ragged tails of 64- and 128-row blocks.
  run(check<__nv_bfloat16, 32, 4, 2>("one token", rng, labels_of({{1, 0}}), 2, 1, 1.f));
  run(check<__nv_bfloat16, 32, 8, 1>("one token", rng, labels_of({{1, 0}}), 1, 1, 1.f));
  run(check<__half, 64, 4, 2>("T < 16", rng, labels_of({{3, 0}, {2, 3}, {1, 0}}), 2, 2, 1.f));
  run(check<__half, 64, 8, 1>("T < 16", rng, labels_of({{3, 0}, {2, 3}, {1, 0}}), 2, 2, 1.f));
  run(check<__nv_bfloat16, 64, 4, 2>("ragged", rng, labels_of({{40, 0}, {30, 3}, {3, 0}}), 3, 1, 4.f));
  run(check<__nv_bfloat16, 64, 8, 1>("ragged", rng, labels_of({{40, 0}, {30, 3}, {3, 0}}), 3, 1, 4.f));
  run(check<__half, 32, 4, 2>("ragged 129", rng, labels_of({{60, 0}, {20, 3}, {9, 0}}), 1, 1, 8.f));
  run(check<__half, 32, 4, 1>("ragged 129", rng, labels_of({{60, 0}, {20, 3}, {9, 0}}), 1, 1, 8.f));
  // A group at token 0: rows of later branches see nothing in their first tiles (max stays -inf).
  run(check<__nv_bfloat16, 64, 4, 2>("group first", rng, labels_of({{50, 3}, {30, 0}}), 2, 1, 2.f));
  run(check<__nv_bfloat16, 64, 8, 1>("group first", rng, labels_of({{50, 3}, {30, 0}}), 2, 1, 2.f));
  // Random samples, peaked softmax (q x 8) so the running max moves a lot.
  run(check<__nv_bfloat16, 32, 4, 2>("random", rng, random_labels(rng, small), 4, 2, 8.f));
  run(check<__nv_bfloat16, 32, 8, 1>("random", rng, random_labels(rng, small), 4, 2, 8.f));
  run(check<__half, 64, 4, 1>("random", rng, random_labels(rng, small), 2, 1, 1.f));
  run(check<__nv_bfloat16, 32, 4, 2>("tiny branches", rng, random_labels(rng, tiny_branches), 2, 2, 4.f));
  run(check<__nv_bfloat16, 32, 4, 1>("tiny branches", rng, random_labels(rng, tiny_branches), 2, 2, 4.f));
  // Long sibling branches: whole tiles skipped and unmasked tiles in the same run.
  for (int layout = 0; layout < 2; ++layout) {
    Counts counts;
    const Labels labels = labels_of({{150, 0}, {130, 3}, {70, 0}});
    run(layout == 0 ? check<__nv_bfloat16, 32, 4, 2>("long branches", rng, labels, 2, 1, 2.f, &counts)
                    : check<__nv_bfloat16, 32, 8, 1>("long branches", rng, labels, 2, 1, 2.f, &counts));
    if (counts.skipped == 0 || counts.unmasked == 0 || counts.masked == 0) {
      std::printf("[FAIL] long branches should skip, unmask and mask tiles\n");
      ++failed;
    }
  }
  run(check<__half, 128, 4, 2>("long branches", rng, random_labels(rng, long_branches), 1, 1, 2.f));
  run(check<__half, 128, 8, 1>("long branches", rng, random_labels(rng, long_branches), 1, 1, 2.f));
  run(check<__nv_bfloat16, 128, 4, 2>("D=128", rng, labels_of({{70, 0}, {40, 2}, {20, 0}}), 2, 1, 1.f));
  run(check<__nv_bfloat16, 128, 4, 1>("D=128", rng, labels_of({{70, 0}, {40, 2}, {20, 0}}), 2, 1, 1.f));
  std::printf("%d emulated checks failed\n", failed);
  return failed == 0 ? 0 : 1;
}
