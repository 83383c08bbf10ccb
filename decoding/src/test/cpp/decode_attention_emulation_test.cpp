// Runs the decode attention kernel's block (cuda/decode_attention_body.cuh, the text the GPU runs)
// on the CPU emulation of warp_emulator.h and checks it against a float64 reference: the output of
// every step row and head under the tag rule, and, where the kernel builds q, k and v from the QKV
// product, the new entries it appends to the cache. The 8 blocks of a head's cluster are resident at
// once (one std::thread per CUDA thread); the cluster barrier is emulated, distributed shared memory
// reads go to the other block's shared memory, and one block arrives late at each cluster barrier,
// so that a state read before its block wrote it shows up (shared memory starts as NaN, and
// cp.async destinations hold NaN until the issuing thread waits). Clusters (heads) run one after
// another, last head first: the head that appends a KV group's new entries runs after the heads
// that share them, whose reads of those entries from the cache (a race on the GPU) would find the
// NaN the cache holds there before the append. Also the launch's argument rules
// (decode_attention_args_ok), which refuse what the kernel cannot run on.
//
// Cases: head dims 16, 64, 80, 128 and 256 (80: row groups that split warps), 1 to 16 rows, GQA
// groups of 1, 2 and 4 heads, an empty cache, empty splits, one and several chunks per split,
// new entries across a split boundary and across a chunk boundary, branch rows of one group
// (siblings invisible to each other, their earlier entries in the cache), q and the new entries in
// place (the fused path) or built from the QKV product (the default path).
//
// In ctest wherever CMake finds CUDA (~20 s on 2 cores); by hand, with sanitizers, from decoding/:
//   g++ -std=c++17 -O2 -pthread -fsanitize=address,undefined -Wno-unknown-pragmas
//     -I src/main/cpp -I src/test/cpp -I /usr/local/cuda/include
//     src/test/cpp/decode_attention_emulation_test.cpp -o /tmp/decode_attention_emulation
#include <cuda_bf16.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <deque>
#include <random>
#include <string>
#include <thread>
#include <vector>

#include "warp_emulator.h"
#include "cuda/decode_attention.h"

#define ASPD_ATTN_DEV inline
#define ASPD_ATTN_HOST_DEV

namespace aspd::decode_attn {

using emu::block_sync;
using emu::ldmatrix_x4;
using emu::mma_16816;

inline void cluster_sync() { emu::cluster_barrier(); }
inline void cluster_sync_relaxed() { emu::cluster_barrier(); }
using emu::cluster_peer;

inline void cp_async16(void* dst, const void* src) { emu::cp_async_16(dst, src, true); }
inline void cp_async_commit_wait_all() {
  emu::cp_async_commit();
  emu::cp_async_wait<0>();
}
inline void cp_async_wait_all() { cp_async_commit_wait_all(); }  // waits for uncommitted copies too

using emu::pdl_launch_dependents;
using emu::pdl_wait;
using emu::warp_max;
using emu::warp_sum;

}  // namespace aspd::decode_attn

#include "cuda/decode_attention_body.cuh"

