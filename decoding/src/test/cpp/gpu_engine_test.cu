// The GPU model and the engine on it (cuda/gpu_model.h, cuda/gpu_backend.h) against the CPU
// model, on tiny random checkpoints whose weights are rounded to bf16 first (so both paths hold the
// same weights and differ only by the GPU's bf16 activations):
//   §8(a) GPU replay logits = the CPU packed training-mask forward (bf16 tolerance, argmax rule)
//   §8(b) each branch's GPU logits = its branch-alone GPU forward with the same positions
//   §8(c) serial text after a group sees the branches (removing them changes its logits)
//   generate on the GPU (device sampling) produces only outputs that parse under §1
//   the sampling kernel draws from the temperature/top-k/top-p distribution it should
//   graphs vs eager and cuBLAS vs the built-in GEMV agree; bad input is an error, not a crash.
// Exits 77 (ctest: skipped) without a usable GPU.
#include <algorithm>
#include <array>
#include <cmath>
#include <cstdio>
#include <limits>
#include <random>

#include "core/layout.h"
#include "cuda/cublas_loader.h"
#include "cuda/cuda_check.h"
#include "cuda/decode_attention.h"
#include "cuda/decode_gemv.h"
#include "cuda/decode_mega.h"
#include "cuda/gpu_backend.h"
#include "cuda/gpu_model.h"
#include "engine/engine.h"
#include "generate_checks.h"
#include "mini_test.h"
#include "model/model.h"
#include "random_layouts.h"
#include "tiny_models.h"

using namespace aspd;
using namespace aspd::testing;

namespace {

std::string gpu_skip_reason() {
  int n = 0;
  const cudaError_t e = cudaGetDeviceCount(&n);
  if (e != cudaSuccess) return std::string("no usable GPU: ") + cudaGetErrorString(e);
  if (n == 0) return "no usable GPU: 0 CUDA devices";
  cudaDeviceProp p{};
  if (cudaGetDeviceProperties(&p, 0) != cudaSuccess || p.major < 9) return "GPU older than sm_90";
  return "";
}
const mini::SkipCheck skip_without_gpu(gpu_skip_reason);

// bf16 activations: logits of these O(1)-scaled random models differ by a few 1e-2 at most.
constexpr double kLogitTol = 0.1;
constexpr double kArgmaxMargin = 0.1;

bool have_cublas() {
  std::string err;
  return cublas_api(&err) != nullptr;
}

float round_bf16(float x) { return __bfloat162float(__float2bfloat16_rn(x)); }

// A CPU model with bf16-representable weights and its GPU twin.
struct Twin {
  Twin(int64_t vocab, uint64_t seed, GpuModelOptions opt = {}) {
    std::string err;
    cpu = create_random_model(tiny_qwen2_config(vocab, false), seed, 1, &err);
    if (cpu == nullptr) throw mini::Failure(err);
    for (const TensorSlot& s : model_tensor_slots(cpu))
      for (float& x : *s.data) x = round_bf16(x);
    if (!have_cublas()) opt.cublas = false;
    gpu = create_gpu_model(*cpu, opt, &err);
    if (gpu == nullptr) throw mini::Failure(err);
  }
  ~Twin() {
    free_gpu_model(gpu);
    free_model(cpu);
  }
  Model* cpu = nullptr;
  GpuModel* gpu = nullptr;
};

Engine* gpu_engine(GpuModel* m, const SpecialTokens& st, std::vector<int32_t> eos, std::vector<int32_t> sep = {},
                   GrammarLimits limits = {}) {
  EngineConfig c;
  c.special = st;
  c.eos = std::move(eos);
  c.header_sep = std::move(sep);
  c.limits = limits;
  std::string err;
  Engine* e = create_engine_on(make_gpu_backend(m), c, &err);
  if (e == nullptr) throw mini::Failure(err);
  return e;
}

struct Packed {
  std::vector<int32_t> ids, pos, group, branch;
  int64_t T() const { return static_cast<int64_t>(ids.size()); }
  // Appends tokens [from, to) of `other`, positions and labels unchanged.
  void take(const Packed& other, int64_t from, int64_t to) {
    for (int64_t t = from; t < to; ++t) {
      ids.push_back(other.ids[t]);
      pos.push_back(other.pos[t]);
      group.push_back(other.group[t]);
      branch.push_back(other.branch[t]);
    }
  }
};

// prompt ++ sample with Same-Seq positions and labels from the native layout (also returned).
Packed pack(const std::vector<int32_t>& prompt, const GeneratedSample& s, const SpecialTokens& st, int64_t V,
            SampleLayout* layout = nullptr) {
  SampleLayout lay;
  LayoutError lerr;
  if (!compute_layout(s.ids.data(), s.ids.size(), st, V, &lay, &lerr)) throw mini::Failure(lerr.message);
  if (layout != nullptr) *layout = lay;
  Packed p;
  const int64_t P = static_cast<int64_t>(prompt.size());
  p.ids = prompt;
  p.ids.insert(p.ids.end(), s.ids.begin(), s.ids.end());
  for (int64_t t = 0; t < P; ++t) {
    p.pos.push_back(static_cast<int32_t>(t));
    p.group.push_back(-1);
    p.branch.push_back(0);
  }
  for (int32_t x : lay.positions[0]) p.pos.push_back(static_cast<int32_t>(P + x));
  p.group.insert(p.group.end(), lay.group_id.begin(), lay.group_id.end());
  p.branch.insert(p.branch.end(), lay.branch_id.begin(), lay.branch_id.end());
  return p;
}

std::vector<float> cpu_forward(const Model& m, const Packed& p) {
  std::vector<int32_t> rows(p.T());
  for (int64_t t = 0; t < p.T(); ++t) rows[t] = static_cast<int32_t>(t);
  std::vector<float> out(p.T() * m.config.vocab_size);
  std::string err;
  if (!model_forward(m, p.ids.data(), p.pos.data(), p.group.data(), p.branch.data(), p.T(), rows.data(), p.T(),
                     out.data(), &err))
    throw mini::Failure(err);
  return out;
}

int64_t argmax(const float* x, int64_t V) { return std::max_element(x, x + V) - x; }

// Max |a - b| over rows, and the argmax rule: where `want` has a clear winner (top-1 minus top-2
// above kArgmaxMargin), `got` picks it too.
double compare_rows(const float* got, const float* want, int64_t rows, int64_t V, const std::string& what) {
  double worst = 0;
  for (int64_t r = 0; r < rows; ++r) {
    const float* g = got + r * V;
    const float* w = want + r * V;
    for (int64_t v = 0; v < V; ++v) worst = std::max(worst, std::fabs(double(g[v]) - w[v]));
    std::vector<float> sorted(w, w + V);
    std::partial_sort(sorted.begin(), sorted.begin() + 2, sorted.end(), std::greater<float>());
    if (sorted[0] - sorted[1] > kArgmaxMargin)
      CHECK_MSG(argmax(g, V) == argmax(w, V), what << ": row " << r << " argmax " << argmax(g, V) << " vs " << argmax(w, V));
  }
  CHECK_MSG(worst <= kLogitTol, what << ": max |diff| " << worst);
  return worst;
}

// A random sample (one to groups_max groups of up to branches_max branches) after a prompt of plain
// tokens prompt_id(0 .. prompt_len - 1); eos is a plain token the sample does not use.
struct PromptedSample {
  SpecialTokens st;
  GeneratedSample s;
  int32_t eos;
  std::vector<int32_t> prompt;
};

template <typename PromptId>
PromptedSample prompted_sample(std::mt19937& rng, int64_t V, int groups_max, int branches_max, int prompt_len,
                               PromptId prompt_id) {
  PromptedSample x;
  x.st = random_specials(rng, static_cast<int32_t>(V));
  SampleSpec spec;
  spec.groups_max = groups_max;
  spec.branches_max = branches_max;
  x.s = generate_sample(rng, x.st, static_cast<int32_t>(V), spec);
  x.eos = plain_token(x.st, x.s.ids, 0);
  for (int i = 0; i < prompt_len; ++i) x.prompt.push_back(plain_token(x.st, {x.eos}, prompt_id(i)));
  return x;
}

}  // namespace

