// The hybrid serial/parallel decoding engine of §7 (batch 1), on the CPU model forward or the GPU
// one (a DecodeBackend, decode_backend.h).
//
// One KV cache with per-entry tags (position, group_id, branch_id), append-only. Serial mode feeds
// one main token per forward at position = cache length (asserted); the logit grammar
// (logit_grammar.h) constrains what may be emitted. <|para|> switches to parallel mode: the titles
// of the title list (token-id spans, de-duplicated by ids) give forced prefixes
// Prefix_i = <|branch|> + ids(T_i) + ids(": "), and each parallel step is ONE forward with one row
// per active branch, all at position p + 1 + s (p = position of <|para|>), tagged (group, branch)
// so a row sees every entry up to <|para|> plus its own branch (the tag rule of visibility.h).
// A branch whose input is <|/branch|> leaves after that step; after group.maxSteps tokens
// <|/branch|> is forced. When none is active, <|/para|> is fed at position = cache length =
// p + 1 + sum |b_i| (its packed index): nothing is recomputed or moved.
//
// Modes:
//   generate  free decoding from prompt ids with the sampler (same sampler in branches by default)
//   replay    teacher-forced decoding of a response (a shard row) the way a trained model would
//             produce it: the engine runs exactly as in generate, but every token comes from the
//             row and is checked against the logit grammar and the forced prefixes
//   serial    the same response tokens one per forward, plain causal (autoregressive cost)
//
// Forward passes count decode forwards after the prefill; in replay they equal Steps_ASPD of §4
// (M + sum over groups of the longest branch): <|para|> and <|/para|> have forwards of their own.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "core/layout.h"
#include "engine/decode_backend.h"
#include "engine/logit_grammar.h"
#include "engine/sampler.h"
#include "model/model.h"

namespace aspd {

struct EngineConfig {
  SpecialTokens special;
  std::vector<int32_t> eos;         // end-of-turn ids: stop in serial mode, <|/branch|> in a branch
  std::vector<int32_t> header_sep;  // ids of ": " in a branch header (Qwen: ":" and " "); may be empty
  GrammarLimits limits;
  bool branch_greedy = false;       // engine.branchSampling: false = the serial sampler, true = greedy
};

enum class StopReason : int32_t {
  kEos = 0,         // an end-of-turn id was emitted in serial mode (not part of the output)
  kBudget = 1,      // max_new_tokens reached at a serial-text boundary
  kContext = 2,     // the model's context is full (the output may end inside a structure)
  kEndOfInput = 3,  // replay / serial: every response token was fed
};

// Result of one run. Token arrays are in packed order (prompt first, then the response with the
// branches of each group in title order), length T.
struct DecodeRun {
  std::vector<int32_t> ids, position, group, branch;
  std::vector<int32_t> forward;     // index of the forward pass that fed the token (0 = prefill)
  std::vector<float> logits;        // [T, V] when kept: row t = output of the forward that fed t
  int64_t prompt_tokens = 0;
  int64_t forward_passes = 0;       // decode forwards after the prefill
  int64_t groups = 0;
  int64_t branches = 0;
  int64_t branch_tokens = 0;        // tokens fed in parallel steps (markup included)
  int64_t dropped_titles = 0;       // duplicate titles removed at a switch (not reachable in generate)
  int64_t prefill_ns = 0, serial_ns = 0, parallel_ns = 0, total_ns = 0;
  // Index = active branches of the forward (0 = a serial step): number of forwards and their time.
  std::vector<int64_t> steps_by_active, ns_by_active;
  StopReason stop = StopReason::kEndOfInput;
};

struct Engine {
  std::unique_ptr<DecodeBackend> backend;  // where the forwards run (the CPU model is borrowed)
  EngineConfig config;
  const ModelConfig& model() const { return backend->config(); }
};

// nullptr with *err when the config does not fit the model (ids outside the vocabulary, EOS equal
// to a special id, limits out of range). The CPU engine borrows m.
Engine* create_engine(const Model& m, const EngineConfig& config, std::string* err);
// The same engine on any backend (cuda/gpu_backend.h), which it owns.
Engine* create_engine_on(std::unique_ptr<DecodeBackend> backend, const EngineConfig& config, std::string* err);
void free_engine(Engine* e);

// prompt [P >= 1]; stops on EOS, at max_new_tokens (checked only between serial tokens, so a title
// list or a group in progress is always completed: every output parses under §1), or when the
// context is full.
bool engine_generate(const Engine& e, const int32_t* prompt, int64_t P, const SamplerConfig& sampling,
                     int64_t max_new_tokens, DecodeRun* out, std::string* err);

// response [n] must parse under §1 (labels/positions as core/layout.h computes them) and be
// producible by the engine (every token allowed by the logit grammar, headers = forced prefixes).
bool engine_replay(const Engine& e, const int32_t* prompt, int64_t P, const int32_t* response, int64_t n,
                   bool keep_logits, DecodeRun* out, std::string* err);

bool engine_serial(const Engine& e, const int32_t* prompt, int64_t P, const int32_t* response, int64_t n,
                   bool keep_logits, DecodeRun* out, std::string* err);

}  // namespace aspd
