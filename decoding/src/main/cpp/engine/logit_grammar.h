// The logit grammar of §7: which tokens the engine may emit next, so that every output parses
// under the §1 grammar (core/layout.h).
//
// Serial mode (SerialGrammar), by state:
//   always banned: <|branch|>, <|/branch|>, <|/para|>
//   free text: <|/title|>, <|para|> banned; <|title|> banned on the first step after a group
//   right after <|title|>: <|title|>, <|/title|>, <|para|>, EOS banned (a title is non-empty)
//   inside a title: <|title|>, <|para|>, EOS banned; <|/title|> forced after title.maxTokens tokens
//   after <|/title|>: only <|title|> or <|para|>; <|para|> once >= 2 titles exist, <|title|> not
//     after group.maxBranches titles (one left: it is forced)
//   inside a group (after <|para|>, branches running): <|/para|> forced (the merge)
// Ours, beyond the list of §7: a title may not repeat an earlier title of its list (§1: titles
// unique per group): <|/title|> is banned while the open title equals an earlier one, and a token
// that would complete an earlier title exactly at title.maxTokens (where <|/title|> is forced) is
// banned too. So de-duplication at the switch never has to drop a title in generate.
//
// Branch mode (branch_token_allowed): <|title|>, <|/title|>, <|para|>, <|/para|>, <|branch|>
// banned; an EOS the sampler draws becomes <|/branch|> (the engine maps it).
#pragma once

#include <cstdint>
#include <vector>

#include "core/layout.h"
#include "engine/decode_backend.h"

namespace aspd {

struct GrammarLimits {
  int32_t title_max_tokens = 8;      // title.maxTokens
  int32_t group_max_branches = 10;   // group.maxBranches
  int32_t group_max_steps = 2048;    // group.maxSteps: <|/branch|> forced at this branch length
};

enum class SerialState : int32_t {
  kFree = 0,
  kAfterGroup,     // the first step after <|/para|>
  kTitleOpen,      // right after <|title|>
  kInTitle,
  kAfterTitleEnd,
  kInGroup,        // after <|para|> until <|/para|> is fed
};

const char* serial_state_name(SerialState s);

class SerialGrammar {
 public:
  SerialGrammar(const SpecialTokens& special, const std::vector<int32_t>& eos, const GrammarLimits& limits);

  SerialState state() const { return state_; }
  // The only allowed token, or -1 when several are allowed.
  int32_t forced() const;
  bool allowed(int32_t token) const;
  // What the next token may be: only the forced token when there is one, else the few banned ids.
  Restriction restriction() const;
  // Advances over an allowed token.
  void accept(int32_t token);
  // Titles of the current (or last) title list, in order, as token-id spans.
  const std::vector<std::vector<int32_t>>& titles() const { return titles_; }
  // May the token budget end the response here (free text, nothing open)?
  bool at_boundary() const { return state_ == SerialState::kFree || state_ == SerialState::kAfterGroup; }

 private:
  bool is_eos(int32_t token) const;
  bool repeats_title(const std::vector<int32_t>& candidate) const;

  SpecialTokens st_;
  std::vector<int32_t> eos_;
  GrammarLimits limits_;
  SerialState state_ = SerialState::kFree;
  std::vector<std::vector<int32_t>> titles_;
};

// Branch mode: may a branch emit this token (EOS excluded: the engine maps it to <|/branch|>)?
bool branch_token_allowed(const SpecialTokens& st, int32_t token);

// The branch rule as a restriction (the ids a branch may never emit).
Restriction branch_restriction(const SpecialTokens& st);

}  // namespace aspd
