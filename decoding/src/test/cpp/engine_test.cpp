// The decoding engine (engine/): logit grammar and sampler units, replay against one packed
// forward (§8(a): logits, positions, visibility, forward passes = Steps_ASPD), and generate with
// random weights producing only outputs that parse under the §1 grammar (§8(d)).
#include <algorithm>
#include <cmath>
#include <limits>
#include <random>

#include "core/layout.h"
#include "core/visibility.h"
#include "engine/engine.h"
#include "generate_checks.h"
#include "mini_test.h"
#include "model/model.h"
#include "random_layouts.h"
#include "tiny_models.h"

using namespace aspd;
using namespace aspd::testing;

namespace {

constexpr float kNegInf = -std::numeric_limits<float>::infinity();

// The tiny Qwen2 shape at half width (hidden 32, intermediate 48, head dim 8), untied.
ModelConfig engine_config(int64_t vocab) {
  ModelConfig c = tiny_qwen2_config(vocab, false);
  c.hidden_size = 32;
  c.intermediate_size = 48;
  c.head_dim = 8;
  return c;
}

struct Fixture {
  explicit Fixture(int64_t vocab, uint64_t seed) {
    std::string err;
    model = create_random_model(engine_config(vocab), seed, 1, &err);
    if (model == nullptr) throw mini::Failure(err);
  }
  ~Fixture() { free_model(model); }
  Model* model;
};

Engine* make_engine(const Model& m, const SpecialTokens& st, std::vector<int32_t> eos, GrammarLimits limits = {}) {
  EngineConfig c;
  c.special = st;
  c.eos = std::move(eos);
  c.limits = limits;
  std::string err;
  Engine* e = create_engine(m, c, &err);
  if (e == nullptr) throw mini::Failure(err);
  return e;
}

}  // namespace

TEST(logit_grammar_bans_and_forces_per_state) {
  const SpecialTokens st{0, 1, 2, 3, 4, 5};
  const int32_t eos = 6, a = 7, b = 8;
  GrammarLimits limits;
  limits.title_max_tokens = 2;
  limits.group_max_branches = 3;
  SerialGrammar g(st, {eos}, limits);
  for (int32_t banned : {st.branch, st.branch_end, st.para_end, st.title_end, st.para}) CHECK(!g.allowed(banned));
  CHECK(g.allowed(st.title) && g.allowed(eos) && g.allowed(a) && g.forced() < 0);
  g.accept(st.title);  // right after <|title|>: non-empty title, no EOS
  for (int32_t banned : {st.title, st.title_end, st.para, eos, st.branch}) CHECK(!g.allowed(banned));
  CHECK(g.allowed(a));
  g.accept(a);
  CHECK(g.allowed(st.title_end) && !g.allowed(eos) && !g.allowed(st.para) && !g.allowed(st.title));
  g.accept(b);  // title.maxTokens = 2 reached: <|/title|> forced
  CHECK_EQ(g.forced(), st.title_end);
  CHECK(!g.allowed(a));
  g.accept(st.title_end);
  CHECK_EQ(g.forced(), st.title);  // one title: <|para|> needs two
  g.accept(st.title);
  g.accept(a);
  // [a] completed now would repeat no title ([a, b] exists), but [a, b] would: b is banned here.
  CHECK(g.allowed(st.title_end) && !g.allowed(b));
  g.accept(st.title_end);
  CHECK(g.forced() < 0 && g.allowed(st.para) && g.allowed(st.title) && !g.allowed(a) && !g.allowed(eos));
  std::vector<float> logits(10, 0.f);
  g.restriction().apply(logits.data(), 10);
  for (int32_t v = 0; v < 10; ++v) CHECK_EQ(logits[v] == kNegInf, v != st.title && v != st.para);
  g.accept(st.title);
  g.accept(a);
  CHECK(!g.allowed(st.title_end));  // [a] repeats title 2
  g.accept(eos + 3);
  g.accept(st.title_end);
  CHECK_EQ(g.forced(), st.para);  // group.maxBranches = 3 titles
  CHECK_EQ(g.titles().size(), size_t{3});
  g.accept(st.para);
  CHECK_EQ(g.forced(), st.para_end);
  g.accept(st.para_end);
  CHECK(!g.allowed(st.title) && g.allowed(a) && g.allowed(eos));  // first step after a group
  g.accept(a);
  CHECK(g.allowed(st.title));
  for (int32_t banned : {st.title, st.title_end, st.para, st.para_end, st.branch}) CHECK(!branch_token_allowed(st, banned));
  CHECK(branch_token_allowed(st, st.branch_end) && branch_token_allowed(st, a));
}

