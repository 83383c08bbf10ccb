// Random well-formed ASPD samples for property tests: several groups of 2-16 branches separated
// by serial gaps, with the labels and branch offsets the generator intended, so tests can compare
// the parser against the construction instead of against a second copy of the rule.
#pragma once

#include <cstdint>
#include <random>
#include <utility>
#include <vector>

#include "core/layout.h"

namespace aspd::testing {

struct SampleSpec {
  int groups_min = 1, groups_max = 4;
  int branches_min = 2, branches_max = 16;
  int serial_min = 1, serial_max = 24;     // serial tokens before, between and after groups
  int content_min = 0, content_max = 40;   // branch content tokens after the title header
  int title_max = 3;
};

struct GeneratedSample {
  std::vector<int32_t> ids;
  std::vector<int32_t> group_id, branch_id;  // intended labels [T]
  std::vector<int32_t> offset;               // offset from <|branch|> ([T], -1 for main)
  std::vector<GroupSpan> groups;             // intended group spans
};

// Six distinct random ids in [0, vocab).
SpecialTokens random_specials(std::mt19937& rng, int32_t vocab);

GeneratedSample generate_sample(std::mt19937& rng, const SpecialTokens& st, int32_t vocab,
                                const SampleSpec& spec);

// The first id >= from that is neither one of the six specials nor in `avoid` (EOS ids, prompt
// tokens that must not collide with a sample's ids).
int32_t plain_token(const SpecialTokens& st, const std::vector<int32_t>& avoid, int32_t from);

// Per-token group and branch labels (group -1 / branch 0 = main text).
struct Labels {
  std::vector<int32_t> group, branch;
};

// Labels straight from runs (length, branches): branches = 0 is main text, else a group of
// `branches` branches of `length` tokens each; groups and branches are numbered in order.
Labels labels_of(const std::vector<std::pair<int, int>>& runs);

// Random floats in [-1, 1] on a 1/64 grid: exactly representable in bf16 and fp16, so GPU and
// CPU paths see identical inputs.
std::vector<float> grid_floats(std::mt19937& rng, size_t n);

}  // namespace aspd::testing