TEST(gpu_replay_equals_packed_training_forward) {
  const int64_t V = 300;
  Twin twin(V, 3);
  std::mt19937 rng(5);
  double worst = 0;
  for (int round = 0; round < 4; ++round) {
    SampleSpec spec;
    spec.groups_max = 3;
    spec.branches_max = 12;
    spec.content_max = 20;
    spec.serial_max = 30;
    const SpecialTokens st = random_specials(rng, static_cast<int32_t>(V));
    const GeneratedSample s = generate_sample(rng, st, static_cast<int32_t>(V), spec);
    const int32_t eos = plain_token(st, s.ids, 0);
    GrammarLimits limits;  // samples have up to 12 branches and 3-token titles
    limits.group_max_branches = 16;
    Engine* e = gpu_engine(twin.gpu, st, {eos}, {}, limits);
    std::vector<int32_t> prompt;
    for (int i = 0; i < 40; ++i) prompt.push_back(plain_token(st, {eos}, 10 + 5 * i));
    DecodeRun run;
    std::string err;
    CHECK_MSG(engine_replay(*e, prompt.data(), static_cast<int64_t>(prompt.size()), s.ids.data(),
                            static_cast<int64_t>(s.ids.size()), true, &run, &err), err);
    const Packed p = pack(prompt, s, st, V);
    CHECK(run.ids == p.ids && run.position == p.pos && run.group == p.group && run.branch == p.branch);
    const std::vector<float> want = cpu_forward(*twin.cpu, p);
    worst = std::max(worst, compare_rows(run.logits.data(), want.data(), p.T(), V, "round " + std::to_string(round)));
    DecodeRun cpu_run;
    Engine* cpu_e = create_engine(*twin.cpu, e->config, &err);
    CHECK_MSG(engine_replay(*cpu_e, prompt.data(), static_cast<int64_t>(prompt.size()), s.ids.data(),
                            static_cast<int64_t>(s.ids.size()), false, &cpu_run, &err), err);
    CHECK_EQ(run.forward_passes, cpu_run.forward_passes);
    CHECK(run.forward == cpu_run.forward);
    free_engine(cpu_e);
    free_engine(e);
  }
  std::printf("  max |GPU replay - CPU packed forward| = %.4f (%s)\n", worst, gpu_model_describe(*twin.gpu).c_str());
}

TEST(gpu_branch_equals_branch_alone_and_serial_after_sees_branches) {
  const int64_t V = 300;
  Twin twin(V, 11);
  std::mt19937 rng(8);
  SampleSpec spec;
  spec.groups_min = spec.groups_max = 1;
  spec.branches_min = 3;
  spec.branches_max = 6;
  spec.content_min = 5;
  spec.content_max = 15;
  spec.serial_min = 5;
  const SpecialTokens st = random_specials(rng, static_cast<int32_t>(V));
  const GeneratedSample s = generate_sample(rng, st, static_cast<int32_t>(V), spec);
  const int32_t eos = plain_token(st, s.ids, 0);
  Engine* e = gpu_engine(twin.gpu, st, {eos});
  const std::vector<int32_t> prompt = {plain_token(st, {eos}, 10), plain_token(st, {eos}, 20)};
  DecodeRun run;
  std::string err;
  CHECK_MSG(engine_replay(*e, prompt.data(), 2, s.ids.data(), static_cast<int64_t>(s.ids.size()), true, &run, &err), err);
  free_engine(e);  // releases the model for the direct forwards below
  SampleLayout lay;
  const Packed p = pack(prompt, s, st, V, &lay);
  const GroupSpan& g = lay.groups[0];
  const int64_t group_start = 2 + g.branches.front().start;
  // (b) prefix + one branch alone, same positions and labels, on the GPU.
  for (const BranchSpan& b : g.branches) {
    Packed alone;
    alone.take(p, 0, group_start);
    alone.take(p, 2 + b.start, 2 + b.start + b.length);
    gpu_model_clear(twin.gpu);
    std::vector<int32_t> argmax_rows(alone.T());
    CHECK_MSG(gpu_model_forward(twin.gpu, alone.ids.data(), alone.pos.data(), alone.group.data(), alone.branch.data(),
                                alone.T(), alone.T(), argmax_rows.data(), &err), err);
    std::vector<float> got(b.length * V);
    for (int64_t i = 0; i < b.length; ++i)
      CHECK_MSG(gpu_model_logits(twin.gpu, group_start + i, got.data() + i * V, &err), err);
    compare_rows(got.data(), run.logits.data() + (2 + b.start) * V, b.length, V, "branch alone");
  }
  // (c) the first main token after the group, with and without the branches before it.
  const int64_t after = 2 + g.para_end;  // packed index of <|/para|>
  CHECK(after < p.T());
  Packed without;
  without.take(p, 0, group_start);
  without.take(p, after, p.T());
  const std::vector<float> masked = cpu_forward(*twin.cpu, without);
  const float* seen = run.logits.data() + after * V;
  const float* blind = masked.data() + group_start * V;  // the same token, branches removed
  double change = 0;
  for (int64_t v = 0; v < V; ++v) change = std::max(change, std::fabs(double(seen[v]) - blind[v]));
  CHECK_MSG(change > 5 * kLogitTol, "removing the branches changed the merge token's logits by only " << change);
}