TEST(sampler_greedy_topk_topp_and_seeds) {
  std::vector<float> logits = {0.5f, 2.f, kNegInf, 1.9f, -1.f};
  CHECK_EQ(Sampler::argmax(logits.data(), 5), 1);
  Sampler greedy(SamplerConfig{0.f, 0, 1.f, 1});
  CHECK_EQ(greedy.sample(logits.data(), 5), 1);
  Sampler top1(SamplerConfig{1.f, 1, 1.f, 1});
  Sampler tiny_p(SamplerConfig{1.f, 0, 1e-6f, 1});
  Sampler top2(SamplerConfig{1.f, 2, 1.f, 3});
  Sampler hot(SamplerConfig{5.f, 0, 1.f, 4});
  int seen[5] = {0, 0, 0, 0, 0};
  for (int i = 0; i < 2000; ++i) {
    CHECK_EQ(top1.sample(logits.data(), 5), 1);
    CHECK_EQ(tiny_p.sample(logits.data(), 5), 1);
    const int32_t t2 = top2.sample(logits.data(), 5);
    CHECK(t2 == 1 || t2 == 3);
    ++seen[hot.sample(logits.data(), 5)];
  }
  CHECK_EQ(seen[2], 0);  // banned
  CHECK(seen[0] > 100 && seen[4] > 100);  // a hot sampler reaches the tail
  Sampler x(SamplerConfig{1.f, 0, 0.9f, 42}), y(SamplerConfig{1.f, 0, 0.9f, 42});
  for (int i = 0; i < 100; ++i) CHECK_EQ(x.sample(logits.data(), 5), y.sample(logits.data(), 5));
  CHECK(*sampler_config_error(SamplerConfig{-1.f, 0, 1.f, 0}) != '\0');
  CHECK(*sampler_config_error(SamplerConfig{1.f, 0, 0.f, 0}) != '\0');
}

