// Sample layout of §1/§5/§6 of docs/aspd-method.md: per-token labels, grammar check, position ids.
//
// Input: packed token ids [T] (prompt + response, int32) and the six special-token ids, which the
// caller reads from its tokenizer; nothing here knows a vocabulary.
// Output: group_id [T] (-1 = main), branch_id [T] (0 = main; running count 1, 2, ... over the whole
// sample, so a branch id is unique in the sample), and position ids [T] in three modes.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

namespace aspd {

// The six ids, in the order the tokens are added to the vocabulary (§1).
struct SpecialTokens {
  int32_t branch;      // <|branch|>
  int32_t branch_end;  // <|/branch|>
  int32_t title;       // <|title|>
  int32_t title_end;   // <|/title|>
  int32_t para;        // <|para|>
  int32_t para_end;    // <|/para|>
};

// Which rule a malformed sample broke; the Java side mirrors these names (GrammarRule.java).
enum class LayoutRule : int32_t {
  kOk = 0,
  kSpecialIdsInvalid,        // special ids negative, out of range or not six distinct values
  kNegativeTokenId,
  kTokenIdOutOfRange,        // id >= vocab_size
  kMarkerOutsideGroup,       // <|branch|>, <|/branch|>, <|/title|> or <|/para|> in serial text
  kParaWithoutTitles,        // <|para|> not preceded by a title list
  kEmptyTitle,               // <|/title|> right after <|title|>
  kNestedMarker,             // a marker inside a title or a branch that does not close it
  kTextBetweenTitlesAndPara, // after <|/title|> only <|title|> or <|para|> may follow
  kBranchRunNotStarted,      // after <|para|> / <|/branch|> a labelled run must start with <|branch|>
  kTooFewBranches,           // a group needs >= 2 branches
  kBranchCountMismatch,      // number of branches != number of titles
  kHeaderMismatch,           // branch i must start with the ids of title i (then the separator's, when given)
  kDuplicateTitle,           // titles unique within a group
  kAdjacentGroups,           // two groups must be separated by serial text
  kUnterminated,             // sequence ends inside a title list, title, group or branch
};

const char* layout_rule_name(LayoutRule rule);

struct LayoutError {
  int64_t index = -1;  // token index where the rule broke (-1: not tied to a token)
  LayoutRule rule = LayoutRule::kOk;
  std::string message;
};

enum class PositionMode : int32_t {
  kSameSeq = 0,     // default and our single convention: branch token j at p+1+j, main = packed index
  kSameMax = 1,     // main tokens after a group continue at (longest branch end) + 1
  kFixedRange = 2,  // branch i at p+1+i*L (L = longest branch); text after at p+1+k*L
};

// One parallel group as found by the parser: token indices of its markers and branch spans.
struct BranchSpan {
  int64_t start;   // index of <|branch|>
  int64_t length;  // tokens from <|branch|> through <|/branch|>
};
struct GroupSpan {
  int64_t para;       // index of <|para|>
  int64_t para_end;   // index of <|/para|>
  std::vector<BranchSpan> branches;
};

struct SampleLayout {
  std::vector<int32_t> group_id;   // [T]
  std::vector<int32_t> branch_id;  // [T]
  std::vector<GroupSpan> groups;
  std::vector<int32_t> positions[3];  // [mode][T], indexed by PositionMode
};

// Checks that the six ids are distinct, >= 0 and < vocab_size (vocab_size <= 0: no upper bound).
bool validate_special_tokens(const SpecialTokens& st, int64_t vocab_size, LayoutError* err);

// Parses ids [n] under the §1 grammar, then labels every token and assigns positions in all modes.
// Returns false and fills err (first violation only) when the sample is malformed.
// header_sep: the ids of ": " that follow the title in every branch header (§1, §7); empty = not
// checked (the tokenizer's ids are not known here).
bool compute_layout(const int32_t* ids, size_t n, const SpecialTokens& st, int64_t vocab_size,
                    SampleLayout* out, LayoutError* err, const std::vector<int32_t>& header_sep = {});

// Position ids [T] for one mode from the parsed group spans (T = n tokens).
void assign_positions(size_t n, const std::vector<GroupSpan>& groups, PositionMode mode,
                      int32_t* pos);

// A reusable, validated configuration: the create_/free_ pair behind the Java SampleLayouter handle.
struct Layouter {
  SpecialTokens special;
  int64_t vocab_size;
  std::vector<int32_t> header_sep;
};
Layouter* create_layouter(const SpecialTokens& st, int64_t vocab_size, LayoutError* err,
                          std::vector<int32_t> header_sep = {});
void free_layouter(Layouter* layouter);

}  // namespace aspd