TEST(gpu_generate_outputs_parse_under_the_grammar) {
  Twin twin(24, 9);
  const SpecialTokens st{3, 4, 5, 6, 7, 8};
  GrammarLimits limits;
  limits.title_max_tokens = 3;
  limits.group_max_branches = 4;
  limits.group_max_steps = 10;
  Engine* e = gpu_engine(twin.gpu, st, {9}, {10, 11}, limits);
  const int with_groups = check_generated_outputs_parse(*e, st, 24).with_groups;
  std::printf("  %d of 40 generated outputs hold a group\n", with_groups);
  CHECK_MSG(with_groups >= 5, "only " << with_groups << " outputs with a group");
  free_engine(e);
}

// As on the CPU (engine_test's generate_fails_on_non_finite_logits): argmax and the sampler order
// logits by '>', under which a NaN loses to everything, so a broken forward decoded a run of token 0.
TEST(gpu_generate_fails_on_non_finite_logits) {
  const SpecialTokens st{3, 4, 5, 6, 7, 8};
  for (const float bad : {std::numeric_limits<float>::quiet_NaN(), std::numeric_limits<float>::infinity()}) {
    for (const float temperature : {0.f, 1.f}) {
      Twin twin(24, 11);
      free_gpu_model(twin.gpu);
      twin.cpu->final_norm[0] = bad;  // every logit of every token turns non-finite
      std::string err;
      GpuModelOptions opt;
      if (!have_cublas()) opt.cublas = false;
      twin.gpu = create_gpu_model(*twin.cpu, opt, &err);
      CHECK_MSG(twin.gpu != nullptr, err);
      Engine* e = gpu_engine(twin.gpu, st, {9});
      const std::vector<int32_t> prompt = {12, 13, 14};
      DecodeRun run;
      const bool ok = engine_generate(*e, prompt.data(), 3, SamplerConfig{temperature, 0, 1.f, 1}, 20, &run, &err);
      free_engine(e);
      CHECK_MSG(!ok, "decoded " << run.ids.size() << " tokens from non-finite logits");
      CHECK_MSG(err.find("non-finite logits: the forward gave") != std::string::npos, err);
    }
  }
}

// The kernels themselves: the engine meets a broken row at the argmax already, so the sampler's own
// check is exercised here, with the bad value on an allowed token, on a banned one and alone.
TEST(gpu_argmax_and_sampler_flag_rows_with_nan_or_inf) {
  const int64_t V = 151936;  // many blocks per row in the argmax
  std::vector<float> rows(2 * V, 0.f);
  rows[123] = 5.f;  // row 0: finite, best at 123
  float* d_rows = nullptr;
  int32_t *d_ids = nullptr, *d_out = nullptr;
  ArgmaxScratch scratch{};
  CUDA_CHECK(cudaMalloc(&d_rows, 2 * V * sizeof(float)));
  CUDA_CHECK(cudaMalloc(&d_ids, sizeof(int32_t)));
  CUDA_CHECK(cudaMalloc(&d_out, 2 * sizeof(int32_t)));
  CUDA_CHECK(cudaMalloc(&scratch.value, 2 * kArgmaxBlocks * sizeof(float)));
  CUDA_CHECK(cudaMalloc(&scratch.index, 2 * kArgmaxBlocks * sizeof(int32_t)));
  CUDA_CHECK(cudaMalloc(&scratch.counters, 2 * sizeof(int32_t)));
  CUDA_CHECK(cudaMemset(scratch.counters, 0, 2 * sizeof(int32_t)));
  for (const float bad : {std::numeric_limits<float>::quiet_NaN(), std::numeric_limits<float>::infinity(),
                          -std::numeric_limits<float>::infinity()}) {
    for (const int64_t at : {int64_t{7}, V - 1}) {
      std::vector<float> r = rows;
      r[V + 456] = 9.f;
      r[V + at] = bad;  // row 1: broken at `at`
      CUDA_CHECK(cudaMemcpy(d_rows, r.data(), r.size() * sizeof(float), cudaMemcpyHostToDevice));
      CUDA_CHECK(launch_argmax(d_rows, 2, V, scratch, d_out, nullptr));
      int32_t out[2];
      CUDA_CHECK(cudaMemcpy(out, d_out, sizeof(out), cudaMemcpyDeviceToHost));
      CHECK_EQ(out[0], 123);
      CHECK_MSG(out[1] == kNonFiniteToken, "argmax of a row with " << bad << " at " << at << ": " << out[1]);
      const int32_t banned = static_cast<int32_t>(at);
      CUDA_CHECK(cudaMemcpy(d_ids, &banned, sizeof(int32_t), cudaMemcpyHostToDevice));
      for (const int32_t n_ban : {0, 1}) {  // banned or not, the row is broken
        for (const float temperature : {0.f, 1.f}) {
          DeviceSampling p{temperature, 0, 0.9f, 3, 0, 0, n_ban};
          CUDA_CHECK(launch_sample(d_rows + V, V, d_ids, p, d_out, nullptr));
          int32_t tok;
          CUDA_CHECK(cudaMemcpy(&tok, d_out, sizeof(int32_t), cudaMemcpyDeviceToHost));
          CHECK_MSG(tok == kNonFiniteToken, "sample (T " << temperature << ", ban " << n_ban << ") of a row with "
                                                         << bad << " at " << at << ": " << tok);
          DeviceSampling fine{temperature, 0, 0.9f, 3, 0, 0, 0};
          CUDA_CHECK(launch_sample(d_rows, V, d_ids, fine, d_out, nullptr));
          CUDA_CHECK(cudaMemcpy(&tok, d_out, sizeof(int32_t), cudaMemcpyDeviceToHost));
          CHECK_MSG(tok >= 0 && tok < V, "a finite row samples a token: " << tok);
        }
      }
    }
  }
  cudaFree(d_rows);
  cudaFree(d_ids);
  cudaFree(d_out);
  cudaFree(scratch.value);
  cudaFree(scratch.index);
  cudaFree(scratch.counters);
}

