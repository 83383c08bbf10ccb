// §1 grammar as a small state machine over the packed ids; see layout.h for the contract.
#include "layout.h"

#include <algorithm>
#include <set>
#include <sstream>

namespace aspd {

const char* layout_rule_name(LayoutRule rule) {
  switch (rule) {
    case LayoutRule::kOk: return "OK";
    case LayoutRule::kSpecialIdsInvalid: return "SPECIAL_IDS_INVALID";
    case LayoutRule::kNegativeTokenId: return "NEGATIVE_TOKEN_ID";
    case LayoutRule::kTokenIdOutOfRange: return "TOKEN_ID_OUT_OF_RANGE";
    case LayoutRule::kMarkerOutsideGroup: return "MARKER_OUTSIDE_GROUP";
    case LayoutRule::kParaWithoutTitles: return "PARA_WITHOUT_TITLES";
    case LayoutRule::kEmptyTitle: return "EMPTY_TITLE";
    case LayoutRule::kNestedMarker: return "NESTED_MARKER";
    case LayoutRule::kTextBetweenTitlesAndPara: return "TEXT_BETWEEN_TITLES_AND_PARA";
    case LayoutRule::kBranchRunNotStarted: return "BRANCH_RUN_NOT_STARTED";
    case LayoutRule::kTooFewBranches: return "TOO_FEW_BRANCHES";
    case LayoutRule::kBranchCountMismatch: return "BRANCH_COUNT_MISMATCH";
    case LayoutRule::kHeaderMismatch: return "HEADER_MISMATCH";
    case LayoutRule::kDuplicateTitle: return "DUPLICATE_TITLE";
    case LayoutRule::kAdjacentGroups: return "ADJACENT_GROUPS";
    case LayoutRule::kUnterminated: return "UNTERMINATED";
  }
  return "UNKNOWN";
}

namespace {

bool fail(LayoutError* err, int64_t index, LayoutRule rule, const std::string& what) {
  if (err != nullptr) {
    std::ostringstream os;
    if (index >= 0) os << "token " << index << ": ";
    os << what << " [" << layout_rule_name(rule) << "]";
    err->index = index;
    err->rule = rule;
    err->message = os.str();
  }
  return false;
}

enum class State {
  kSerial,          // serial text (or start of sequence)
  kAfterGroup,      // right after <|/para|>: serial text must follow
  kTitleOpen,       // right after <|title|>: the title needs at least one token
  kInTitle,
  kAfterTitleEnd,   // only <|title|> or <|para|> may follow
  kAfterPara,       // a branch run must start here
  kInBranch,
  kAfterBranchEnd,  // <|branch|> or <|/para|>
};

// Parser state for one pass over the ids.
struct Parser {
  Parser(const SpecialTokens& special, const std::vector<int32_t>& separator, SampleLayout* layout,
         LayoutError* error)
      : st(special), sep(separator), out(layout), err(error) {}

  const SpecialTokens& st;
  const std::vector<int32_t>& sep;  // ids of ": " after each title in a branch header; empty = unchecked
  SampleLayout* out;
  LayoutError* err;
  State state = State::kSerial;
  std::vector<std::vector<int32_t>> titles;  // title ids of the open group, in order
  int64_t title_list_start = -1;
  int64_t branch_open = -1;   // index of the open <|branch|>
  int32_t group_index = -1;   // index of the open group (0-based over the sample)
  int32_t next_group = 0;
  int32_t branch_count = 0;   // running branch count over the sample
  GroupSpan group;

  bool is_special(int32_t id) const {
    return id == st.branch || id == st.branch_end || id == st.title || id == st.title_end ||
           id == st.para || id == st.para_end;
  }

  bool serial_token(int64_t i, int32_t id) {
    if (id == st.title) {
      if (state == State::kAfterGroup)
        return fail(err, i, LayoutRule::kAdjacentGroups,
                    "<|title|> right after <|/para|>: two groups must be separated by serial text");
      titles.clear();
      titles.emplace_back();
      title_list_start = i;
      state = State::kTitleOpen;
      return true;
    }
    if (id == st.para)
      return fail(err, i, LayoutRule::kParaWithoutTitles, "<|para|> must follow a title list");
    if (is_special(id))
      return fail(err, i, LayoutRule::kMarkerOutsideGroup,
                  "marker outside a parallel group (only <|title|> may start one)");
    state = State::kSerial;
    return true;
  }

  bool title_token(int64_t i, int32_t id) {
    if (id == st.title_end) {
      if (state == State::kTitleOpen)
        return fail(err, i, LayoutRule::kEmptyTitle, "empty title: <|/title|> right after <|title|>");
      for (size_t t = 0; t + 1 < titles.size(); ++t)
        if (titles[t] == titles.back())
          return fail(err, i, LayoutRule::kDuplicateTitle,
                      "title " + std::to_string(titles.size()) + " repeats title " +
                          std::to_string(t + 1) + " of the same group");
      state = State::kAfterTitleEnd;
      return true;
    }
    if (is_special(id))
      return fail(err, i, LayoutRule::kNestedMarker, "marker inside a title (titles are plain text)");
    titles.back().push_back(id);
    state = State::kInTitle;
    return true;
  }

