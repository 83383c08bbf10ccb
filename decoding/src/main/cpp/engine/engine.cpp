#include "engine.h"

#include "engine/cpu_backend.h"

#include <algorithm>
#include <chrono>
#include <limits>
#include <new>

namespace aspd {

namespace {

using Clock = std::chrono::steady_clock;

bool contains(const std::vector<int32_t>& xs, int32_t x) { return std::find(xs.begin(), xs.end(), x) != xs.end(); }

// One output row of the last forward, from which a source may pick a token (on the backend: a GPU
// backend samples on the device).
class RowPicker {
 public:
  RowPicker(DecodeSession* session, int64_t row) : session_(session), row_(row) {}
  bool pick(const Restriction& restriction, bool greedy, int32_t* token, std::string* err) const {
    if (row_ < 0) {
      *err = "internal: a main token was to be sampled from a branch step's outputs";
      return false;
    }
    return session_->pick(row_, restriction, greedy, token, err);
  }

 private:
  DecodeSession* session_;
  int64_t row_;
};

// Where the engine's tokens come from: the sampler (generate) or a shard row (replay). The engine
// decides structure (switch, forced prefixes, branch ends, merge); a source only picks tokens.
class TokenSource {
 public:
  virtual ~TokenSource() = default;
  // Next main token given the output row of the last main forward; -1 = end of input.
  virtual bool next_serial(const RowPicker& row, const SerialGrammar& grammar, int32_t* token, std::string* err) = 0;
  // A group starts with these forced prefixes (title order).
  virtual bool begin_group(int64_t group, const std::vector<std::vector<int32_t>>& prefixes, std::string* err) = 0;
  // Token at offset `offset` of branch i (title order) given the output row of its previous token;
  // forced >= 0 when the engine forces it (header, group.maxSteps).
  virtual bool next_branch(size_t i, int64_t offset, const RowPicker& row, int32_t forced, int32_t* token,
                           std::string* err) = 0;
};

class SamplingSource : public TokenSource {
 public:
  explicit SamplingSource(const EngineConfig& config) : config_(config), branch_rule_(branch_restriction(config.special)) {}

  bool next_serial(const RowPicker& row, const SerialGrammar& grammar, int32_t* token, std::string* err) override {
    *token = grammar.forced();
    if (*token >= 0) return true;
    return row.pick(grammar.restriction(), false, token, err);
  }

  bool begin_group(int64_t, const std::vector<std::vector<int32_t>>&, std::string*) override { return true; }

  bool next_branch(size_t, int64_t, const RowPicker& row, int32_t forced, int32_t* token, std::string* err) override {
    if (forced >= 0) {
      *token = forced;
      return true;
    }
    if (!row.pick(branch_rule_, config_.branch_greedy, token, err)) return false;
    if (contains(config_.eos, *token)) *token = config_.special.branch_end;  // §7: EOS -> <|/branch|>
    return true;
  }

 private:
  const EngineConfig& config_;
  const Restriction branch_rule_;
};

// Teacher forcing from a parsed response: main tokens in order, branches of each group from the
// row's spans. Every token is checked against what the engine allows at that point.
class ReplaySource : public TokenSource {
 public:
  ReplaySource(const EngineConfig& config, const int32_t* response, int64_t P, const SampleLayout& layout)
      : config_(config), response_(response), P_(P), layout_(layout) {
    for (size_t i = 0; i < layout.group_id.size(); ++i)
      if (layout.group_id[i] < 0) main_.push_back(static_cast<int64_t>(i));
  }

  bool next_serial(const RowPicker&, const SerialGrammar& grammar, int32_t* token, std::string* err) override {
    if (cursor_ == main_.size()) {
      *token = -1;
      return true;
    }
    const int64_t i = main_[cursor_++];
    *token = response_[i];
    if (!grammar.allowed(*token)) {
      *err = where(i) + " is not allowed by the logit grammar in state " + serial_state_name(grammar.state()) +
             (grammar.forced() >= 0 ? " (the engine forces id " + std::to_string(grammar.forced()) + ")" : "");
      return false;
    }
    return true;
  }

  bool begin_group(int64_t group, const std::vector<std::vector<int32_t>>& prefixes, std::string* err) override {
    group_ = group;
    if (group >= static_cast<int64_t>(layout_.groups.size()) ||
        layout_.groups[group].branches.size() != prefixes.size()) {
      *err = "group " + std::to_string(group) + ": the engine derived " + std::to_string(prefixes.size()) +
             " branches from the title list, the row has a different structure";
      return false;
    }
    return true;
  }