TEST(gpu_sampler_draws_the_warped_distribution) {
  // logits: 6 live tokens and one banned; T = 0.7, top-k 5, top-p 0.9 over the renormalised top 5.
  const std::vector<float> logits = {2.0f, 1.0f, 0.5f, 0.0f, -1.0f, -1.5f, 3.0f};
  const int64_t V = static_cast<int64_t>(logits.size());
  const float T = 0.7f;
  const int32_t top_k = 5;
  const float top_p = 0.9f;
  std::vector<int> order = {0, 1, 2, 3, 4, 5};  // token 6 is banned
  std::vector<double> p(V, 0.0);
  double z = 0;
  for (int i = 0; i < top_k; ++i) z += std::exp(logits[order[i]] / T);
  double mass = 0;
  std::vector<int> kept;
  for (int i = 0; i < top_k && mass < top_p; ++i) {
    kept.push_back(order[i]);
    mass += std::exp(logits[order[i]] / T) / z;
  }
  double zk = 0;
  for (int i : kept) zk += std::exp(logits[i] / T);
  for (int i : kept) p[i] = std::exp(logits[i] / T) / zk;

  float* d_logits = nullptr;
  int32_t *d_ids = nullptr, *d_out = nullptr;
  CUDA_CHECK(cudaMalloc(&d_logits, V * sizeof(float)));
  CUDA_CHECK(cudaMalloc(&d_ids, sizeof(int32_t)));
  CUDA_CHECK(cudaMalloc(&d_out, sizeof(int32_t)));
  CUDA_CHECK(cudaMemcpy(d_logits, logits.data(), V * sizeof(float), cudaMemcpyHostToDevice));
  const int32_t banned = 6;
  CUDA_CHECK(cudaMemcpy(d_ids, &banned, sizeof(int32_t), cudaMemcpyHostToDevice));
  const int draws = 20000;
  std::vector<int> count(V, 0);
  for (int n = 0; n < draws; ++n) {
    DeviceSampling s{T, top_k, top_p, 42, static_cast<uint64_t>(n), 0, 1};
    CUDA_CHECK(launch_sample(d_logits, V, d_ids, s, d_out, nullptr));
    int32_t tok;
    CUDA_CHECK(cudaMemcpy(&tok, d_out, sizeof(int32_t), cudaMemcpyDeviceToHost));
    CHECK(tok >= 0 && tok < V);
    ++count[tok];
  }
  for (int64_t i = 0; i < V; ++i) {
    const double f = double(count[i]) / draws;
    CHECK_MSG(std::fabs(f - p[i]) <= 0.015, "token " << i << ": drawn " << f << ", expected " << p[i]);
  }
  DeviceSampling greedy{0.f, 0, 1.f, 1, 0, 0, 1};  // greedy with the top token banned -> the next best
  CUDA_CHECK(launch_sample(d_logits, V, d_ids, greedy, d_out, nullptr));
  int32_t tok;
  CUDA_CHECK(cudaMemcpy(&tok, d_out, sizeof(int32_t), cudaMemcpyDeviceToHost));
  CHECK_EQ(tok, 0);
  cudaFree(d_logits);
  cudaFree(d_ids);
  cudaFree(d_out);
}

TEST(gpu_sampler_on_a_full_vocabulary_with_ties_and_an_allow_list) {
  // V = 151,936 (many elements per thread in every reduction); three tied best logits, then
  // top-k 3 keeps exactly the tie (uniform thirds); an allow list of two ids wins over the ban list.
  const int64_t V = 151936;
  std::vector<float> logits(V);
  std::mt19937 rng(9);
  std::uniform_real_distribution<float> low(-8.f, 0.f);
  for (float& x : logits) x = low(rng);
  const int32_t tied[3] = {17, 90001, 151935};
  for (int32_t t : tied) logits[t] = 5.f;
  float* d_logits = nullptr;
  int32_t *d_ids = nullptr, *d_out = nullptr;
  CUDA_CHECK(cudaMalloc(&d_logits, V * sizeof(float)));
  CUDA_CHECK(cudaMalloc(&d_ids, 3 * sizeof(int32_t)));
  CUDA_CHECK(cudaMalloc(&d_out, sizeof(int32_t)));
  CUDA_CHECK(cudaMemcpy(d_logits, logits.data(), V * sizeof(float), cudaMemcpyHostToDevice));
  auto draw = [&](DeviceSampling s) {
    CUDA_CHECK(launch_sample(d_logits, V, d_ids, s, d_out, nullptr));
    int32_t tok;
    CUDA_CHECK(cudaMemcpy(&tok, d_out, sizeof(int32_t), cudaMemcpyDeviceToHost));
    return tok;
  };
  int counts[3] = {0, 0, 0};
  const int draws = 3000;
  for (int n = 0; n < draws; ++n) {
    const int32_t tok = draw(DeviceSampling{1.f, 3, 1.f, 5, static_cast<uint64_t>(n), 0, 0});
    const int32_t* at = std::find(tied, tied + 3, tok);
    CHECK_MSG(at != tied + 3, "top-k 3 drew " << tok << ", outside the three tied best ids");
    ++counts[at - tied];
  }
  for (int c : counts) CHECK_MSG(std::fabs(double(c) / draws - 1.0 / 3) < 0.04, "tied ids drawn unevenly: " << c);
  CHECK_EQ(draw(DeviceSampling{0.f, 0, 1.f, 5, 0, 0, 0}), tied[0]);  // greedy: lowest id among ties
  const int32_t ids[3] = {123, 456, tied[0]};  // allow {123, 456}; ban {17} (ignored: the allow list wins)
  CUDA_CHECK(cudaMemcpy(d_ids, ids, sizeof(ids), cudaMemcpyHostToDevice));
  for (int n = 0; n < 50; ++n) {
    const int32_t tok = draw(DeviceSampling{1.f, 0, 1.f, 5, static_cast<uint64_t>(n), 2, 1});
    CHECK_MSG(tok == 123 || tok == 456, "allow-only draw gave " << tok);
  }
  cudaFree(d_logits);
  cudaFree(d_ids);
  cudaFree(d_out);
}

TEST(gpu_graphs_eager_and_gemm_paths_agree) {
  const int64_t V = 200;
  GpuModelOptions eager;
  eager.graphs = false;
  GpuModelOptions gemv;
  gemv.cublas = false;
  Twin graphed(V, 21), plain(V, 21, eager), builtin(V, 21, gemv);
  std::mt19937 rng(4);
  const SpecialTokens st = random_specials(rng, static_cast<int32_t>(V));
  SampleSpec spec;
  spec.groups_max = 2;
  spec.branches_max = 8;
  const GeneratedSample s = generate_sample(rng, st, static_cast<int32_t>(V), spec);
  const int32_t eos = plain_token(st, s.ids, 0);
  const std::vector<int32_t> prompt = {plain_token(st, {eos}, 7), plain_token(st, {eos}, 9)};
  std::vector<std::vector<float>> logits;
  for (GpuModel* m : {graphed.gpu, plain.gpu, builtin.gpu}) {
    Engine* e = gpu_engine(m, st, {eos});
    DecodeRun run;
    std::string err;
    // Twice: graphs are captured on the second step of a size, so the second run replays them.
    for (int rep = 0; rep < 2; ++rep)
      CHECK_MSG(engine_replay(*e, prompt.data(), 2, s.ids.data(), static_cast<int64_t>(s.ids.size()), true, &run, &err), err);
    logits.push_back(run.logits);
    free_engine(e);
  }
  double graph_vs_eager = 0, gemv_vs_blas = 0;
  for (size_t i = 0; i < logits[0].size(); ++i) {
    graph_vs_eager = std::max(graph_vs_eager, std::fabs(double(logits[0][i]) - logits[1][i]));
    gemv_vs_blas = std::max(gemv_vs_blas, std::fabs(double(logits[0][i]) - logits[2][i]));
  }
  std::printf("  graphs vs eager max |diff| %.2e; built-in GEMV vs %s %.2e\n", graph_vs_eager,
              have_cublas() ? "cuBLAS" : "itself (no cuBLAS here)", gemv_vs_blas);
  // Same kernels and GEMM shapes: only a different cuBLAS algorithm choice could move a bit.
  CHECK_MSG(graph_vs_eager <= 1e-3, "a graph replay differs from the eager forward: " << graph_vs_eager);
  CHECK_MSG(gemv_vs_blas <= 0.02, "GEMV vs cuBLAS " << gemv_vs_blas);
  CHECK_MSG(gpu_model_describe(*graphed.gpu).find("graphs on") != std::string::npos, gpu_model_describe(*graphed.gpu));
}