namespace {

using namespace aspd;
using bf16 = __nv_bfloat16;

float bf(bf16 x) { return __bfloat162float(x); }

struct Case {
  const char* what;
  int H, Hkv, D, M;
  int64_t before;   // cache entries before the step
  bool fresh;       // q, k, v built from the QKV product
  bool branches;    // the rows are the branches of one group (else serial text, M = 1)
  // What the case is there for: the new entries cross a split boundary / a chunk boundary inside
  // a split (checked, so that a change of the split or chunk sizes cannot quietly drop it).
  bool crosses_split = false, crosses_chunk = false;
  // A NaN planted where a broken forward would put one: in q (or the QKV product) of row 0, head 0,
  // which makes every score of that row and head NaN, or in the key of entry 0 of KV head 0, which
  // every row sees among finite scores. Softmax of a NaN is NaN: those rows must come out NaN (a max
  // that drops NaN read a row of NaN scores as nothing visible, i.e. zeros) and every other row as
  // without the NaN.
  enum Poison { kNone, kQuery, kKey } poison = kNone;
};

// Whether the new entries [before, n) cross a split boundary, and a chunk boundary inside a split.
void crossings(int64_t before, int64_t n, int chunk, bool* split, bool* chunk_cross) {
  const int64_t per = (n + decode_attn::kSplits - 1) / decode_attn::kSplits;
  *split = *chunk_cross = false;
  for (int s = 0; s < decode_attn::kSplits; ++s) {
    const int64_t begin = std::min<int64_t>(s * per, n), end = std::min<int64_t>(begin + per, n);
    if (begin > before && begin < n) *split = true;
    for (int64_t c0 = begin + chunk; c0 < end; c0 += chunk)
      if (c0 > before && c0 < n) *chunk_cross = true;
  }
}

// The rotated pair as fresh_pair computes it (the same float expression), rounded to bf16.
void rotate(float a, float b, float2 cs, bf16* lo, bf16* hi) {
  const float cf = cs.x, sf = cs.y;
  const float ra = a * cf - b * sf, rb = b * cf + a * sf;
  *lo = __float2bfloat16_rn(ra);
  *hi = __float2bfloat16_rn(rb);
}

bool run_case(const Case& c, uint32_t seed) {
  const int H = c.H, Hkv = c.Hkv, D = c.D, M = c.M, half = D / 2, group_heads = H / Hkv;
  const int64_t before = c.before, n = before + M, width = static_cast<int64_t>(H + 2 * Hkv) * D;
  const double theta = 10000.0;
  std::mt19937 rng(seed);
  std::normal_distribution<float> normal(0.f, 1.f);

  // Tags: the prompt (main text), then for a branch step two earlier steps of the same group (one
  // entry per branch each), then the step's rows at one shared position.
  std::vector<int32_t> tpos(n), tgroup(n, -1), tbranch(n, 0), io(1 + 4 * M);
  const int64_t earlier = c.branches ? 2 * M : 0, prompt = before - earlier;
  const int32_t P = static_cast<int32_t>(prompt + (c.branches ? 2 : 0));
  for (int64_t e = 0; e < prompt; ++e) tpos[e] = static_cast<int32_t>(e);
  for (int64_t s = 0; s < (c.branches ? 2 : 0); ++s)
    for (int b = 0; b < M; ++b) {
      const int64_t e = prompt + s * M + b;
      tpos[e] = static_cast<int32_t>(prompt + s), tgroup[e] = 3, tbranch[e] = b + 1;
    }
  io[0] = static_cast<int32_t>(before);
  for (int r = 0; r < M; ++r) {
    const int64_t e = before + r;
    tpos[e] = c.branches ? P : static_cast<int32_t>(prompt);
    tgroup[e] = c.branches ? 3 : -1;
    tbranch[e] = c.branches ? r + 1 : 0;
    io[1 + r] = 0;                   // ids (unused here)
    io[1 + M + r] = tpos[e];         // positions
    io[1 + 2 * M + r] = tgroup[e];   // groups
    io[1 + 3 * M + r] = tbranch[e];  // branches
  }
  const StepIoView view{io.data(), M};
  bool split_cross = false, chunk_cross = false;
  crossings(before, n, decode_attn::chunk_for(D), &split_cross, &chunk_cross);
  if ((c.crosses_split && !split_cross) || (c.crosses_chunk && !chunk_cross)) {
    std::printf("[FAIL] %s: the new entries no longer cross the boundary the case is for\n", c.what);
    return false;
  }

  // Cache (old entries random; new entries random too in the in-place mode, else NaN, which the
  // kernel must overwrite and never read), q or the QKV product, bias, RoPE table.
  std::vector<bf16> kc(static_cast<size_t>(n) * Hkv * D), vc(kc.size()), q(static_cast<size_t>(M) * H * D);
  for (size_t i = 0; i < kc.size(); ++i) {
    const bool is_new = static_cast<int64_t>(i / (Hkv * D)) >= before;
    kc[i] = __float2bfloat16_rn(c.fresh && is_new ? NAN : normal(rng));
    vc[i] = __float2bfloat16_rn(c.fresh && is_new ? NAN : normal(rng));
  }
  for (bf16& v : q) v = __float2bfloat16_rn(normal(rng));
  std::vector<float> qkv(static_cast<size_t>(M) * width), bias(width), rope(static_cast<size_t>(M) * D);
  for (float& v : qkv) v = normal(rng);
  if (c.poison == Case::kQuery) {
    q[0] = __float2bfloat16_rn(NAN);
    qkv[0] = NAN;
  }
  if (c.poison == Case::kKey) {
    if (before == 0) {
      std::printf("[FAIL] %s: a poisoned key needs an entry in the cache\n", c.what);
      return false;
    }
    kc[0] = __float2bfloat16_rn(NAN);
  }
  for (float& v : bias) v = 0.1f * normal(rng);
  for (int r = 0; r < M; ++r)
    for (int i = 0; i < half; ++i) {
      const float2 cs = rope_cos_sin(io[1 + M + r], i, D, theta);
      rope[(static_cast<size_t>(r) * half + i) * 2] = cs.x;
      rope[(static_cast<size_t>(r) * half + i) * 2 + 1] = cs.y;
    }

  // What the kernel should see: q rows and every entry's k, v (bf16 values).
  std::vector<bf16> rq = q, rk = kc, rv = vc;
  if (c.fresh) {
    auto cs = [&](int r, int i) { return make_float2(rope[(r * half + i) * 2], rope[(r * half + i) * 2 + 1]); };
    for (int r = 0; r < M; ++r) {
      const float* row = qkv.data() + static_cast<size_t>(r) * width;
      for (int h = 0; h < H + 2 * Hkv; ++h)
        for (int i = 0; i < half; ++i) {
          const int64_t col = static_cast<int64_t>(h) * D;
          const float a = row[col + i] + bias[col + i], b = row[col + i + half] + bias[col + i + half];
          if (h < H) {
            bf16* dst = &rq[(static_cast<size_t>(r) * H + h) * D];
            rotate(a, b, cs(r, i), &dst[i], &dst[i + half]);
          } else if (h < H + Hkv) {
            bf16* dst = &rk[((before + r) * Hkv + (h - H)) * D];
            rotate(a, b, cs(r, i), &dst[i], &dst[i + half]);
          } else {
            bf16* dst = &rv[((before + r) * Hkv + (h - H - Hkv)) * D];
            dst[i] = __float2bfloat16_rn(a);
            dst[i + half] = __float2bfloat16_rn(b);
          }
        }
    }
  }

  // ---- the kernel, one cluster (head) at a time ----
  std::vector<bf16> out(static_cast<size_t>(M) * H * D, __float2bfloat16_rn(NAN));
  DecodeQkv in;
  if (c.fresh) {
    in.qkv = qkv.data(), in.bias = bias.data(), in.rope = rope.data();
  } else {
    in.q = q.data();
  }
  const EntryTags tags{tpos.data(), tgroup.data(), tbranch.data()};
  const float scale = 1.f / std::sqrt(static_cast<float>(D));
  emu::g_readable = {{reinterpret_cast<const unsigned char*>(q.data()), q.size() * 2},
                     {reinterpret_cast<const unsigned char*>(kc.data()), kc.size() * 2},
                     {reinterpret_cast<const unsigned char*>(vc.data()), vc.size() * 2}};
  const decode_attn::Smem lay{D, decode_attn::chunk_for(D)};
  for (int h = H - 1; h >= 0; --h) {
    std::vector<std::vector<unsigned char>> smem(decode_attn::kSplits, std::vector<unsigned char>(lay.bytes(), 0xFF));
    std::vector<decode_attn::Statics> statics(decode_attn::kSplits);
    std::memset(statics.data(), 0xFF, statics.size() * sizeof(decode_attn::Statics));
    std::deque<emu::BlockEmu> blocks;
    emu::ClusterEmu cluster(decode_attn::kSplits * decode_attn::kThreads);
    for (int b = 0; b < decode_attn::kSplits; ++b) {
      blocks.emplace_back(decode_attn::kThreads, smem[b].data(), lay.bytes());
      cluster.smem.push_back(smem[b].data());
    }
    cluster.late_rank = (h + static_cast<int>(seed)) % decode_attn::kSplits;
    std::vector<std::thread> threads;
    for (int b = 0; b < decode_attn::kSplits; ++b)
      for (int tid = 0; tid < decode_attn::kThreads; ++tid)
        threads.emplace_back([&, b, tid] {
          emu::tl_block = &blocks[b];
          emu::tl_tid = tid;
          emu::tl_cluster = &cluster;
          emu::tl_cluster_rank = b;
          decode_attn::attention_block(in, kc.data(), vc.data(), tags, view, H, Hkv, D, scale * 1.4426950408889634f,
                                       out.data(), h, b, tid, smem[b].data(), statics[b]);
          if (!emu::tl_uncommitted.empty() || !emu::tl_groups.empty()) emu::emu_fail("cp.async still in flight at exit");
        });
    for (std::thread& t : threads) t.join();
  }

  // ---- float64 reference ----
  double worst = 0, scale_out = 0;
  bool ok = true;
  int nan_rows = 0;  // (row, head) pairs whose reference is NaN
  for (int r = 0; r < M && ok; ++r)
    for (int h = 0; h < H && ok; ++h) {
      const int kv = h / group_heads;
      std::vector<double> s(n, -INFINITY);
      double mx = -INFINITY;
      bool nan_score = false;
      for (int64_t e = 0; e < n; ++e) {
        if (!tagged_visible(tpos[before + r], tgroup[before + r], tbranch[before + r], tpos[e], tgroup[e], tbranch[e]))
          continue;
        double dot = 0;
        for (int d = 0; d < D; ++d)
          dot += static_cast<double>(bf(rq[(static_cast<size_t>(r) * H + h) * D + d])) * bf(rk[(e * Hkv + kv) * D + d]);
        s[e] = dot / std::sqrt(static_cast<double>(D));
        nan_score = nan_score || std::isnan(s[e]);
        mx = std::max(mx, s[e]);
      }
      if (nan_score) {  // the softmax of a row with a NaN score is NaN in every dimension
        for (int d = 0; d < D && ok; ++d) {
          const double got = bf(out[(static_cast<size_t>(r) * H + h) * D + d]);
          if (!std::isnan(got)) {
            std::printf("  row %d head %d dim %d: got %.6f, expected NaN (a visible score is NaN)\n", r, h, d, got);
            ok = false;
          }
        }
        ++nan_rows;
        continue;
      }
      double den = 0;
      for (int64_t e = 0; e < n; ++e) den += s[e] == -INFINITY ? 0 : std::exp(s[e] - mx);
      for (int d = 0; d < D; ++d) {
        double o = 0;
        for (int64_t e = 0; e < n; ++e)
          if (s[e] != -INFINITY) o += std::exp(s[e] - mx) / den * bf(rv[(e * Hkv + kv) * D + d]);
        const double got = bf(out[(static_cast<size_t>(r) * H + h) * D + d]);
        const double diff = std::fabs(got - o);
        worst = std::max(worst, std::isnan(got) ? INFINITY : diff);
        scale_out = std::max(scale_out, std::fabs(o));
        if (!(diff <= 8e-3 * std::fabs(o) + 2e-3)) {
          std::printf("  row %d head %d dim %d: got %.6f, reference %.6f\n", r, h, d, got, o);
          ok = false;
          break;
        }
      }
    }
  // The cache: old entries untouched, new ones = the rotated k and v (fresh) or untouched (in place).
  int64_t cache_bad = 0;
  for (size_t i = 0; i < kc.size(); ++i) {
    uint16_t a, b, va, vb;
    std::memcpy(&a, &kc[i], 2), std::memcpy(&b, &rk[i], 2), std::memcpy(&va, &vc[i], 2), std::memcpy(&vb, &rv[i], 2);
    if (a != b || va != vb) ++cache_bad;
  }
  if (cache_bad != 0) {
    std::printf("  %lld cache values differ from the expected entries\n", static_cast<long long>(cache_bad));
    ok = false;
  }
  if (ok && (c.poison != Case::kNone) != (nan_rows > 0)) {  // the planted NaN must reach the reference
    std::printf("  %d rows expected NaN with poison %d\n", nan_rows, static_cast<int>(c.poison));
    ok = false;
  }
  std::printf("[%s] %s: H %d/%d, D %d, %d rows, %lld entries before, %s: max |diff| %.2e (|out| <= %.2f)\n",
              ok ? "ok" : "FAIL", c.what, H, Hkv, D, M, static_cast<long long>(before),
              c.fresh ? "from the QKV product" : "in place", worst, scale_out);
  return ok;
}

// decode_attention_args_ok: good arguments pass; each broken one fails.
bool check_argument_rules() {
  alignas(16) static bf16 cache[64], q[64], out[64];
  alignas(16) static float qkv[64], rope[64];
  static int32_t io[1 + 4 * 17], tag[64];
  const EntryTags tags{tag, tag, tag};
  DecodeQkv from_cache, fresh;
  from_cache.q = q;
  fresh.qkv = qkv, fresh.rope = rope;
  auto ok = [&](const DecodeQkv& in, int M, int H, int Hkv, int D) {
    return decode_attention_args_ok(in, cache, cache, tags, StepIoView{io, M}, H, Hkv, D, out);
  };
  int bad = 0;
  auto expect = [&](bool got, bool want, const char* what) {
    if (got != want) {
      std::printf("  argument rule: %s: %s, expected %s\n", what, got ? "accepted" : "refused", want ? "accepted" : "refused");
      ++bad;
    }
  };
  expect(ok(from_cache, 1, 14, 2, 64), true, "q in place");
  expect(ok(fresh, 16, 28, 4, 128), true, "QKV product");
  expect(ok(from_cache, 3, 4, 4, 80), true, "head dim 80");
  expect(ok(from_cache, 1, 2, 1, 8), false, "head dim 8");
  expect(ok(from_cache, 1, 2, 1, 24), false, "head dim 24");
  expect(ok(from_cache, 1, 2, 1, 272), false, "head dim 272");
  expect(ok(from_cache, 0, 2, 1, 64), false, "no rows");
  expect(ok(from_cache, kDecodeAttentionMaxRows + 1, 2, 1, 64), false, "17 rows");
  expect(ok(from_cache, 1, 3, 2, 64), false, "3 heads over 2 KV heads");
  expect(ok(from_cache, 1, 0, 1, 64), false, "no heads");
  expect(ok(DecodeQkv{}, 1, 2, 1, 64), false, "no inputs");
  DecodeQkv both = fresh;
  both.rope = nullptr;
  both.q = q;
  expect(ok(both, 1, 2, 1, 64), false, "q and a QKV product without its RoPE table");
  DecodeQkv odd_q;
  odd_q.q = q + 1;
  expect(ok(odd_q, 1, 2, 1, 64), false, "q not 16-byte aligned");
  expect(decode_attention_args_ok(from_cache, cache + 4, cache, tags, StepIoView{io, 1}, 2, 1, 64, out), false,
         "cache not 16-byte aligned");
  expect(decode_attention_args_ok(from_cache, cache, cache, EntryTags{tag, nullptr, tag}, StepIoView{io, 1}, 2, 1, 64, out),
         false, "no group tags");
  expect(decode_attention_args_ok(from_cache, cache, cache, tags, StepIoView{nullptr, 1}, 2, 1, 64, out), false,
         "no step inputs");
  expect(decode_attention_args_ok(from_cache, cache, cache, tags, StepIoView{io, 1}, 2, 1, 64, nullptr), false,
         "no output");
  std::printf("[%s] argument rules: %d of 17 wrong\n", bad == 0 ? "ok" : "FAIL", bad);
  return bad == 0;
}

}  // namespace