// §8(a): replay rows mapped to packed indices = one packed forward with the layout's labels and
// Same-Seq positions (shifted by the prompt); engine positions, labels and visibility = layout;
// decode forwards = Steps_ASPD = M + sum_g max_b |b|.
TEST(replay_equals_one_packed_forward) {
  Fixture f(300, 3);
  const int64_t V = 300;
  std::mt19937 rng(5);
  for (int round = 0; round < 4; ++round) {
    SampleSpec spec;
    spec.groups_max = 3;
    spec.branches_max = 5;
    spec.content_max = 7;
    spec.serial_max = 6;
    const SpecialTokens st = random_specials(rng, static_cast<int32_t>(V));
    const GeneratedSample s = generate_sample(rng, st, static_cast<int32_t>(V), spec);
    const int32_t eos = plain_token(st, s.ids, 0);
    Engine* e = make_engine(*f.model, st, {eos});
    const std::vector<int32_t> prompt = {plain_token(st, {eos}, 10), plain_token(st, {eos}, 20), plain_token(st, {eos}, 30)};
    const int64_t P = static_cast<int64_t>(prompt.size()), n = static_cast<int64_t>(s.ids.size()), T = P + n;
    DecodeRun run;
    std::string err;
    CHECK_MSG(engine_replay(*e, prompt.data(), P, s.ids.data(), n, true, &run, &err), err);

    SampleLayout lay;
    LayoutError lerr;
    CHECK(compute_layout(s.ids.data(), s.ids.size(), st, V, &lay, &lerr));
    std::vector<int32_t> ids = prompt, pos, group(P, -1), branch(P, 0), rows(T);
    ids.insert(ids.end(), s.ids.begin(), s.ids.end());
    for (int64_t t = 0; t < P; ++t) pos.push_back(static_cast<int32_t>(t));
    for (int32_t p : lay.positions[0]) pos.push_back(static_cast<int32_t>(P + p));
    group.insert(group.end(), lay.group_id.begin(), lay.group_id.end());
    branch.insert(branch.end(), lay.branch_id.begin(), lay.branch_id.end());
    for (int64_t t = 0; t < T; ++t) rows[t] = static_cast<int32_t>(t);
    std::vector<float> packed(T * V);
    CHECK_MSG(model_forward(*f.model, ids.data(), pos.data(), group.data(), branch.data(), T, rows.data(), T,
                            packed.data(), &err), err);
    CHECK(run.ids == ids && run.position == pos && run.group == group && run.branch == branch);
    double worst = 0;
    for (int64_t i = 0; i < T * V; ++i) worst = std::max(worst, std::fabs(double(run.logits[i]) - packed[i]));
    CHECK_MSG(worst <= 1e-3, "round " << round << ": max |replay - packed| = " << worst);
    for (int64_t i = 0; i < T; ++i)
      for (int64_t j = 0; j < T; ++j) {
        const bool engine = run.forward[j] <= run.forward[i] &&
                            tagged_visible(pos[i], group[i], branch[i], pos[j], group[j], branch[j]);
        CHECK_MSG(engine == packed_visible(i, j, group[i], branch[i], group[j], branch[j]), i << " -> " << j);
      }
    int64_t steps = n;  // M + sum_g max_b |b| = n - sum_g (sum_b |b| - max_b |b|)
    for (const GroupSpan& g : lay.groups) {
      int64_t total = 0, longest = 0;
      for (const BranchSpan& b : g.branches) {
        total += b.length;
        longest = std::max(longest, b.length);
      }
      steps -= total - longest;
    }
    CHECK_EQ(run.forward_passes, steps);
    CHECK_EQ(run.groups, static_cast<int64_t>(lay.groups.size()));

    DecodeRun serial;
    CHECK_MSG(engine_serial(*e, prompt.data(), P, s.ids.data(), n, false, &serial, &err), err);
    CHECK_EQ(serial.forward_passes, n);
    CHECK_EQ(serial.steps_by_active.size(), size_t{1});
    free_engine(e);
  }
}