enum class DecodePath { kFused, kMega };

// Steps of 1..16 rows (one and two token tiles) after a prompt (the unfused path in both)
// on two GPU models: `a` with the decode path under test, `b` on the cuBLAS/GEMV path. Returns the
// largest |logit difference| over every output row; *scale gets the largest |logit|.
double compare_decode_steps(GpuModel* a, GpuModel* b, int64_t V, uint64_t seed, int32_t prompt, double* scale) {
  std::string err;
  std::mt19937 rng(static_cast<uint32_t>(seed));
  std::vector<int32_t> ids, pos, group, branch;
  auto add = [&](int32_t p, int32_t g, int32_t br) {
    ids.push_back(static_cast<int32_t>(rng() % V));
    pos.push_back(p);
    group.push_back(g);
    branch.push_back(br);
  };
  for (int32_t t = 0; t < prompt; ++t) add(t, -1, 0);
  std::vector<int64_t> steps = {prompt};
  for (int32_t rows : {1, 8, 9, 16, 3, 1}) {
    for (int32_t br = 0; br < rows; ++br) add(prompt + static_cast<int32_t>(steps.size()), rows == 1 ? -1 : 0, rows == 1 ? 0 : br + 1);
    steps.push_back(rows);
  }
  double worst = 0;
  *scale = 1;
  int64_t off = 0;
  std::vector<float> la(V), lb(V);
  bool ok = true;
  for (int64_t rows : steps) {
    const int64_t heads = rows > 16 ? 1 : rows;  // a long prompt: the last row's logits only
    std::vector<int32_t> out(rows);
    for (GpuModel* m : {a, b})
      ok = ok && gpu_model_forward(m, ids.data() + off, pos.data() + off, group.data() + off, branch.data() + off,
                                   rows, heads, out.data(), &err);
    for (int64_t r = 0; ok && r < heads; ++r) {
      ok = gpu_model_logits(a, r, la.data(), &err) && gpu_model_logits(b, r, lb.data(), &err);
      for (int64_t v = 0; ok && v < V; ++v) {
        worst = std::max(worst, std::fabs(double(la[v]) - lb[v]));
        *scale = std::max(*scale, std::fabs(double(lb[v])));
      }
    }
    off += rows;
  }
  if (!ok) throw mini::Failure(err);
  return worst;
}

// Decode steps on `tested` (whose description names `path`) against `plain`; frees both models.
void check_models_agree(GpuModel* tested, GpuModel* plain, const char* path, const std::string& shape, int64_t V,
                        uint64_t seed, int32_t prompt) {
  double scale = 1, worst = 0;
  std::string failure;
  try {
    worst = compare_decode_steps(tested, plain, V, seed, prompt, &scale);
  } catch (const mini::Failure& f) {
    failure = f.what();
  }
  const std::string described = gpu_model_describe(*tested);
  free_gpu_model(tested);
  free_gpu_model(plain);
  CHECK_MSG(failure.empty(), failure);
  CHECK_MSG(described.find(path) != std::string::npos, described);
  std::printf("  %s: %s vs unfused decode steps max |diff| %.2e (max |logit| %.1f)\n", shape.c_str(), path, worst,
              scale);
  // bf16 rounding of h and act may differ by an ulp (the norm's sum runs in another order).
  CHECK_MSG(worst <= 0.02 * scale, path << " decode steps differ from the unfused forward: " << worst);
}

// Two GPU models of one CPU model: the decode path under test and the cuBLAS/GEMV path;
// mega_parts as GpuModelOptions::mega_parts.
void check_decode_path_against_unfused(ModelConfig config, uint64_t seed, DecodePath path,
                                       std::array<int32_t, 4> mega_parts = {0, 0, 0, 0}, int32_t fused_max_splits = 0,
                                       int32_t fused_streamed = 0) {
  std::string err;
  Model* cpu = create_random_model(config, seed, 1, &err);
  if (cpu == nullptr) throw mini::Failure(err);
  GpuModelOptions test_opt, plain_opt;
  test_opt.fused_decode = path == DecodePath::kFused;
  test_opt.mega_decode = path == DecodePath::kMega;
  for (int i = 0; i < 4; ++i) test_opt.mega_parts[i] = mega_parts[i];
  test_opt.fused_max_splits = fused_max_splits;
  test_opt.fused_streamed = fused_streamed;
  plain_opt.mega_decode = false;
  if (!have_cublas()) test_opt.cublas = plain_opt.cublas = false;
  GpuModel* tested = create_gpu_model(*cpu, test_opt, &err);
  GpuModel* plain = tested == nullptr ? nullptr : create_gpu_model(*cpu, plain_opt, &err);
  free_model(cpu);
  if (plain == nullptr) {
    free_gpu_model(tested);
    throw mini::Failure(err);
  }
  check_models_agree(tested, plain, path == DecodePath::kFused ? "programmatic dependent launch" : "decode megakernel",
                     "hidden " + std::to_string(config.hidden_size) + ", head dim " + std::to_string(config.head_dim),
                     config.vocab_size, seed, 40);
}

ModelConfig wide_config(int64_t vocab, int64_t hidden, int64_t inter, int64_t heads, int64_t kv_heads, int64_t head_dim) {
  ModelConfig c = tiny_qwen2_config(vocab, false);
  c.hidden_size = hidden;
  c.intermediate_size = inter;
  c.num_heads = heads;
  c.num_kv_heads = kv_heads;
  c.head_dim = head_dim;
  return c;
}

