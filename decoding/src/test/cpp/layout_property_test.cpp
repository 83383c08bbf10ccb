// Random well-formed samples: the parser must recover the labels the generator intended, and
// positions must match closed-form expressions of §6 computed from the intended group spans.
#include <random>

#include "core/layout.h"
#include "core/visibility.h"
#include "mini_test.h"
#include "random_layouts.h"

using namespace aspd;
using aspd::testing::GeneratedSample;

namespace {

struct GroupShape {
  int64_t total = 0, longest = 0, k = 0;
};

GroupShape shape_of(const GroupSpan& g) {
  GroupShape s;
  s.k = static_cast<int64_t>(g.branches.size());
  for (const BranchSpan& b : g.branches) {
    s.total += b.length;
    s.longest = std::max(s.longest, b.length);
  }
  return s;
}

// Expected position of token i: main tokens shift by what earlier groups saved (Same-Seq: 0,
// Same-Max: total - longest, Fixed-range: total - k * longest); branch tokens sit at
// pos(<|para|>) + 1 + offset (+ branch index * longest for Fixed-range).
int64_t expected_position(const GeneratedSample& s, size_t i, PositionMode mode) {
  int64_t shift = 0;
  for (const GroupSpan& g : s.groups) {
    const GroupShape sh = shape_of(g);
    const int64_t saved = mode == PositionMode::kSameSeq   ? 0
                          : mode == PositionMode::kSameMax ? sh.total - sh.longest
                                                           : sh.total - sh.k * sh.longest;
    if (static_cast<int64_t>(i) >= g.para_end) {
      shift += saved;
      continue;
    }
    if (static_cast<int64_t>(i) <= g.para) break;
    for (size_t b = 0; b < g.branches.size(); ++b) {
      const BranchSpan& br = g.branches[b];
      if (static_cast<int64_t>(i) < br.start || static_cast<int64_t>(i) >= br.start + br.length) continue;
      const int64_t para_pos = g.para - shift;
      const int64_t lane = mode == PositionMode::kFixedRange ? static_cast<int64_t>(b) * sh.longest : 0;
      return para_pos + 1 + lane + (static_cast<int64_t>(i) - br.start);
    }
  }
  return static_cast<int64_t>(i) - shift;
}

}  // namespace

TEST(random_samples_recover_intended_labels_and_positions) {
  std::mt19937 rng(1234);
  for (int round = 0; round < 300; ++round) {
    const int32_t vocab = round % 2 == 0 ? 50 : 152064;
    const SpecialTokens st = aspd::testing::random_specials(rng, vocab);
    const GeneratedSample s = aspd::testing::generate_sample(rng, st, vocab, {});
    SampleLayout layout;
    LayoutError err;
    CHECK_MSG(compute_layout(s.ids.data(), s.ids.size(), st, vocab, &layout, &err), err.message);
    CHECK(layout.group_id == s.group_id);
    CHECK(layout.branch_id == s.branch_id);
    CHECK_EQ(layout.groups.size(), s.groups.size());
    for (int m = 0; m < 3; ++m)
      for (size_t i = 0; i < s.ids.size(); ++i)
        CHECK_MSG(layout.positions[m][i] == expected_position(s, i, static_cast<PositionMode>(m)),
                  "round " << round << " mode " << m << " token " << i);
  }
}

// Row i of the mask sees exactly: i + 1 keys for a main token; prefix through <|para|> plus its
// own branch so far for a branch token (offset j): para + 1 + j + 1 keys.
TEST(random_samples_mask_row_counts) {
  std::mt19937 rng(99);
  for (int round = 0; round < 40; ++round) {
    const SpecialTokens st = aspd::testing::random_specials(rng, 1000);
    const GeneratedSample s = aspd::testing::generate_sample(rng, st, 1000, {});
    std::vector<int64_t> para_of_group;
    for (const GroupSpan& g : s.groups) para_of_group.push_back(g.para);
    for (size_t i = 0; i < s.ids.size(); ++i) {
      int64_t visible = 0;
      for (size_t j = 0; j < s.ids.size(); ++j)
        visible += packed_visible(i, j, s.group_id[i], s.branch_id[i], s.group_id[j], s.branch_id[j]);
      const int64_t expected = s.group_id[i] < 0 ? static_cast<int64_t>(i) + 1
                                                 : para_of_group[s.group_id[i]] + 1 + s.offset[i] + 1;
      CHECK_MSG(visible == expected, "round " << round << " row " << i);
    }
  }
}