TEST(replay_rejects_rows_the_engine_cannot_produce) {
  Fixture f(64, 1);
  const SpecialTokens st{0, 1, 2, 3, 4, 5};
  const int32_t eos = 6;
  GrammarLimits limits;
  limits.title_max_tokens = 2;
  Engine* e = make_engine(*f.model, st, {eos}, limits);
  const std::vector<int32_t> prompt = {9};
  auto replay_error = [&](const std::vector<int32_t>& response) {
    DecodeRun run;
    std::string err;
    const bool ok = engine_replay(*e, prompt.data(), 1, response.data(), static_cast<int64_t>(response.size()),
                                  false, &run, &err);
    return ok ? std::string() : err;
  };
  // Well-formed: two one-token titles, empty branch contents.
  const std::vector<int32_t> good = {10, 2, 11, 3, 2, 12, 3, 4, 0, 11, 20, 1, 0, 12, 1, 5, 13};
  CHECK_EQ(replay_error(good), std::string());
  std::vector<int32_t> long_title = {10, 2, 11, 14, 15, 3, 2, 12, 3, 4, 0, 11, 14, 15, 1, 0, 12, 1, 5, 13};
  CHECK(replay_error(long_title).find("IN_TITLE") != std::string::npos);  // 3 tokens > title.maxTokens
  std::vector<int32_t> eos_in_branch = good;
  eos_in_branch[10] = eos;
  CHECK(replay_error(eos_in_branch).find("banned in a branch") != std::string::npos);
  std::vector<int32_t> eos_in_text = good;
  eos_in_text[0] = eos;
  CHECK(replay_error(eos_in_text).find("EOS") != std::string::npos);
  std::vector<int32_t> broken = good;
  broken[9] = 12;  // header does not repeat the title
  CHECK(replay_error(broken).find("HEADER_MISMATCH") != std::string::npos);
  free_engine(e);

  EngineConfig c;
  c.special = st;
  c.eos = {eos};
  c.header_sep = {20};
  std::string err;
  Engine* with_sep = create_engine(*f.model, c, &err);
  CHECK_MSG(with_sep != nullptr, err);
  DecodeRun run;
  CHECK(!engine_replay(*with_sep, prompt.data(), 1, good.data(), static_cast<int64_t>(good.size()), false, &run, &err));
  CHECK_MSG(err.find("branch header") != std::string::npos, err);  // branch 2 lacks ": "
  free_engine(with_sep);
  c.eos = {st.para};
  CHECK(create_engine(*f.model, c, &err) == nullptr);
}

// §8(d): whatever the weights and the sampler, every output parses under §1, and the engine's
// positions and labels equal the layout's. A small vocabulary makes markup frequent.
TEST(generate_outputs_parse_under_the_grammar) {
  Fixture f(24, 9);
  const SpecialTokens st{3, 4, 5, 6, 7, 8};
  const int32_t eos = 9;
  GrammarLimits limits;
  limits.title_max_tokens = 3;
  limits.group_max_branches = 4;
  limits.group_max_steps = 10;
  EngineConfig c;
  c.special = st;
  c.eos = {eos};
  c.header_sep = {10, 11};
  c.limits = limits;
  std::string err;
  Engine* e = create_engine(*f.model, c, &err);
  CHECK_MSG(e != nullptr, err);
  const GenerateTally n = check_generated_outputs_parse(*e, st, 24, [](const DecodeRun& run, const SampleLayout& lay) {
    for (const GroupSpan& g : lay.groups)  // header = <|branch|> title ": "
      for (const BranchSpan& b : g.branches) CHECK(b.length >= 3 && b.length <= 10);
    CHECK_EQ(run.dropped_titles, int64_t{0});
  });
  CHECK_MSG(n.with_groups >= 10 && n.eos_stops >= 3 && n.budget_stops >= 3,
            "groups " << n.with_groups << ", EOS " << n.eos_stops << ", budget " << n.budget_stops);
  free_engine(e);
}

// Argmax and the sampler order logits by '>', under which a NaN loses to everything: a model
// whose forward gives NaN decoded a run of one fixed token and ended at the budget, no error.
TEST(generate_fails_on_non_finite_logits) {
  const SpecialTokens st{3, 4, 5, 6, 7, 8};
  for (const float bad : {std::numeric_limits<float>::quiet_NaN(), std::numeric_limits<float>::infinity()}) {
    for (const float temperature : {0.f, 1.f}) {
      Fixture f(24, 11);
      f.model->final_norm[0] = bad;  // every logit of every token turns NaN
      Engine* e = make_engine(*f.model, st, {9});
      const std::vector<int32_t> prompt = {12, 13, 14};
      DecodeRun run;
      std::string err;
      const bool ok = engine_generate(*e, prompt.data(), 3, SamplerConfig{temperature, 0, 1.f, 1}, 20, &run, &err);
      free_engine(e);
      CHECK_MSG(!ok, "decoded " << run.ids.size() << " tokens from non-finite logits");
      CHECK_MSG(err.find("non-finite logits: the forward gave") != std::string::npos, err);
    }
  }
}
