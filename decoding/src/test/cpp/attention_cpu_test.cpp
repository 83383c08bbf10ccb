// Fast float32 CPU attention vs the float64 reference on fresh random inputs over many shapes
// (ragged T, several groups, 2-16 branches, long prefixes, GQA), plus decode-vs-prefill and
// branch-isolation checks.
#include <algorithm>
#include <cmath>
#include <limits>
#include <random>

#include "attention_check.h"
#include "core/attention_cpu.h"
#include "core/attention_reference.h"
#include "core/layout.h"
#include "core/visibility.h"
#include "mini_test.h"
#include "random_layouts.h"

using namespace aspd;
using namespace aspd::testing;

namespace {

struct Case {
  SampleLayout layout;
  PrefillDims dims;
  std::vector<float> q, k, v;
};

Case random_case(std::mt19937& rng, const SampleSpec& spec, int32_t H, int32_t Hkv, int32_t D) {
  const SpecialTokens st = random_specials(rng, 5000);
  const GeneratedSample s = generate_sample(rng, st, 5000, spec);
  Case c;
  LayoutError err;
  if (!compute_layout(s.ids.data(), s.ids.size(), st, 5000, &c.layout, &err)) throw mini::Failure(err.message);
  c.dims = PrefillDims{static_cast<int64_t>(s.ids.size()), H, Hkv, D};
  // Scale inputs by 3 so some softmax rows are peaked and the online max actually moves.
  std::uniform_real_distribution<float> u(-3.f, 3.f);
  auto fill = [&](std::vector<float>& x, size_t n) {
    x.resize(n);
    for (float& e : x) e = u(rng);
  };
  fill(c.q, c.dims.T * H * D);
  fill(c.k, c.dims.T * Hkv * D);
  fill(c.v, c.dims.T * Hkv * D);
  return c;
}

std::vector<double> reference(const Case& c, double scale) {
  std::vector<double> out(c.q.size());
  prefill_reference(c.q.data(), c.k.data(), c.v.data(), c.layout.group_id.data(),
                    c.layout.branch_id.data(), c.dims, scale, out.data());
  return out;
}

std::vector<float> fast(const Case& c, float scale, int threads, TileStats* stats = nullptr) {
  CpuAttention* ctx = create_cpu_attention(threads);
  std::vector<float> out(c.q.size());
  prefill_cpu(ctx, c.q.data(), c.k.data(), c.v.data(), c.layout.group_id.data(),
              c.layout.branch_id.data(), c.dims, scale, out.data(), stats);
  free_cpu_attention(ctx);
  return out;
}

}  // namespace

TEST(cpu_prefill_matches_float64_reference_over_shapes) {
  std::mt19937 rng(7);
  struct Shape { int32_t H, Hkv, D; SampleSpec spec; };
  SampleSpec small;  // default: 1-4 groups, 2-16 branches
  SampleSpec long_prefix;
  long_prefix.serial_min = 150;
  long_prefix.serial_max = 400;
  long_prefix.groups_max = 2;
  SampleSpec long_branches;
  long_branches.content_min = 60;
  long_branches.content_max = 140;
  long_branches.branches_max = 5;
  const Shape shapes[] = {{1, 1, 1, small},         {2, 1, 7, small},         {4, 2, 16, small},
                          {4, 4, 64, long_prefix},  {8, 2, 32, long_branches}, {2, 2, 128, small},
                          {6, 3, 24, long_prefix},  {4, 1, 48, long_branches}};
  long pairs = 0;
  for (int rep = 0; rep < 3; ++rep)
    for (const Shape& s : shapes) {
      const Case c = random_case(rng, s.spec, s.H, s.Hkv, s.D);
      const double scale = 1.0 / std::sqrt(static_cast<double>(s.D));
      const std::vector<double> want = reference(c, scale);
      const std::vector<float> got = fast(c, static_cast<float>(scale), 2);
      compare("prefill T=" + std::to_string(c.dims.T) + " H=" + std::to_string(s.H) + " Hkv=" +
                  std::to_string(s.Hkv) + " D=" + std::to_string(s.D),
              got.data(), want.data(), want.size(), 2e-5, 2e-4);
      pairs += c.dims.T;
    }
  CHECK(pairs > 0);
}