  bool next_branch(size_t i, int64_t offset, const RowPicker&, int32_t forced, int32_t* token, std::string* err) override {
    const BranchSpan& span = layout_.groups[group_].branches[i];
    const int64_t index = span.start + offset;
    *token = response_[index];
    if (forced >= 0 && *token != forced) {
      *err = where(index) + ": the engine forces id " + std::to_string(forced) +
             (forced == config_.special.branch_end ? " (<|/branch|> after group.maxSteps)" : " (branch header)");
      return false;
    }
    if (!branch_token_allowed(config_.special, *token) || contains(config_.eos, *token)) {
      *err = where(index) + " is banned in a branch";
      return false;
    }
    return true;
  }

 private:
  std::string where(int64_t i) const {
    return "response token " + std::to_string(i) + " (id " + std::to_string(response_[i]) + ", packed index " +
           std::to_string(P_ + i) + ")";
  }

  const EngineConfig& config_;
  const int32_t* response_;
  int64_t P_;
  const SampleLayout& layout_;
  std::vector<int64_t> main_;  // response indices of main tokens, in order
  size_t cursor_ = 0;
  int64_t group_ = -1;
};

// One run of the engine: the cache, what was fed (by cache slot), the packed order, the counters.
class Decoder {
 public:
  Decoder(const Engine& e, bool keep_logits, DecodeRun* out)
      : e_(e), mc_(e.model()), V_(e.model().vocab_size), keep_(keep_logits), run_(out) {
    *run_ = DecodeRun{};
  }

  // Opens the backend's session (a fresh KV cache) with the run's sampler.
  bool begin(const SamplerConfig& sampling, std::string* err) {
    session_ = e_.backend->begin(sampling, err);
    return session_ != nullptr;
  }
  Decoder(const Decoder&) = delete;
  Decoder& operator=(const Decoder&) = delete;

  bool prefill(const int32_t* prompt, int64_t P, std::string* err) {
    start_ = Clock::now();
    run_->prompt_tokens = P;
    if (P > mc_.max_positions) {
      *err = "prompt of " + std::to_string(P) + " tokens exceeds the context of " + std::to_string(mc_.max_positions);
      return false;
    }
    std::vector<Row> rows(P);
    for (int64_t t = 0; t < P; ++t) rows[t] = Row{prompt[t], static_cast<int32_t>(t), -1, 0};
    if (!forward(rows, -1, err)) return false;
    for (int64_t t = 0; t < P; ++t) packed_.push_back(t);
    return true;
  }

  // Serial/parallel decoding from the prefill on; tokens from src.
  bool decode(TokenSource& src, int64_t max_new_tokens, std::string* err) {
    SerialGrammar grammar(e_.config.special, e_.config.eos, e_.config.limits);
    for (;;) {
      if (grammar.at_boundary() && generated_ >= max_new_tokens) return stop(StopReason::kBudget);
      int32_t token;
      // The last forward fed a main token (or the prompt) unless a group just ended, where the
      // grammar forces <|/para|> and nothing is picked.
      if (!src.next_serial(RowPicker(session_.get(), main_row_), grammar, &token, err)) return false;
      if (token < 0) return stop(StopReason::kEndOfInput);
      if (!grammar.allowed(token)) {
        *err = "internal: token " + std::to_string(token) + " chosen against the logit grammar";
        return false;
      }
      if (contains(e_.config.eos, token)) return stop(StopReason::kEos);
      if (!room(1)) return stop(StopReason::kContext);
      if (!feed_main(token, err)) return false;
      grammar.accept(token);
      if (token == e_.config.special.para) {
        if (!run_group(src, grammar.titles(), err)) return false;
        if (stopped_) return true;
      }
    }
  }

  // Plain autoregressive decoding of given tokens (no labels, position = cache length).
  bool feed_serially(const int32_t* tokens, int64_t n, std::string* err) {
    for (int64_t i = 0; i < n; ++i) {
      if (!room(1)) return stop(StopReason::kContext);
      if (!feed_main(tokens[i], err)) return false;
    }
    return stop(StopReason::kEndOfInput);
  }