TEST(gpu_fused_decode_steps_match_the_unfused_forward) {
  // The tiny shape runs every product in one block column, the wider one splits K across blocks
  // (hidden 512 -> 8 O-row ranges).
  check_decode_path_against_unfused(tiny_qwen2_config(260, false), 31, DecodePath::kFused);
  check_decode_path_against_unfused(wide_config(300, 512, 1024, 8, 2, 64), 32, DecodePath::kFused);
  // K splits of at most 2 blocks (clusters of 2), and none with the weights streamed through the
  // pipeline (the down product's 8 chunks in one block, past its 4 stages).
  check_decode_path_against_unfused(wide_config(300, 512, 1024, 8, 2, 64), 36, DecodePath::kFused, {0, 0, 0, 0}, 2);
  check_decode_path_against_unfused(wide_config(300, 512, 1024, 8, 2, 64), 37, DecodePath::kFused, {0, 0, 0, 0}, 1,
                                    kFusedAll);
  // Only the gate/up product streamed: the others resident beside it.
  check_decode_path_against_unfused(wide_config(300, 512, 1024, 8, 2, 64), 40, DecodePath::kFused, {0, 0, 0, 0}, 0,
                                    kFusedGateUp);
  // Head dim 80: QKV blocks of 80 rows, where 3 of the 8 warps have no row tile.
  check_decode_path_against_unfused(wide_config(300, 320, 640, 4, 2, 80), 39, DecodePath::kFused);
}

TEST(gpu_fused_timeline_stamps_a_decode_step) {
  GpuModelOptions opt;
  opt.fused_decode = opt.fused_timeline = true;
  if (!have_cublas()) opt.cublas = false;
  std::string err;
  FusedTimeline tl;
  const ModelConfig c = wide_config(300, 512, 1024, 8, 2, 64);
  GpuModel* m = create_random_gpu_model(c, 38, opt, &err);
  CHECK_MSG(m != nullptr, err);
  CHECK(!gpu_model_fused_timeline(m, &tl, &err));  // no step has run yet
  int32_t ids[2] = {5, 6}, pos[2] = {0, 1}, group[2] = {-1, -1}, branch[2] = {0, 0}, am[2];
  for (int i = 0; i < 2; ++i)  // one-row steps: the fused path
    CHECK_MSG(gpu_model_forward(m, ids + i, pos + i, group + i, branch + i, 1, 1, am, &err), err);
  CHECK_MSG(gpu_model_fused_timeline(m, &tl, &err), err);
  // The stamps come in order (a product's start, the end of its wait, its last block's end) and
  // each product ends after the one before it (its wait covers that one's completion).
  for (int p = 0; p < 4; ++p)
    CHECK_MSG(tl.wait_us[p] >= 0 && tl.after_wait_us[p] >= 0 && tl.share_us[p] >= 0,
              "product " << p << ": start " << tl.start_us[p] << ", wait " << tl.wait_us[p] << ", after "
                         << tl.after_wait_us[p] << ", share " << tl.share_us[p]);
  CHECK_MSG(tl.layer_us > 0 && tl.layer_us < 1e5, "a layer took " << tl.layer_us << " us");
  free_gpu_model(m);
}

TEST(gpu_fused_plans_fit_the_device) {
  // Every plan the fit returns passes the launch's own rules. On a whole H100 or H200 (132 SMs,
  // 227 KB of shared memory per block) every product of the 0.5B and 7B shapes also keeps the plan
  // the cost model asks for (clusters of up to 8 blocks place); what the fit changes is a smaller
  // part's business (a MIG slice, another sm_90+ GPU). A K range too long for any resident block,
  // even unsplit, gets the streamed plan.
  cudaDeviceProp prop{};
  CHECK(cudaGetDeviceProperties(&prop, 0) == cudaSuccess);
  const int32_t sms = prop.multiProcessorCount;
  const bool whole_hopper = prop.major == 9 && sms >= 132 && prop.sharedMemPerBlockOptin >= 227 * 1024;
  struct Case {
    GemvEpilogue kind;
    int64_t N, K;
    int32_t D;
    bool norm;
  };
  const Case cases[] = {
      {GemvEpilogue::kRopeAppend, 1152, 896, 64, true},  {GemvEpilogue::kAddResidual, 896, 896, 0, false},
      {GemvEpilogue::kSiluMul, 9728, 896, 0, true},      {GemvEpilogue::kAddResidual, 896, 4864, 0, false},
      {GemvEpilogue::kStore, 151936, 896, 0, true},      {GemvEpilogue::kRopeAppend, 4608, 3584, 128, true},
      {GemvEpilogue::kAddResidual, 3584, 18944, 0, false}, {GemvEpilogue::kSiluMul, 37888, 3584, 0, true},
  };
  for (const Case& k : cases) {
    GemvPlan fitted{};
    const cudaError_t e = fit_decode_gemv_plan(k.kind, k.N, k.K, k.D, k.norm, sms, kDecodeGemvMaxSplits, true, &fitted);
    CHECK_MSG(e == cudaSuccess, "N " << k.N << " K " << k.K << ": " << cudaGetErrorString(e));
    CHECK(fitted.splits >= 1 && fitted.splits <= kDecodeGemvMaxSplits &&
          fitted.row_blocks == (k.N + fitted.rows_per_block - 1) / fitted.rows_per_block);
    const GemvPlan wanted = plan_decode_gemv(k.kind, k.N, k.K, k.D, sms);
    if (!whole_hopper) continue;
    CHECK_MSG(fitted.splits == wanted.splits && fitted.resident == wanted.resident && fitted.stages == wanted.stages,
              "N " << k.N << " K " << k.K << ": fitted splits " << fitted.splits << " resident " << fitted.resident
                   << ", wanted " << wanted.splits << " " << wanted.resident);
  }
  GemvPlan streamed{};
  CHECK(fit_decode_gemv_plan(GemvEpilogue::kStore, 64, 65536, 0, false, sms, 1, true, &streamed) == cudaSuccess);
  CHECK_MSG(!streamed.resident && streamed.splits == 1 && streamed.stages == decode_gemv_pipeline_stages(64),
            "splits " << streamed.splits << " stages " << streamed.stages);
}

TEST(gpu_megakernel_decode_steps_match_the_unfused_forward) {
  // Head dims 32, 64 and 128; GQA; the QKV bias of Qwen2.
  check_decode_path_against_unfused(wide_config(300, 128, 256, 4, 2, 32), 33, DecodePath::kMega);
  check_decode_path_against_unfused(wide_config(300, 512, 1024, 8, 2, 64), 34, DecodePath::kMega);
  check_decode_path_against_unfused(wide_config(500, 896, 4864, 7, 1, 128), 35, DecodePath::kMega);
}

