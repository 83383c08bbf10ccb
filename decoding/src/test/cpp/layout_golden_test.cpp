// §5 mask and §6 position table on the toy sequence, under two unrelated special-id assignments
// (Qwen2.5-like ids and a small permuted set) to show nothing depends on particular ids.
#include "core/layout.h"
#include "core/visibility.h"
#include "golden_toy.h"
#include "mini_test.h"

using namespace aspd;
using aspd::testing::GoldenToy;

namespace {

const SpecialTokens kQwenLike{151665, 151666, 151667, 151668, 151669, 151670};
const SpecialTokens kPermuted{7, 3, 11, 2, 5, 0};

void check_golden(const SpecialTokens& st, int64_t vocab) {
  const GoldenToy g = aspd::testing::read_golden(mini::arg(0));
  const std::vector<int32_t> ids = aspd::testing::toy_ids(g, st);
  CHECK_EQ(ids.size(), size_t{26});
  SampleLayout layout;
  LayoutError err;
  CHECK_MSG(compute_layout(ids.data(), ids.size(), st, vocab, &layout, &err), err.message);
  CHECK(layout.group_id == g.group_id);
  CHECK(layout.branch_id == g.branch_id);
  const char* modes[3] = {"SAME_SEQ", "SAME_MAX", "FIXED_RANGE"};
  for (int m = 0; m < 3; ++m) CHECK_MSG(layout.positions[m] == g.positions.at(modes[m]), modes[m]);
  CHECK_EQ(g.mask.size(), ids.size());
  for (size_t i = 0; i < ids.size(); ++i)
    for (size_t j = 0; j < ids.size(); ++j) {
      const bool v = packed_visible(i, j, layout.group_id[i], layout.branch_id[i],
                                    layout.group_id[j], layout.branch_id[j]);
      CHECK_MSG(v == (g.mask[i][j] == '1'), "mask(" << i << "," << j << ")");
    }
}

}  // namespace

TEST(golden_toy_qwen_like_ids) { check_golden(kQwenLike, 152064); }

TEST(golden_toy_permuted_ids) { check_golden(kPermuted, 64); }

// The reference pitfall (§5): exporting the <|para|>/<|/para|> ids as branch markers must not
// silently yield a plain causal mask; the grammar rejects the sample instead.
TEST(golden_toy_rejects_para_ids_as_branch_markers) {
  const GoldenToy g = aspd::testing::read_golden(mini::arg(0));
  const std::vector<int32_t> ids = aspd::testing::toy_ids(g, kQwenLike);
  const SpecialTokens swapped{kQwenLike.para, kQwenLike.para_end, kQwenLike.title,
                              kQwenLike.title_end, kQwenLike.branch, kQwenLike.branch_end};
  SampleLayout layout;
  LayoutError err;
  CHECK(!compute_layout(ids.data(), ids.size(), swapped, 152064, &layout, &err));
  CHECK_EQ(err.index, int64_t{11});
  CHECK(err.rule == LayoutRule::kTextBetweenTitlesAndPara);
}