  bool after_title_end(int64_t i, int32_t id) {
    if (id == st.title) {
      titles.emplace_back();
      state = State::kTitleOpen;
      return true;
    }
    if (id != st.para)
      return fail(err, i, LayoutRule::kTextBetweenTitlesAndPara,
                  "only <|title|> or <|para|> may follow <|/title|>");
    group = GroupSpan{i, -1, {}};
    group_index = next_group++;
    state = State::kAfterPara;
    return true;
  }

  bool open_branch(int64_t i, int32_t id) {
    if (id != st.branch)
      return fail(err, i, LayoutRule::kBranchRunNotStarted,
                  "a branch run must start with <|branch|> (nothing sits between branches)");
    if (group.branches.size() >= titles.size())
      return fail(err, i, LayoutRule::kBranchCountMismatch,
                  "more branches than the " + std::to_string(titles.size()) + " titles of the group");
    branch_open = i;
    ++branch_count;
    group.branches.push_back(BranchSpan{i, 1});
    label(i);
    state = State::kInBranch;
    return true;
  }

  bool branch_token(int64_t i, int32_t id) {
    const std::vector<int32_t>& title = titles[group.branches.size() - 1];
    const int64_t header_pos = i - branch_open - 1;  // 0-based index into title ids, then separator ids
    const int64_t title_len = static_cast<int64_t>(title.size());
    const int64_t header_len = title_len + static_cast<int64_t>(sep.size());
    if (id == st.branch_end) {
      if (header_pos < header_len)
        return fail(err, i, LayoutRule::kHeaderMismatch,
                    std::string(header_pos < title_len ? "branch closed before repeating its title"
                                                       : "branch closed inside its \": \" separator") +
                        " (branch opened at " + std::to_string(branch_open) + ")");
      group.branches.back().length = i - branch_open + 1;
      label(i);
      state = State::kAfterBranchEnd;
      return true;
    }
    if (is_special(id))
      return fail(err, i, LayoutRule::kNestedMarker,
                  "marker inside the branch opened at " + std::to_string(branch_open) +
                      " (a labelled run must end with <|/branch|>; no nesting)");
    if (header_pos < title_len && title[header_pos] != id)
      return fail(err, i, LayoutRule::kHeaderMismatch,
                  "branch " + std::to_string(group.branches.size()) +
                      " header does not repeat the ids of its title");
    if (header_pos >= title_len && header_pos < header_len && sep[header_pos - title_len] != id)
      return fail(err, i, LayoutRule::kHeaderMismatch,
                  "branch " + std::to_string(group.branches.size()) +
                      " header does not follow its title with the ids of \": \" (the engine forces them)");
    label(i);
    return true;
  }

  bool close_group(int64_t i) {
    const size_t k = group.branches.size();
    if (k < 2)
      return fail(err, i, LayoutRule::kTooFewBranches,
                  "group opened at " + std::to_string(group.para) + " has " + std::to_string(k) +
                      " branch(es); a group needs at least 2");
    if (k != titles.size())
      return fail(err, i, LayoutRule::kBranchCountMismatch,
                  "group has " + std::to_string(k) + " branches but " +
                      std::to_string(titles.size()) + " titles");
    group.para_end = i;
    out->groups.push_back(group);
    group_index = -1;
    state = State::kAfterGroup;
    return true;
  }

  void label(int64_t i) {
    out->group_id[i] = group_index;
    out->branch_id[i] = branch_count;
  }

  bool step(int64_t i, int32_t id) {
    switch (state) {
      case State::kSerial:
      case State::kAfterGroup: return serial_token(i, id);
      case State::kTitleOpen:
      case State::kInTitle: return title_token(i, id);
      case State::kAfterTitleEnd: return after_title_end(i, id);
      case State::kAfterPara: return open_branch(i, id);
      case State::kInBranch: return branch_token(i, id);
      case State::kAfterBranchEnd:
        if (id == st.para_end) return close_group(i);
        return open_branch(i, id);
    }
    return false;
  }