int main() {
  const Case cases[] = {
      {"serial, fewer entries than splits", 2, 1, 64, 1, 5, true, false},
      {"serial, one chunk per split", 4, 2, 64, 1, 700, true, false},
      {"serial, several chunks per split", 2, 2, 64, 1, 2100, false, false},
      {"8 branches across a split boundary", 4, 1, 64, 8, 90, true, true, true, false},
      {"16 branches across a chunk boundary", 2, 1, 128, 16, 616, true, true, false, true},
      {"3 branches, head dim 16", 2, 1, 16, 3, 61, false, true},
      {"5 branches, head dim 256", 2, 1, 256, 5, 300, true, true},
      {"2 branches, several chunks", 2, 2, 128, 2, 1100, false, true},
      {"4 branches, head dim 80", 4, 2, 80, 4, 200, true, true},
      {"serial, empty cache (head dim 48)", 2, 1, 48, 1, 0, true, false},
      {"serial, NaN in q", 2, 1, 64, 1, 700, false, false, false, false, Case::kQuery},
      {"4 branches, NaN in the QKV product's q", 4, 2, 64, 4, 200, true, true, false, false, Case::kQuery},
      {"serial, NaN in a cached key", 4, 2, 64, 1, 2100, false, false, false, false, Case::kKey},
      {"8 branches, NaN in a cached key", 4, 1, 128, 8, 90, true, true, false, false, Case::kKey},
  };
  int failed = check_argument_rules() ? 0 : 1;
  uint32_t seed = 11;
  for (const Case& c : cases) failed += run_case(c, seed++) ? 0 : 1;
  std::printf("%d of %zu checks failed\n", failed, sizeof(cases) / sizeof(cases[0]) + 1);
  return failed == 0 ? 0 : 1;
}