TEST(cpu_prefill_is_thread_count_independent) {
  std::mt19937 rng(8);
  const Case c = random_case(rng, {}, 4, 2, 32);
  const std::vector<float> one = fast(c, 0.2f, 1), three = fast(c, 0.2f, 3);
  CHECK(one == three);  // every row is computed by one worker in a fixed order
}

// Long sibling branches span whole 64-key tiles, so some tile pairs must be skipped, and the
// result must still match the reference.
TEST(cpu_prefill_skips_sibling_tiles) {
  std::mt19937 rng(9);
  SampleSpec spec;
  spec.groups_min = spec.groups_max = 1;
  spec.branches_min = spec.branches_max = 4;
  spec.content_min = 200;
  spec.content_max = 260;
  const Case c = random_case(rng, spec, 2, 1, 16);
  TileStats stats;
  const std::vector<float> got = fast(c, 0.25f, 2, &stats);
  CHECK_MSG(stats.skipped > 0, "visited " << stats.visited);
  CHECK(stats.skipped < stats.visited);
  const std::vector<double> want = reference(c, 0.25);
  compare("prefill with skipped tiles", got.data(), want.data(), want.size(), 2e-5, 2e-4);
}

// Decode with (position, group, branch) tags against the full packed cache, in shuffled physical
// order, equals the packed prefill row: positions make future entries invisible under Same-Seq.
TEST(cpu_decode_with_same_seq_tags_equals_packed_rows) {
  std::mt19937 rng(10);
  for (int rep = 0; rep < 6; ++rep) {
    const Case c = random_case(rng, {}, 4, 2, 16);
    const int64_t T = c.dims.T;
    const std::vector<int32_t>& pos = c.layout.positions[static_cast<int>(PositionMode::kSameSeq)];
    std::vector<int64_t> order(T);
    for (int64_t i = 0; i < T; ++i) order[i] = i;
    std::shuffle(order.begin(), order.end(), rng);
    const int64_t row = static_cast<int64_t>(c.dims.Hkv) * c.dims.D;
    std::vector<float> k(c.k.size()), v(c.v.size());
    std::vector<int32_t> ep(T), eg(T), eb(T);
    for (int64_t e = 0; e < T; ++e) {
      const int64_t src = order[e];
      std::copy(c.k.begin() + src * row, c.k.begin() + (src + 1) * row, k.begin() + e * row);
      std::copy(c.v.begin() + src * row, c.v.begin() + (src + 1) * row, v.begin() + e * row);
      ep[e] = pos[src];
      eg[e] = c.layout.group_id[src];
      eb[e] = c.layout.branch_id[src];
    }
    const DecodeDims dd{T, T, c.dims.H, c.dims.Hkv, c.dims.D};
    CpuAttention* ctx = create_cpu_attention(2);
    std::vector<float> got(c.q.size());
    decode_cpu(ctx, c.q.data(), k.data(), v.data(),
               TokenTags{pos.data(), c.layout.group_id.data(), c.layout.branch_id.data()},
               TokenTags{ep.data(), eg.data(), eb.data()}, dd, 0.25f, got.data());
    free_cpu_attention(ctx);
    std::vector<double> want_decode(c.q.size());
    decode_reference(c.q.data(), k.data(), v.data(),
                     TokenTags{pos.data(), c.layout.group_id.data(), c.layout.branch_id.data()},
                     TokenTags{ep.data(), eg.data(), eb.data()}, dd, 0.25, want_decode.data());
    const std::vector<double> want = reference(c, 0.25);
    compare("decode reference vs packed prefill", want_decode.data(), want.data(), want.size(), 1e-12, 1e-12);
    compare("cpu decode vs packed prefill", got.data(), want.data(), want.size(), 2e-5, 2e-4);
  }
}