TEST(gpu_megakernel_launches_reject_bad_arguments_before_running) {
  // Every pointer the kernel needs set to a (never dereferenced) non-null value, then one field
  // broken at a time: each launch must refuse with cudaErrorInvalidValue and run nothing.
  static int32_t io[1 + 4 * 17];
  static float dummy_f;
  static uint32_t dummy_u;
  static int32_t dummy_i;
  static MegaLayer layer{};
  MegaArgs good{};
  good.layers = &layer;
  good.L = 1, good.E = 64, good.I = 128, good.H = 2, good.Hkv = 1, good.D = 32;
  good.io = StepIoView{io, 1};
  good.attn_partial = &dummy_f;
  good.product_partial = &dummy_f;
  good.product_counters = &dummy_i;
  good.barrier = &dummy_u;
  good.rope = &dummy_f;
  auto broken = [&](const char* what, auto&& mutate) {
    MegaArgs a = good;
    mutate(a);
    const cudaError_t e = launch_decode_mega(a, nullptr);
    CHECK_MSG(e == cudaErrorInvalidValue, what << ": " << cudaGetErrorString(e));
  };
  broken("no rows", [](MegaArgs& a) { a.io.M = 0; });
  broken("17 rows", [](MegaArgs& a) { a.io.M = kMegaMaxRows + 1; });
  broken("no layers", [](MegaArgs& a) { a.layers = nullptr; });
  broken("no split workspace", [](MegaArgs& a) { a.product_partial = nullptr; });
  broken("no split counters", [](MegaArgs& a) { a.product_counters = nullptr; });
  broken("negative parts", [](MegaArgs& a) { a.product_parts[3] = -1; });
  broken("head dim 48", [](MegaArgs& a) { a.D = 48; });
  broken("hidden not a multiple of 32", [](MegaArgs& a) { a.E = 80; });
  broken("heads not a multiple of KV heads", [](MegaArgs& a) { a.H = 3, a.Hkv = 2; });
  broken("no RoPE table", [](MegaArgs& a) { a.rope = nullptr; });
  CHECK(launch_decode_prologue(nullptr, StepIoView{io, 0}, 64, nullptr, EntryTags{}, 32, 1e4, nullptr, nullptr) ==
        cudaErrorInvalidValue);
  CHECK(launch_decode_prologue(nullptr, StepIoView{io, kDecodePrologueMaxRows + 1}, 64, nullptr, EntryTags{}, 32, 1e4, nullptr,
                             nullptr) == cudaErrorInvalidValue);
  {  // sums of squares asked for without their slot count (every other argument valid)
    static int32_t tag_store[3];
    static float x_store[64], rope_store[16], sums_store[1];
    static bf16 embed_store[64];
    const EntryTags tags{tag_store, tag_store + 1, tag_store + 2};
    CHECK(launch_decode_prologue(embed_store, StepIoView{io, 1}, 64, x_store, tags, 32, 1e4, rope_store, nullptr,
                                 sums_store, 0) == cudaErrorInvalidValue);
  }
  CHECK(cudaGetLastError() == cudaSuccess);  // nothing was launched, no sticky error
}

TEST(gpu_decode_attention_rejects_bad_arguments_before_running) {
  // A head dim its tensor-core steps cannot cover (8, 24) or over 256, a bad row count, no heads,
  // GQA that does not divide, no q nor QKV product, a QKV product without its RoPE table (q set or
  // not), no tags: refused, nothing launched. The same call with each fault mended is accepted by
  // the rule the launch applies (decode_attention_args_ok), so each refusal is for its own fault.
  alignas(16) static int32_t io[1 + 4 * 17], tag[16];
  alignas(16) static bf16 cache[16];
  alignas(16) static float qkv[16], rope[16];
  const EntryTags tags{tag, tag, tag};
  DecodeQkv from_cache;
  from_cache.q = cache;
  DecodeQkv fresh;
  fresh.qkv = qkv, fresh.rope = rope;
  CHECK(decode_attention_args_ok(from_cache, cache, cache, tags, StepIoView{io, 1}, 2, 1, 64, cache));
  CHECK(decode_attention_args_ok(fresh, cache, cache, tags, StepIoView{io, 16}, 2, 1, 64, cache));
  EntryTags t = tags;  // the tags the next refusal passes
  auto refused = [&](const char* what, DecodeQkv in, int32_t M, int32_t H, int32_t Hkv, int32_t D) {
    const cudaError_t e =
        launch_decode_attention(in, cache, cache, t, StepIoView{io, M}, H, Hkv, D, 0.125f, cache, nullptr);
    CHECK_MSG(e == cudaErrorInvalidValue, what << ": " << cudaGetErrorString(e));
  };
  refused("head dim 8", from_cache, 1, 2, 1, 8);
  refused("head dim 24", from_cache, 1, 2, 1, 24);
  refused("head dim 272", from_cache, 1, 2, 1, 272);
  refused("no rows", from_cache, 0, 2, 1, 64);
  refused("17 rows", from_cache, kDecodeAttentionMaxRows + 1, 2, 1, 64);
  refused("no heads", from_cache, 1, 0, 1, 64);
  refused("3 heads over 2 KV heads", from_cache, 1, 3, 2, 64);
  refused("no inputs", DecodeQkv{}, 1, 2, 1, 64);
  DecodeQkv no_table = fresh;
  no_table.rope = nullptr;
  refused("QKV product without a RoPE table", no_table, 1, 2, 1, 64);
  no_table.q = cache;  // the QKV product's mode wins: q does not stand in for the table
  refused("q and a QKV product without its RoPE table", no_table, 1, 2, 1, 64);
  t = EntryTags{tag, tag, nullptr};
  refused("no branch tags", from_cache, 1, 2, 1, 64);
  CHECK(decode_attention_supports(64) && decode_attention_supports(80) && decode_attention_supports(128));
  CHECK(!decode_attention_supports(72) && !decode_attention_supports(0) && !decode_attention_supports(272));
  CHECK(cudaGetLastError() == cudaSuccess);  // nothing was launched, no sticky error
}

TEST(gpu_megakernel_products_split_across_blocks_match_the_unfused_forward) {
  // Every product's K in 2 or 3 parts, added by the last block of each output group.
  check_decode_path_against_unfused(wide_config(300, 512, 1024, 8, 2, 64), 37, DecodePath::kMega, {3, 2, 2, 3});
}

TEST(gpu_megakernel_matches_the_unfused_forward_on_the_qwen2_5_0_5b_shape) {
  // Random weights of the real shape (drawn on the device from one seed, so both models hold the
  // same numbers), a 700-token prompt (9 attention splits per head) and the full-size products.
  ModelConfig c = wide_config(151936, 896, 4864, 14, 2, 64);
  c.num_layers = 24;
  c.max_positions = 32768;
  c.rope_theta = 1000000;
  c.tie_word_embeddings = true;
  GpuModelOptions mega_opt, plain_opt;
  mega_opt.cache_capacity = plain_opt.cache_capacity = 2048;
  mega_opt.mega_decode = true;  // opt-in
  plain_opt.mega_decode = false;
  if (!have_cublas()) mega_opt.cublas = plain_opt.cublas = false;
  std::string err;
  GpuModel* mega = create_random_gpu_model(c, 7, mega_opt, &err);
  GpuModel* plain = mega == nullptr ? nullptr : create_random_gpu_model(c, 7, plain_opt, &err);
  if (plain == nullptr) {
    free_gpu_model(mega);
    throw mini::Failure(err);
  }
  check_models_agree(mega, plain, "decode megakernel", "qwen2.5-0.5b shape", c.vocab_size, 36, 700);
}

