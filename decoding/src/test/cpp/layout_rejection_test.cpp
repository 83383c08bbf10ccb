// Malformed samples: each edit of the §5 toy sequence must be rejected with the rule and the
// token index that broke it.
#include <functional>

#include "core/layout.h"
#include "golden_toy.h"
#include "mini_test.h"

using namespace aspd;

namespace {

const SpecialTokens kSt{100, 101, 102, 103, 104, 105};
constexpr int64_t kVocab = 200;

std::vector<int32_t> toy() {
  return aspd::testing::toy_ids(aspd::testing::read_golden(mini::arg(0)), kSt);
}

void expect_rejected(const std::vector<int32_t>& ids, LayoutRule rule, int64_t index,
                     const SpecialTokens& st = kSt) {
  SampleLayout layout;
  LayoutError err;
  CHECK_MSG(!compute_layout(ids.data(), ids.size(), st, kVocab, &layout, &err), "accepted");
  CHECK_MSG(err.rule == rule, "got " << layout_rule_name(err.rule) << ": " << err.message);
  CHECK_MSG(err.index == index, "index " << err.index << ": " << err.message);
  CHECK(err.message.find(layout_rule_name(rule)) != std::string::npos);
}

}  // namespace

TEST(toy_is_accepted_before_edits) {
  SampleLayout layout;
  LayoutError err;
  const auto ids = toy();
  CHECK_MSG(compute_layout(ids.data(), ids.size(), kSt, kVocab, &layout, &err), err.message);
}

TEST(rejects_para_without_close) {
  auto ids = toy();
  ids.resize(23);  // drop <|/para|> t0 t1
  expect_rejected(ids, LayoutRule::kUnterminated, 23);
}

TEST(rejects_branch_run_started_by_title) {
  auto ids = toy();
  ids[12] = kSt.title;
  expect_rejected(ids, LayoutRule::kBranchRunNotStarted, 12);
}

TEST(rejects_one_branch_group) {
  // p0 <|title|> A <|/title|> <|para|> <|branch|> A x <|/branch|> <|/para|> t
  const std::vector<int32_t> ids{1, kSt.title, 2, kSt.title_end, kSt.para, kSt.branch, 2, 3,
                                 kSt.branch_end, kSt.para_end, 4};
  expect_rejected(ids, LayoutRule::kTooFewBranches, 9);
}

TEST(rejects_token_id_out_of_range) {
  auto ids = toy();
  ids[15] = kVocab;
  expect_rejected(ids, LayoutRule::kTokenIdOutOfRange, 15);
}

TEST(rejects_negative_token_id) {
  auto ids = toy();
  ids[3] = -5;
  expect_rejected(ids, LayoutRule::kNegativeTokenId, 3);
}

TEST(rejects_special_ids_that_are_not_distinct) {
  const SpecialTokens dup{100, 101, 102, 103, 104, 100};
  expect_rejected(toy(), LayoutRule::kSpecialIdsInvalid, -1, dup);
  const SpecialTokens negative{100, 101, 102, 103, -1, 105};
  expect_rejected(toy(), LayoutRule::kSpecialIdsInvalid, -1, negative);
}

TEST(rejects_nested_branch) {
  auto ids = toy();
  ids[15] = kSt.branch;
  expect_rejected(ids, LayoutRule::kNestedMarker, 15);
}

TEST(rejects_header_not_repeating_title) {
  auto ids = toy();
  ids[19] = ids[13];  // branch 2 starts with title A's id instead of B's
  expect_rejected(ids, LayoutRule::kHeaderMismatch, 19);
}

// §1: B_i = <|branch|> T_i ": " C_i <|/branch|>; with the tokenizer's ": " ids given, a header
// without them is refused (the engine forces them, so such a row could never be decoded).
TEST(rejects_header_without_its_separator_when_the_separator_is_given) {
  const auto good = toy();
  const std::vector<int32_t> sep = {good[14]};  // <colon-space>
  SampleLayout layout;
  LayoutError err;
  CHECK_MSG(compute_layout(good.data(), good.size(), kSt, kVocab, &layout, &err, sep), err.message);
  auto ids = good;
  ids[20] = ids[15];  // branch 2: B then a1, no separator
  CHECK_MSG(!compute_layout(ids.data(), ids.size(), kSt, kVocab, &layout, &err, sep), "accepted");
  CHECK_MSG(err.rule == LayoutRule::kHeaderMismatch && err.index == 20, err.message);
  CHECK(err.message.find("\": \"") != std::string::npos);
  CHECK_MSG(compute_layout(ids.data(), ids.size(), kSt, kVocab, &layout, &err), "unchecked without the ids");
  ids = good;
  ids.erase(ids.begin() + 20, ids.begin() + 22);  // "<|branch|> B <|/branch|>": closed inside the header
  CHECK_MSG(!compute_layout(ids.data(), ids.size(), kSt, kVocab, &layout, &err, sep), "accepted");
  CHECK_MSG(err.rule == LayoutRule::kHeaderMismatch && err.index == 20, err.message);
  CHECK(err.message.find("inside its") != std::string::npos);
  const std::vector<int32_t> marker = {kSt.para};
  CHECK(!compute_layout(good.data(), good.size(), kSt, kVocab, &layout, &err, marker));
  CHECK(err.rule == LayoutRule::kSpecialIdsInvalid);
}

TEST(rejects_duplicate_title) {
  auto ids = toy();
  ids[9] = ids[6];  // second title = first title
  expect_rejected(ids, LayoutRule::kDuplicateTitle, 10);
}

TEST(rejects_adjacent_groups) {
  auto ids = toy();
  ids.resize(24);  // ... <|/para|>
  const std::vector<int32_t> second(ids.begin() + 5, ids.begin() + 24);  // another whole group
  ids.insert(ids.end(), second.begin(), second.end());
  expect_rejected(ids, LayoutRule::kAdjacentGroups, 24);
}

TEST(rejects_marker_in_serial_text) {
  auto ids = toy();
  ids[3] = kSt.branch_end;
  expect_rejected(ids, LayoutRule::kMarkerOutsideGroup, 3);
}

TEST(rejects_text_between_titles_and_para) {
  auto ids = toy();
  ids.insert(ids.begin() + 11, 42);
  expect_rejected(ids, LayoutRule::kTextBetweenTitlesAndPara, 11);
}

TEST(rejects_empty_title) {
  auto ids = toy();
  ids.erase(ids.begin() + 6);  // <|title|> <|/title|>
  expect_rejected(ids, LayoutRule::kEmptyTitle, 6);
}

TEST(rejects_more_titles_than_branches) {
  auto ids = toy();
  const std::vector<int32_t> third{kSt.title, 50, kSt.title_end};
  ids.insert(ids.begin() + 11, third.begin(), third.end());  // 3 titles, 2 branches
  expect_rejected(ids, LayoutRule::kBranchCountMismatch, 26);
}

TEST(rejects_text_between_branches) {
  auto ids = toy();
  ids.insert(ids.begin() + 18, 42);
  expect_rejected(ids, LayoutRule::kBranchRunNotStarted, 18);
}

TEST(rejects_para_without_titles) {
  auto ids = toy();
  ids[5] = 42;  // the first <|title|> becomes text, so <|/title|> at 7 is outside a list
  expect_rejected(ids, LayoutRule::kMarkerOutsideGroup, 7);
  const std::vector<int32_t> bare{1, kSt.para};
  expect_rejected(bare, LayoutRule::kParaWithoutTitles, 1);
}