// §8(c) at the attention level: changing K/V of one branch leaves sibling rows and earlier rows
// bit-identical and changes the main rows after the group.
TEST(cpu_prefill_branch_perturbation_reaches_only_later_main_rows) {
  std::mt19937 rng(11);
  SampleSpec spec;
  spec.groups_min = spec.groups_max = 1;
  Case c = random_case(rng, spec, 2, 2, 8);
  const GroupSpan& g = c.layout.groups[0];
  const BranchSpan& b = g.branches[0];
  const std::vector<float> before = fast(c, 0.3f, 1);
  const int64_t row = static_cast<int64_t>(c.dims.Hkv) * c.dims.D;
  for (int64_t i = b.start; i < b.start + b.length; ++i)
    for (int64_t x = 0; x < row; ++x) c.v[i * row + x] += 1.0f;
  const std::vector<float> after = fast(c, 0.3f, 1);
  const int64_t out_row = static_cast<int64_t>(c.dims.H) * c.dims.D;
  auto row_equal = [&](int64_t i) {
    return std::equal(before.begin() + i * out_row, before.begin() + (i + 1) * out_row, after.begin() + i * out_row);
  };
  for (int64_t i = 0; i < c.dims.T; ++i) {
    const bool in_b = i >= b.start && i < b.start + b.length;
    if (i < b.start || (!in_b && i < g.para_end)) CHECK_MSG(row_equal(i), "row " << i << " changed");
    if (i >= g.para_end || in_b) CHECK_MSG(!row_equal(i), "row " << i << " did not change");
  }
}

// The tile predicates of visibility.h against every pair: tile_pair_all_visible must never claim a
// tile pair that holds an invisible pair, tile_pair_invisible never one that holds a visible pair.
// Tiles are random ranges of random samples (ragged sizes, tiles across group and branch edges),
// plus 16/64-aligned tiles as the kernels use them; each rule of the predicate must fire.
TEST(tile_pair_predicates_agree_with_every_pair) {
  std::mt19937 rng(11);
  const SpecialTokens st = random_specials(rng, 5000);
  long all_visible = 0, invisible = 0, main_only = 0, one_branch = 0, disjoint = 0;
  auto check_pair = [&](const GeneratedSample& s, int64_t q0, int64_t q1, int64_t k0, int64_t k1) {
    const TileLabels q = summarize_tile(s.group_id.data(), s.branch_id.data(), q0, q1);
    const TileLabels k = summarize_tile(s.group_id.data(), s.branch_id.data(), k0, k1);
    const bool claim_all = tile_pair_all_visible(q, k), claim_none = tile_pair_invisible(q, k);
    CHECK(!(claim_all && claim_none));
    for (int64_t i = q0; i < q1; ++i)
      for (int64_t j = k0; j < k1; ++j) {
        const bool vis = label_visible(s.group_id[i], s.branch_id[i], s.group_id[j], s.branch_id[j]);
        CHECK_MSG(!claim_all || vis, "all-visible claimed, pair (" << i << ", " << j << ") invisible");
        CHECK_MSG(!claim_none || !vis, "invisible claimed, pair (" << i << ", " << j << ") visible");
      }
    all_visible += claim_all;
    invisible += claim_none;
    main_only += claim_all && (q.g_max < 0 || k.g_max < 0);
    one_branch += claim_all && q.g_min >= 0 && q.g_min == k.g_max && q.b_min == q.b_max;
    disjoint += claim_all && q.g_max >= 0 && k.g_max >= 0 && (k.g_max < q.g_min || k.g_min > q.g_max);
  };
  SampleSpec spec;
  spec.content_max = 90;
  for (int rep = 0; rep < 40; ++rep) {
    const GeneratedSample s = generate_sample(rng, st, 5000, spec);
    const int64_t T = static_cast<int64_t>(s.group_id.size());
    for (int64_t tile : {16, 64})
      for (int64_t q0 = 0; q0 < T; q0 += tile)
        for (int64_t k0 = 0; k0 <= q0; k0 += tile)
          check_pair(s, q0, std::min(T, q0 + tile), k0, std::min(T, k0 + tile));
    std::uniform_int_distribution<int64_t> pos(0, T - 1), len(1, 40);
    for (int n = 0; n < 300; ++n) {
      const int64_t q0 = pos(rng), k0 = pos(rng);
      check_pair(s, q0, std::min(T, q0 + len(rng)), k0, std::min(T, k0 + len(rng)));
    }
  }
  CHECK_MSG(main_only > 0 && one_branch > 0 && disjoint > 0 && invisible > 0,
            "rules fired: main " << main_only << ", one branch " << one_branch << ", disjoint "
                                 << disjoint << ", invisible " << invisible);
  CHECK(all_visible > invisible);
}