TEST(gpu_forward_rows_equals_the_cpu_packed_forward) {
  // The validator's forward (aspd validate --device cuda): chosen rows of a packed sample, fed in
  // chunks of 16 rows (max_chunk's floor) so that decode-sized and prefill-sized chunks both run.
  const int64_t V = 300;
  GpuModelOptions small_chunks;
  small_chunks.max_chunk = 16;
  Twin twin(V, 41, small_chunks);
  std::mt19937 rng(9);
  const PromptedSample x = prompted_sample(rng, V, 3, 6, 21, [](int i) { return 5 + 3 * i; });
  const Packed p = pack(x.prompt, x.s, x.st, V);
  const std::vector<float> all = cpu_forward(*twin.cpu, p);
  std::vector<int32_t> rows = {static_cast<int32_t>(p.T() - 1), 0, 17, 17};  // any order, repeats
  for (int32_t t = 30; t < p.T(); t += 7) rows.push_back(t);
  std::vector<float> got(rows.size() * V), want(rows.size() * V);
  for (size_t k = 0; k < rows.size(); ++k) std::copy_n(all.data() + rows[k] * V, V, want.data() + k * V);
  std::string err;
  CHECK_MSG(gpu_model_forward_rows(twin.gpu, p.ids.data(), p.pos.data(), p.group.data(), p.branch.data(), p.T(),
                                   rows.data(), static_cast<int64_t>(rows.size()), got.data(), &err), err);
  const double worst = compare_rows(got.data(), want.data(), static_cast<int64_t>(rows.size()), V, "forward rows");
  std::printf("  %zu rows of a %lld-token sample in chunks of 16: max |GPU - CPU| %.4f\n", rows.size(),
              static_cast<long long>(p.T()), worst);
  CHECK_EQ(gpu_model_cache_length(*twin.gpu), int64_t{0});  // the validator leaves the cache empty
  const int32_t bad = static_cast<int32_t>(p.T());
  CHECK(!gpu_model_forward_rows(twin.gpu, p.ids.data(), p.pos.data(), p.group.data(), p.branch.data(), p.T(), &bad, 1,
                                got.data(), &err));
  CHECK_MSG(err.find("outside") != std::string::npos, err);
  CHECK(gpu_model_acquire(twin.gpu));  // a decoding run holds the model: the validator waits its turn
  CHECK(!gpu_model_forward_rows(twin.gpu, p.ids.data(), p.pos.data(), p.group.data(), p.branch.data(), p.T(),
                                rows.data(), 1, got.data(), &err));
  CHECK_MSG(err.find("decoding run") != std::string::npos, err);
  gpu_model_release(twin.gpu);
}

TEST(gpu_model_rejects_bad_input_with_errors) {
  GpuModelOptions small;
  small.cache_capacity = 8;
  Twin twin(50, 2, small);
  std::string err;
  const int32_t pos[3] = {0, 1, 2}, group[3] = {-1, -1, -1}, branch[3] = {0, 0, 0};
  int32_t out[3];
  const int32_t bad_id[3] = {1, 50, 2};
  CHECK(!gpu_model_forward(twin.gpu, bad_id, pos, group, branch, 3, 3, out, &err));
  CHECK_MSG(err.find("outside [0, 50)") != std::string::npos, err);
  CHECK_EQ(gpu_model_cache_length(*twin.gpu), int64_t{0});
  const int32_t ids[3] = {1, 2, 3};
  CHECK_MSG(gpu_model_forward(twin.gpu, ids, pos, group, branch, 3, 3, out, &err), err);
  CHECK_MSG(gpu_model_forward(twin.gpu, ids, pos, group, branch, 3, 3, out, &err), err);
  CHECK(!gpu_model_forward(twin.gpu, ids, pos, group, branch, 3, 3, out, &err));
  CHECK_MSG(err.find("KV cache full") != std::string::npos, err);
  float row[50];
  CHECK(!gpu_model_logits(twin.gpu, 7, row, &err));
  // Two engines on one model: the run's lock is the model's, not the backend's.
  auto backend = make_gpu_backend(twin.gpu), other = make_gpu_backend(twin.gpu);
  auto first = backend->begin(SamplerConfig{}, &err);
  CHECK(first != nullptr);
  CHECK(other->begin(SamplerConfig{}, &err) == nullptr);
  CHECK_MSG(err.find("already decoding") != std::string::npos, err);
  first.reset();
  CHECK(other->begin(SamplerConfig{}, &err) != nullptr);
  // Fused plan options out of range are refused when the model is created.
  GpuModelOptions fused;
  fused.fused_decode = true;
  if (!have_cublas()) fused.cublas = false;
  fused.fused_streamed = 16;
  CHECK(create_random_gpu_model(tiny_qwen2_config(50, false), 3, fused, &err) == nullptr);
  CHECK_MSG(err.find("fused_streamed") != std::string::npos, err);
  fused.fused_streamed = 0;
  fused.fused_max_splits = 9;
  CHECK(create_random_gpu_model(tiny_qwen2_config(50, false), 3, fused, &err) == nullptr);
  CHECK_MSG(err.find("fused_max_splits") != std::string::npos, err);
}

TEST(gpu_long_prompt_with_kept_logits_is_fed_in_chunks) {
  // 700 prompt tokens > max_chunk (512): the prefill is chunked, every row's logits kept.
  const int64_t V = 300;
  Twin twin(V, 13);
  std::mt19937 rng(3);
  const PromptedSample x = prompted_sample(rng, V, 1, 4, 700, [](int i) { return 10 + (i * 7) % 250; });
  GrammarLimits limits;
  limits.group_max_branches = 16;
  Engine* e = gpu_engine(twin.gpu, x.st, {x.eos}, {}, limits);
  DecodeRun run;
  std::string err;
  CHECK_MSG(engine_replay(*e, x.prompt.data(), 700, x.s.ids.data(), static_cast<int64_t>(x.s.ids.size()), true, &run,
                          &err), err);
  const Packed p = pack(x.prompt, x.s, x.st, V);
  const std::vector<float> want = cpu_forward(*twin.cpu, p);
  compare_rows(run.logits.data(), want.data(), p.T(), V, "long prompt");
  free_engine(e);
}