  void finish() {
    run_->total_ns = elapsed_ns(start_);
    const size_t T = packed_.size();
    run_->ids.resize(T);
    run_->position.resize(T);
    run_->group.resize(T);
    run_->branch.resize(T);
    run_->forward.resize(T);
    if (keep_) run_->logits.resize(T * V_);
    for (size_t t = 0; t < T; ++t) {
      const Slot& s = slots_[packed_[t]];
      run_->ids[t] = s.row.id;
      run_->position[t] = s.row.position;
      run_->group[t] = s.row.group;
      run_->branch[t] = s.row.branch;
      run_->forward[t] = s.forward;
      if (keep_) std::copy_n(slot_logits_.data() + packed_[t] * V_, V_, run_->logits.data() + t * V_);
    }
  }

 private:
  struct Row {
    int32_t id, position, group, branch;
  };
  struct Slot {
    Row row;
    int32_t forward;
  };

  static int64_t elapsed_ns(Clock::time_point since) {
    return std::chrono::duration_cast<std::chrono::nanoseconds>(Clock::now() - since).count();
  }

  bool room(int64_t rows) const { return session_->cache_length() + rows <= mc_.max_positions; }

  bool stop(StopReason reason) {
    run_->stop = reason;
    stopped_ = true;
    return true;
  }

  // One forward over rows. bucket: -1 = prefill, 0 = serial step, k = parallel step with k rows.
  bool forward(const std::vector<Row>& rows, int64_t bucket, std::string* err) {
    const int64_t A = static_cast<int64_t>(rows.size());
    std::vector<int32_t> ids(A), pos(A), group(A), branch(A);
    for (int64_t a = 0; a < A; ++a) {
      ids[a] = rows[a].id;
      pos[a] = rows[a].position;
      group[a] = rows[a].group;
      branch[a] = rows[a].branch;
    }
    const int64_t out_rows = bucket >= 0 || keep_ ? A : 1;  // the prefill needs only its last row to go on
    const Clock::time_point t0 = Clock::now();
    if (!session_->forward(ids.data(), pos.data(), group.data(), branch.data(), A, out_rows, err)) return false;
    const int64_t ns = elapsed_ns(t0);
    main_row_ = bucket <= 0 ? out_rows - 1 : -1;
    if (bucket < 0) {
      run_->prefill_ns += ns;
    } else {
      ++run_->forward_passes;
      if (static_cast<int64_t>(run_->steps_by_active.size()) <= bucket) {
        run_->steps_by_active.resize(bucket + 1, 0);
        run_->ns_by_active.resize(bucket + 1, 0);
      }
      ++run_->steps_by_active[bucket];
      run_->ns_by_active[bucket] += ns;
      (bucket == 0 ? run_->serial_ns : run_->parallel_ns) += ns;
    }
    const int32_t index = bucket < 0 ? 0 : static_cast<int32_t>(run_->forward_passes);
    for (const Row& r : rows) slots_.push_back(Slot{r, index});
    if (keep_) {
      const size_t at = slot_logits_.size();
      slot_logits_.resize(at + static_cast<size_t>(A * V_));
      for (int64_t a = 0; a < A; ++a)
        if (!session_->logits(a, slot_logits_.data() + at + a * V_, err)) return false;
    }
    return true;
  }

  // A main token at position = its packed index, which must equal the cache length (§6).
  bool feed_main(int32_t token, std::string* err) {
    const int64_t position = static_cast<int64_t>(packed_.size());
    if (session_->cache_length() != position) {
      *err = "internal: cache length " + std::to_string(session_->cache_length()) + " != position " +
             std::to_string(position) + " of a main token";
      return false;
    }
    if (!forward({Row{token, static_cast<int32_t>(position), -1, 0}}, 0, err)) return false;
    packed_.push_back(session_->cache_length() - 1);
    ++generated_;
    return true;
  }

  // Titles de-duplicated by ids, first occurrence kept (§7 step 3).
  std::vector<std::vector<int32_t>> unique_titles(const std::vector<std::vector<int32_t>>& titles) {
    std::vector<std::vector<int32_t>> unique;
    for (const std::vector<int32_t>& t : titles) {
      if (std::find(unique.begin(), unique.end(), t) == unique.end()) unique.push_back(t);
      else ++run_->dropped_titles;
    }
    return unique;
  }

