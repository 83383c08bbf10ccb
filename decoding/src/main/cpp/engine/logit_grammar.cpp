#include "logit_grammar.h"

#include <algorithm>

namespace aspd {

const char* serial_state_name(SerialState s) {
  switch (s) {
    case SerialState::kFree: return "FREE_TEXT";
    case SerialState::kAfterGroup: return "AFTER_GROUP";
    case SerialState::kTitleOpen: return "TITLE_OPEN";
    case SerialState::kInTitle: return "IN_TITLE";
    case SerialState::kAfterTitleEnd: return "AFTER_TITLE_END";
    case SerialState::kInGroup: return "IN_GROUP";
  }
  return "UNKNOWN";
}

SerialGrammar::SerialGrammar(const SpecialTokens& special, const std::vector<int32_t>& eos,
                             const GrammarLimits& limits)
    : st_(special), eos_(eos), limits_(limits) {}

bool SerialGrammar::is_eos(int32_t token) const {
  return std::find(eos_.begin(), eos_.end(), token) != eos_.end();
}

bool SerialGrammar::repeats_title(const std::vector<int32_t>& candidate) const {
  for (size_t t = 0; t + 1 < titles_.size(); ++t)
    if (titles_[t] == candidate) return true;
  return false;
}

int32_t SerialGrammar::forced() const {
  switch (state_) {
    case SerialState::kInTitle:
      return static_cast<int32_t>(titles_.back().size()) >= limits_.title_max_tokens ? st_.title_end : -1;
    case SerialState::kAfterTitleEnd: {
      const bool para = titles_.size() >= 2;
      const bool title = static_cast<int32_t>(titles_.size()) < limits_.group_max_branches;
      return para && !title ? st_.para : (!para && title ? st_.title : -1);
    }
    case SerialState::kInGroup: return st_.para_end;
    default: return -1;
  }
}

bool SerialGrammar::allowed(int32_t token) const {
  const int32_t f = forced();
  if (f >= 0) return token == f;
  if (token == st_.branch || token == st_.branch_end || token == st_.para_end) return false;
  switch (state_) {
    case SerialState::kFree:
    case SerialState::kAfterGroup:
      if (token == st_.title_end || token == st_.para) return false;
      return !(token == st_.title && state_ == SerialState::kAfterGroup);
    case SerialState::kTitleOpen:
    case SerialState::kInTitle: {
      if (token == st_.title || token == st_.para || is_eos(token)) return false;
      const std::vector<int32_t>& open = titles_.back();
      if (token == st_.title_end) return state_ == SerialState::kInTitle && !repeats_title(open);
      if (static_cast<int32_t>(open.size()) + 1 < limits_.title_max_tokens) return true;
      std::vector<int32_t> completed = open;  // <|/title|> will be forced after this token
      completed.push_back(token);
      return !repeats_title(completed);
    }
    case SerialState::kAfterTitleEnd:
      return token == st_.title || token == st_.para;  // both allowed (forced() handled the rest)
    case SerialState::kInGroup: return false;
  }
  return false;
}

Restriction SerialGrammar::restriction() const {
  Restriction r;
  const int32_t f = forced();
  if (f >= 0) {
    r.allow_only = {f};
  } else if (state_ == SerialState::kAfterTitleEnd) {
    r.allow_only = {st_.title, st_.para};
  } else {
    // Every other state bans a handful of ids (specials, EOS, title completions): test only those.
    std::vector<int32_t> candidates = {st_.branch, st_.branch_end, st_.title, st_.title_end, st_.para, st_.para_end};
    candidates.insert(candidates.end(), eos_.begin(), eos_.end());
    if (state_ == SerialState::kTitleOpen || state_ == SerialState::kInTitle)
      for (size_t t = 0; t + 1 < titles_.size(); ++t)
        if (titles_[t].size() == titles_.back().size() + 1) candidates.push_back(titles_[t].back());
    for (int32_t v : candidates)
      if (!allowed(v) && std::find(r.banned.begin(), r.banned.end(), v) == r.banned.end()) r.banned.push_back(v);
  }
  return r;
}

void SerialGrammar::accept(int32_t token) {
  switch (state_) {
    case SerialState::kFree:
    case SerialState::kAfterGroup:
      if (token == st_.title) {
        titles_.assign(1, {});
        state_ = SerialState::kTitleOpen;
      } else {
        state_ = SerialState::kFree;
      }
      return;
    case SerialState::kTitleOpen:
    case SerialState::kInTitle:
      if (token == st_.title_end) {
        state_ = SerialState::kAfterTitleEnd;
      } else {
        titles_.back().push_back(token);
        state_ = SerialState::kInTitle;
      }
      return;
    case SerialState::kAfterTitleEnd:
      if (token == st_.title) {
        titles_.emplace_back();
        state_ = SerialState::kTitleOpen;
      } else {
        state_ = SerialState::kInGroup;
      }
      return;
    case SerialState::kInGroup: state_ = SerialState::kAfterGroup; return;
  }
}

bool branch_token_allowed(const SpecialTokens& st, int32_t token) {
  return token != st.title && token != st.title_end && token != st.para && token != st.para_end &&
         token != st.branch;
}

Restriction branch_restriction(const SpecialTokens& st) {
  Restriction r;
  r.banned = {st.title, st.title_end, st.para, st.para_end, st.branch};
  return r;
}

}  // namespace aspd