// A NaN score is not ordered: a running max that dropped it read a row whose visible scores were
// all NaN as "nothing visible" and wrote zeros. A NaN key must make exactly the rows that see it
// NaN, in the tiled kernel, in the float64 reference and in decode, whatever the tiling.
TEST(nan_key_makes_exactly_the_rows_that_see_it_nan) {
  std::mt19937 rng(12);
  SampleSpec spec;
  spec.groups_min = spec.groups_max = 1;
  spec.branches_min = spec.branches_max = 3;
  spec.content_min = 70;  // branches over one 64-key tile: whole tiles of NaN scores
  spec.content_max = 90;
  Case c = random_case(rng, spec, 2, 1, 8);
  const int64_t T = c.dims.T;
  std::vector<int64_t> poisoned = {0};  // the first token: every row sees it
  for (int64_t j = 0; j < T; ++j)
    if (c.layout.group_id[j] >= 0 && c.layout.branch_id[j] == 2) {
      poisoned.push_back(j);  // and the first token of the second branch
      break;
    }
  CHECK_EQ(poisoned.size(), size_t{2});
  for (int64_t p : poisoned) {
    Case x = c;
    x.k[p * c.dims.Hkv * c.dims.D] = std::numeric_limits<float>::quiet_NaN();
    const std::vector<float> got = fast(x, 0.3f, 2);
    const std::vector<double> want = reference(x, 0.3);
    const std::vector<int32_t>& pos = x.layout.positions[static_cast<int>(PositionMode::kSameSeq)];
    std::vector<float> dec(x.q.size());
    CpuAttention* ctx = create_cpu_attention(2);
    const TokenTags tags{pos.data(), x.layout.group_id.data(), x.layout.branch_id.data()};
    decode_cpu(ctx, x.q.data(), x.k.data(), x.v.data(), tags, tags, DecodeDims{T, T, 2, 1, 8}, 0.3f, dec.data());
    free_cpu_attention(ctx);
    int64_t nan_rows = 0;
    for (int64_t i = 0; i < T; ++i) {
      const bool sees = packed_visible(i, p, x.layout.group_id[i], x.layout.branch_id[i], x.layout.group_id[p],
                                       x.layout.branch_id[p]) && p <= i;
      nan_rows += sees;
      for (int64_t e = i * 2 * 8; e < (i + 1) * 2 * 8; ++e) {
        CHECK_MSG(std::isnan(got[e]) == sees && std::isnan(want[e]) == sees && std::isnan(dec[e]) == sees,
                  "key " << p << " row " << i << ": sees " << sees << ", got " << got[e] << ", reference "
                         << want[e] << ", decode " << dec[e]);
        if (!sees) CHECK(std::fabs(got[e] - want[e]) < 2e-4);
      }
    }
    CHECK_MSG(p == 0 ? nan_rows == T : nan_rows > 0 && nan_rows < T, "key " << p << ": " << nan_rows << " NaN rows of " << T);
  }
}