  // Parallel steps of one group, right after <|para|> was fed; the branches' slots join the packed
  // order in title order. The caller feeds <|/para|> next (the grammar forces it).
  bool run_group(TokenSource& src, const std::vector<std::vector<int32_t>>& titles, std::string* err) {
    const SpecialTokens& st = e_.config.special;
    const std::vector<std::vector<int32_t>> unique = unique_titles(titles);
    const size_t k = unique.size();
    const int32_t group = static_cast<int32_t>(run_->groups++);
    const int32_t first_branch = static_cast<int32_t>(run_->branches + 1);
    run_->branches += static_cast<int64_t>(k);
    std::vector<std::vector<int32_t>> prefix(k);
    std::vector<int64_t> forced_end(k);  // offset at which <|/branch|> is forced (never inside the header)
    for (size_t i = 0; i < k; ++i) {
      prefix[i].push_back(st.branch);
      prefix[i].insert(prefix[i].end(), unique[i].begin(), unique[i].end());
      prefix[i].insert(prefix[i].end(), e_.config.header_sep.begin(), e_.config.header_sep.end());
      forced_end[i] = std::max<int64_t>(e_.config.limits.group_max_steps, prefix[i].size() + 1) - 1;
    }
    if (!src.begin_group(group, prefix, err)) return false;
    const int32_t p = slots_.back().row.position;  // <|para|>, just fed
    std::vector<int32_t> input(k);
    std::vector<std::vector<int64_t>> branch_slots(k);
    std::vector<size_t> active(k);
    for (size_t i = 0; i < k; ++i) {
      input[i] = prefix[i][0];
      active[i] = i;
    }
    bool full = false;
    for (int64_t s = 0; !active.empty(); ++s) {
      if (!room(static_cast<int64_t>(active.size()))) {
        full = true;
        break;
      }
      std::vector<Row> rows;
      for (size_t i : active)
        rows.push_back(Row{input[i], static_cast<int32_t>(p + 1 + s), group, first_branch + static_cast<int32_t>(i)});
      if (!forward(rows, static_cast<int64_t>(active.size()), err)) return false;
      const int64_t first_slot = session_->cache_length() - static_cast<int64_t>(active.size());
      generated_ += static_cast<int64_t>(active.size());
      run_->branch_tokens += static_cast<int64_t>(active.size());
      std::vector<size_t> still;
      for (size_t r = 0; r < active.size(); ++r) {
        const size_t i = active[r];
        branch_slots[i].push_back(first_slot + static_cast<int64_t>(r));
        if (input[i] == st.branch_end) continue;  // its KV is cached: the branch leaves (§7 step 5)
        const int64_t offset = s + 1;
        const int32_t forced = offset < static_cast<int64_t>(prefix[i].size()) ? prefix[i][offset]
                               : offset >= forced_end[i]                        ? st.branch_end
                                                                                : -1;
        int32_t token;
        if (!src.next_branch(i, offset, RowPicker(session_.get(), static_cast<int64_t>(r)), forced, &token, err))
          return false;
        if ((forced >= 0 && token != forced) || (forced < 0 && !branch_token_allowed(st, token))) {
          *err = "internal: branch token " + std::to_string(token) + " chosen against the branch rule";
          return false;
        }
        input[i] = token;
        still.push_back(i);
      }
      active.swap(still);
    }
    for (size_t i = 0; i < k; ++i) packed_.insert(packed_.end(), branch_slots[i].begin(), branch_slots[i].end());
    if (full) return stop(StopReason::kContext);
    return true;
  }