  bool finish(int64_t n) {
    switch (state) {
      case State::kSerial:
      case State::kAfterGroup: return true;
      case State::kTitleOpen:
      case State::kInTitle:
      case State::kAfterTitleEnd:
        return fail(err, n, LayoutRule::kUnterminated,
                    "sequence ends inside the title list opened at " +
                        std::to_string(title_list_start));
      case State::kInBranch:
        return fail(err, n, LayoutRule::kUnterminated,
                    "sequence ends inside the branch opened at " + std::to_string(branch_open));
      case State::kAfterPara:
      case State::kAfterBranchEnd:
        return fail(err, n, LayoutRule::kUnterminated,
                    "<|para|> at " + std::to_string(group.para) + " is never closed by <|/para|>");
    }
    return false;
  }
};

}  // namespace

bool validate_special_tokens(const SpecialTokens& st, int64_t vocab_size, LayoutError* err) {
  const int32_t ids[6] = {st.branch, st.branch_end, st.title, st.title_end, st.para, st.para_end};
  for (int32_t id : ids) {
    if (id < 0 || (vocab_size > 0 && id >= vocab_size))
      return fail(err, -1, LayoutRule::kSpecialIdsInvalid,
                  "special id " + std::to_string(id) + " is outside [0, " +
                      std::to_string(vocab_size) + ")");
  }
  if (std::set<int32_t>(ids, ids + 6).size() != 6)
    return fail(err, -1, LayoutRule::kSpecialIdsInvalid, "the six special ids must be distinct");
  return true;
}

void assign_positions(size_t n, const std::vector<GroupSpan>& groups, PositionMode mode,
                      int32_t* pos) {
  int64_t next = 0;  // position of the next main token
  size_t i = 0;
  for (const GroupSpan& g : groups) {
    for (; i <= static_cast<size_t>(g.para); ++i) pos[i] = static_cast<int32_t>(next++);
    const int64_t p = pos[g.para];
    int64_t longest = 0, total = 0;
    for (const BranchSpan& b : g.branches) {
      longest = std::max(longest, b.length);
      total += b.length;
    }
    for (size_t k = 0; k < g.branches.size(); ++k) {
      const BranchSpan& b = g.branches[k];
      const int64_t start = p + 1 + (mode == PositionMode::kFixedRange ? k * longest : 0);
      for (int64_t j = 0; j < b.length; ++j) pos[b.start + j] = static_cast<int32_t>(start + j);
    }
    const int64_t span = mode == PositionMode::kSameSeq   ? total
                         : mode == PositionMode::kSameMax ? longest
                                                          : longest * g.branches.size();
    next = p + 1 + span;
    i = static_cast<size_t>(g.para_end);
  }
  for (; i < n; ++i) pos[i] = static_cast<int32_t>(next++);
}

// Separator ids are ordinary text ids: in range and none of the six markers.
bool validate_header_separator(const SpecialTokens& st, int64_t vocab_size, const std::vector<int32_t>& sep,
                               LayoutError* err) {
  for (int32_t id : sep) {
    if (id < 0 || (vocab_size > 0 && id >= vocab_size) || id == st.branch || id == st.branch_end ||
        id == st.title || id == st.title_end || id == st.para || id == st.para_end)
      return fail(err, -1, LayoutRule::kSpecialIdsInvalid,
                  "header separator id " + std::to_string(id) + " is out of range or a marker");
  }
  return true;
}

bool compute_layout(const int32_t* ids, size_t n, const SpecialTokens& st, int64_t vocab_size,
                    SampleLayout* out, LayoutError* err, const std::vector<int32_t>& header_sep) {
  if (!validate_special_tokens(st, vocab_size, err)) return false;
  out->group_id.assign(n, -1);
  out->branch_id.assign(n, 0);
  out->groups.clear();
  if (!validate_header_separator(st, vocab_size, header_sep, err)) return false;
  Parser parser(st, header_sep, out, err);
  for (size_t i = 0; i < n; ++i) {
    const int32_t id = ids[i];
    if (id < 0)
      return fail(err, static_cast<int64_t>(i), LayoutRule::kNegativeTokenId,
                  "negative token id " + std::to_string(id));
    if (vocab_size > 0 && id >= vocab_size)
      return fail(err, static_cast<int64_t>(i), LayoutRule::kTokenIdOutOfRange,
                  "token id " + std::to_string(id) + " >= vocab size " + std::to_string(vocab_size));
    if (!parser.step(static_cast<int64_t>(i), id)) return false;
  }
  if (!parser.finish(static_cast<int64_t>(n))) return false;
  for (int m = 0; m < 3; ++m) {
    out->positions[m].assign(n, 0);
    assign_positions(n, out->groups, static_cast<PositionMode>(m), out->positions[m].data());
  }
  return true;
}

Layouter* create_layouter(const SpecialTokens& st, int64_t vocab_size, LayoutError* err,
                          std::vector<int32_t> header_sep) {
  if (!validate_special_tokens(st, vocab_size, err)) return nullptr;
  if (!validate_header_separator(st, vocab_size, header_sep, err)) return nullptr;
  return new Layouter{st, vocab_size, std::move(header_sep)};
}

void free_layouter(Layouter* layouter) { delete layouter; }

}  // namespace aspd
