#include "random_layouts.h"

#include <algorithm>
#include <set>

namespace aspd::testing {

namespace {

bool is_special(const SpecialTokens& st, int32_t id) {
  return id == st.branch || id == st.branch_end || id == st.title || id == st.title_end ||
         id == st.para || id == st.para_end;
}

int32_t plain_id(std::mt19937& rng, const SpecialTokens& st, int32_t vocab) {
  std::uniform_int_distribution<int32_t> pick(0, vocab - 1);
  int32_t id;
  do id = pick(rng);
  while (is_special(st, id));
  return id;
}

int uniform(std::mt19937& rng, int lo, int hi) { return std::uniform_int_distribution<int>(lo, hi)(rng); }

}  // namespace

SpecialTokens random_specials(std::mt19937& rng, int32_t vocab) {
  std::set<int32_t> seen;
  int32_t v[6];
  for (int i = 0; i < 6; ++i) {
    do v[i] = std::uniform_int_distribution<int32_t>(0, vocab - 1)(rng);
    while (!seen.insert(v[i]).second);
  }
  return SpecialTokens{v[0], v[1], v[2], v[3], v[4], v[5]};
}

GeneratedSample generate_sample(std::mt19937& rng, const SpecialTokens& st, int32_t vocab,
                                const SampleSpec& spec) {
  GeneratedSample s;
  auto push = [&](int32_t id, int32_t g, int32_t b, int32_t off) {
    s.ids.push_back(id);
    s.group_id.push_back(g);
    s.branch_id.push_back(b);
    s.offset.push_back(off);
  };
  auto serial = [&] {
    for (int n = uniform(rng, spec.serial_min, spec.serial_max); n > 0; --n)
      push(plain_id(rng, st, vocab), -1, 0, -1);
  };
  const int groups = uniform(rng, spec.groups_min, spec.groups_max);
  int32_t branch_count = 0;
  serial();
  for (int g = 0; g < groups; ++g) {
    const int k = uniform(rng, spec.branches_min, spec.branches_max);
    // Unique titles: the first title token differs between titles of a group.
    std::vector<std::vector<int32_t>> titles;
    std::set<int32_t> firsts;
    while (static_cast<int>(titles.size()) < k) {
      std::vector<int32_t> t{plain_id(rng, st, vocab)};
      if (!firsts.insert(t[0]).second) continue;
      for (int n = uniform(rng, 0, spec.title_max - 1); n > 0; --n) t.push_back(plain_id(rng, st, vocab));
      titles.push_back(t);
    }
    for (const auto& t : titles) {
      push(st.title, -1, 0, -1);
      for (int32_t id : t) push(id, -1, 0, -1);
      push(st.title_end, -1, 0, -1);
    }
    GroupSpan span{static_cast<int64_t>(s.ids.size()), -1, {}};
    push(st.para, -1, 0, -1);
    for (const auto& t : titles) {
      ++branch_count;
      const int64_t start = static_cast<int64_t>(s.ids.size());
      int32_t off = 0;
      push(st.branch, g, branch_count, off++);
      for (int32_t id : t) push(id, g, branch_count, off++);
      for (int n = uniform(rng, spec.content_min, spec.content_max); n > 0; --n)
        push(plain_id(rng, st, vocab), g, branch_count, off++);
      push(st.branch_end, g, branch_count, off++);
      span.branches.push_back(BranchSpan{start, off});
    }
    span.para_end = static_cast<int64_t>(s.ids.size());
    push(st.para_end, -1, 0, -1);
    s.groups.push_back(span);
    serial();  // groups are always separated by serial text, and a tail follows the last
  }
  return s;
}

std::vector<float> grid_floats(std::mt19937& rng, size_t n) {
  std::uniform_int_distribution<int> pick(-64, 64);
  std::vector<float> out(n);
  for (float& x : out) x = static_cast<float>(pick(rng)) / 64.f;
  return out;
}

int32_t plain_token(const SpecialTokens& st, const std::vector<int32_t>& avoid, int32_t from) {
  auto taken = [&](int32_t x) {
    return x == st.branch || x == st.branch_end || x == st.title || x == st.title_end || x == st.para ||
           x == st.para_end || std::find(avoid.begin(), avoid.end(), x) != avoid.end();
  };
  int32_t id = from;
  while (taken(id)) ++id;
  return id;
}

Labels labels_of(const std::vector<std::pair<int, int>>& runs) {
  Labels out;
  int32_t next_group = 0, next_branch = 0;
  for (const auto& [len, branches] : runs) {
    for (int b = 0; b < (branches == 0 ? 1 : branches); ++b) {
      if (branches != 0) ++next_branch;
      for (int i = 0; i < len; ++i) {
        out.group.push_back(branches == 0 ? -1 : next_group);
        out.branch.push_back(branches == 0 ? 0 : next_branch);
      }
    }
    if (branches != 0) ++next_group;
  }
  return out;
}

}  // namespace aspd::testing