  const Engine& e_;
  const ModelConfig& mc_;
  const int64_t V_;
  const bool keep_;
  DecodeRun* run_;
  std::unique_ptr<DecodeSession> session_;
  int64_t main_row_ = -1;            // output row of the last main forward, -1 after a branch step
  std::vector<Slot> slots_;          // by cache index
  std::vector<float> slot_logits_;   // [slots, V] when kept
  std::vector<int64_t> packed_;      // cache slots in packed order
  int64_t generated_ = 0;
  bool stopped_ = false;
  Clock::time_point start_;
};

bool check_ids(const int32_t* ids, int64_t n, int64_t V, const char* what, std::string* err) {
  for (int64_t i = 0; i < n; ++i) {
    if (ids[i] < 0 || ids[i] >= V) {
      *err = std::string(what) + " token " + std::to_string(i) + ": id " + std::to_string(ids[i]) +
             " outside [0, " + std::to_string(V) + ")";
      return false;
    }
  }
  return true;
}

bool check_prompt(const Engine& e, const int32_t* prompt, int64_t P, std::string* err) {
  if (P < 1) {
    *err = "the prompt needs at least one token";
    return false;
  }
  return check_ids(prompt, P, e.model().vocab_size, "prompt", err);
}

}  // namespace

Engine* create_engine(const Model& m, const EngineConfig& config, std::string* err) {
  return create_engine_on(make_cpu_backend(m), config, err);
}

Engine* create_engine_on(std::unique_ptr<DecodeBackend> backend, const EngineConfig& config, std::string* err) {
  const int64_t V = backend->config().vocab_size;
  LayoutError lerr;
  if (!validate_special_tokens(config.special, V, &lerr)) {
    *err = lerr.message;
    return nullptr;
  }
  const SpecialTokens& st = config.special;
  auto special = [&](int32_t id) {
    return id == st.branch || id == st.branch_end || id == st.title || id == st.title_end || id == st.para ||
           id == st.para_end;
  };
  for (int32_t id : config.eos) {
    if (id < 0 || id >= V || special(id)) {
      *err = "EOS id " + std::to_string(id) + " must lie in [0, " + std::to_string(V) + ") and not be a special id";
      return nullptr;
    }
  }
  for (int32_t id : config.header_sep) {
    if (id < 0 || id >= V || special(id) || contains(config.eos, id)) {
      *err = "header separator id " + std::to_string(id) + " must lie in [0, " + std::to_string(V) +
             ") and be neither a special id nor EOS";
      return nullptr;
    }
  }
  const GrammarLimits& l = config.limits;
  if (l.title_max_tokens < 1 || l.group_max_branches < 2 || l.group_max_steps < 2) {
    *err = "limits out of range: title.maxTokens >= 1, group.maxBranches >= 2, group.maxSteps >= 2";
    return nullptr;
  }
  return new Engine{std::move(backend), config};
}

void free_engine(Engine* e) { delete e; }

bool engine_generate(const Engine& e, const int32_t* prompt, int64_t P, const SamplerConfig& sampling,
                     int64_t max_new_tokens, DecodeRun* out, std::string* err) {
  if (!check_prompt(e, prompt, P, err)) return false;
  if (*sampler_config_error(sampling) != '\0') {
    *err = sampler_config_error(sampling);
    return false;
  }
  if (max_new_tokens < 1) {
    *err = "max_new_tokens must be >= 1";
    return false;
  }
  try {
    Decoder d(e, false, out);
    SamplingSource src(e.config);
    if (!d.begin(sampling, err) || !d.prefill(prompt, P, err) || !d.decode(src, max_new_tokens, err)) return false;
    d.finish();
    return true;
  } catch (const std::bad_alloc&) {
    *err = "out of memory while generating";
    return false;
  }
}

bool engine_replay(const Engine& e, const int32_t* prompt, int64_t P, const int32_t* response, int64_t n,
                   bool keep_logits, DecodeRun* out, std::string* err) {
  if (!check_prompt(e, prompt, P, err)) return false;
  SampleLayout layout;
  LayoutError lerr;
  if (n < 1 || !compute_layout(response, static_cast<size_t>(n), e.config.special, e.model().vocab_size,
                               &layout, &lerr)) {
    *err = n < 1 ? "the response needs at least one token" : "response: " + lerr.message;
    return false;
  }
  try {
    Decoder d(e, keep_logits, out);
    ReplaySource src(e.config, response, P, layout);
    if (!d.begin(SamplerConfig{}, err) || !d.prefill(prompt, P, err) || !d.decode(src, std::numeric_limits<int64_t>::max(), err)) return false;
    d.finish();
  } catch (const std::bad_alloc&) {
    *err = "out of memory in replay";
    return false;
  }
  if (out->stop != StopReason::kEndOfInput || static_cast<int64_t>(out->ids.size()) != P + n ||
      !std::equal(response, response + n, out->ids.begin() + P)) {
    *err = out->stop == StopReason::kEos     ? "the response holds an EOS id in its serial text (the engine stops there)"
           : out->stop == StopReason::kContext ? "prompt + response exceed the model's context"
                                               : "internal: replay did not reproduce the response";
    return false;
  }
  return true;
}

bool engine_serial(const Engine& e, const int32_t* prompt, int64_t P, const int32_t* response, int64_t n,
                   bool keep_logits, DecodeRun* out, std::string* err) {
  if (!check_prompt(e, prompt, P, err) || !check_ids(response, n, e.model().vocab_size, "response", err))
    return false;
  try {
    Decoder d(e, keep_logits, out);
    if (!d.begin(SamplerConfig{}, err) || !d.prefill(prompt, P, err) || !d.feed_serially(response, n, err)) return false;
    d.finish();
    return true;
  } catch (const std::bad_alloc&) {
    *err = "out of memory in serial decoding";
    return false;
  }
}

}  // namespace aspd
