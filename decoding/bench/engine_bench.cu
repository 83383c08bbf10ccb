// GPU engine benchmark (issue: hybrid decoding engine), random bf16 weights of a named shape:
//   1) serial decoding at batch 1: 512-token prompt, 256 new tokens, in `serial` mode (teacher-
//      forced, one forward + greedy argmax + copy-back per token) and in `generate` mode (free
//      greedy decoding under the logit grammar) -> tokens/s and ms per step;
//   2) the cost of one parallel step with k = 1, 2, 4, 6, 8 active branches at a 1024-entry
//      context (engine step: inputs copy, graph replay, argmax copy-back, sync);
//   3) with --rows FILE (written by `aspd bench DIR --export-rows FILE`): every row in `replay`
//      and `serial` mode on the same engine -> realized speed-up beside the theoretical one.
// Token ids are folded into the shape's vocabulary (specials to its last six ids): the cost of a
// step does not depend on token values. Medians of --reps repetitions; JSON with --json FILE.
//   usage: aspd_engine_bench [--shape qwen2.5-0.5b|qwen2.5-7b] [--rows FILE] [--json FILE]
//                            [--gemm cublas|gemv] [--fused] [--mega] [--mega-parts N] [--no-graphs]
//                            [--reps N] [--sample N] [--fused-max-splits N] [--fused-pipelined]
//                            [--fused-stream LIST] [--timeline]
//   --fused: decode steps on the fused products of decode_gemv.h (GpuModelOptions::fused_decode)
//   --fused-max-splits N: at most N blocks (a cluster) along a fused product's K (1-8)
//   --fused-pipelined: fused products stream their weights through the pipeline even where they fit
//   --fused-stream LIST: only these do (among qkv,o,gate_up,down, comma-separated)
//   --timeline: where the fused products' time goes in a serial decode step (gpu_model_fused_timeline)
//   --mega: decode steps in the decode megakernel (decode_mega.h) instead of separate kernels
//   --mega-parts N or Q,O,G,D: the megakernel splits the K of every product (or of its QKV, O,
//     gate/up and down products) into that many parts across blocks; 0 = its cost model chooses
#include <algorithm>
#include <chrono>
#include <cstdlib>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <random>
#include <sstream>
#include <string>
#include <vector>

#include "cuda/decode_mega.h"
#include "cuda/gpu_backend.h"
#include "cuda/gpu_model.h"
#include "engine/engine.h"

using namespace aspd;

namespace {

using Clock = std::chrono::steady_clock;

const char* arg(int argc, char** argv, const char* name, const char* fallback) {
  for (int i = 1; i + 1 < argc; ++i)
    if (std::strcmp(argv[i], name) == 0) return argv[i + 1];
  return fallback;
}

bool flag(int argc, char** argv, const char* name) {
  for (int i = 1; i < argc; ++i)
    if (std::strcmp(argv[i], name) == 0) return true;
  return false;
}

ModelConfig shape_config(const std::string& shape) {
  ModelConfig c;
  c.model_type = "qwen2";
  c.max_positions = 32768;
  c.rms_norm_eps = 1e-6;
  c.rope_theta = 1e6;
  c.attention_bias = true;
  if (shape == "qwen2.5-7b") {
    c.vocab_size = 152064, c.hidden_size = 3584, c.intermediate_size = 18944, c.num_layers = 28;
    c.num_heads = 28, c.num_kv_heads = 4, c.head_dim = 128, c.tie_word_embeddings = false;
  } else if (shape == "qwen2.5-0.5b") {
    c.vocab_size = 151936, c.hidden_size = 896, c.intermediate_size = 4864, c.num_layers = 24;
    c.num_heads = 14, c.num_kv_heads = 2, c.head_dim = 64, c.tie_word_embeddings = true;
  } else {
    std::fprintf(stderr, "unknown shape %s (qwen2.5-0.5b | qwen2.5-7b)\n", shape.c_str());
    std::exit(2);
  }
  return c;
}

double median(std::vector<double> xs) {
  std::sort(xs.begin(), xs.end());
  const size_t n = xs.size();
  return n == 0 ? 0 : n % 2 ? xs[n / 2] : 0.5 * (xs[n / 2 - 1] + xs[n / 2]);
}

double seconds_since(Clock::time_point t0) { return std::chrono::duration<double>(Clock::now() - t0).count(); }

[[noreturn]] void die(const std::string& what) {
  std::fprintf(stderr, "aspd_engine_bench: %s\n", what.c_str());
  std::exit(1);
}

// Rows file: "# special <6 ids> sep <n> <ids>" then per row
// "<id> <theoretical_speedup> <P> <n> <P prompt ids> <n response ids>" (tokenizer ids).
struct RowsFile {
  std::vector<int32_t> special, sep;
  struct Row {
    std::string id;
    double tsu;
    std::vector<int32_t> prompt, response;
  };
  std::vector<Row> rows;
};

RowsFile read_rows(const std::string& path) {
  std::ifstream in(path);
  if (!in) die("cannot read " + path);
  RowsFile f;
  std::string line;
  while (std::getline(in, line)) {
    if (line.empty()) continue;
    std::istringstream ls(line);
    if (line[0] == '#') {
      std::string hash, word;
      ls >> hash >> word;
      if (word != "special") continue;
      f.special.resize(6);
      for (int32_t& x : f.special) ls >> x;
      size_t n = 0;
      ls >> word >> n;
      f.sep.resize(n);
      for (int32_t& x : f.sep) ls >> x;
      continue;
    }
    RowsFile::Row r;
    size_t P = 0, n = 0;
    std::string tsu;  // "NaN" when the row has none: strtod reads it, operator>> would not
    ls >> r.id >> tsu >> P >> n;
    r.tsu = std::strtod(tsu.c_str(), nullptr);
    r.prompt.resize(P);
    r.response.resize(n);
    for (int32_t& x : r.prompt) ls >> x;
    for (int32_t& x : r.response) ls >> x;
    if (!ls) die("malformed row in " + path + ": " + r.id);
    f.rows.push_back(std::move(r));
  }
  if (f.special.size() != 6) die(path + " has no '# special' header");
  return f;
}

// Folds tokenizer ids into [0, V): the six specials to V-6..V-1, EOS to V-7, the rest modulo V-7.
struct Fold {
  std::vector<int32_t> special;
  int64_t V;
  int32_t operator()(int32_t id) const {
    for (size_t k = 0; k < special.size(); ++k)
      if (id == special[k]) return static_cast<int32_t>(V - 6 + static_cast<int64_t>(k));
    return static_cast<int32_t>(id % (V - 7));
  }
  std::vector<int32_t> all(const std::vector<int32_t>& ids) const {
    std::vector<int32_t> out;
    for (int32_t x : ids) out.push_back((*this)(x));
    return out;
  }
};

EngineConfig engine_config(int64_t V, const std::vector<int32_t>& sep) {
  EngineConfig c;
  c.special = SpecialTokens{static_cast<int32_t>(V - 6), static_cast<int32_t>(V - 5), static_cast<int32_t>(V - 4),
                            static_cast<int32_t>(V - 3), static_cast<int32_t>(V - 2), static_cast<int32_t>(V - 1)};
  c.eos = {static_cast<int32_t>(V - 7)};
  c.header_sep = sep;
  c.limits.title_max_tokens = 64;
  c.limits.group_max_branches = 64;
  c.limits.group_max_steps = 1 << 20;
  return c;
}

}  // namespace

int main(int argc, char** argv) {
  std::setvbuf(stdout, nullptr, _IOLBF, 0);  // lines reach a log file even if the run is cut short
  const std::string shape = arg(argc, argv, "--shape", "qwen2.5-0.5b");
  const std::string rows_path = arg(argc, argv, "--rows", "");
  const std::string json_path = arg(argc, argv, "--json", "");
  const bool use_cublas = std::string(arg(argc, argv, "--gemm", "cublas")) != "gemv";
  const int reps = std::max(1, std::atoi(arg(argc, argv, "--reps", "5")));
  const int sample = std::atoi(arg(argc, argv, "--sample", "0"));
  const ModelConfig config = shape_config(shape);
  const int64_t V = config.vocab_size;

  GpuModelOptions opt;
  opt.cublas = use_cublas;
  opt.graphs = !flag(argc, argv, "--no-graphs");
  opt.fused_decode = flag(argc, argv, "--fused");
  opt.fused_max_splits = std::atoi(arg(argc, argv, "--fused-max-splits", "0"));
  if (flag(argc, argv, "--fused-pipelined")) opt.fused_streamed = kFusedAll;
  {
    std::stringstream names(arg(argc, argv, "--fused-stream", ""));
    for (std::string name; std::getline(names, name, ',');) {
      if (name == "qkv") opt.fused_streamed |= kFusedQkv;
      else if (name == "o") opt.fused_streamed |= kFusedO;
      else if (name == "gate_up") opt.fused_streamed |= kFusedGateUp;
      else if (name == "down") opt.fused_streamed |= kFusedDown;
      else die("--fused-stream takes products among qkv,o,gate_up,down, not '" + name + "'");
    }
  }
  opt.fused_timeline = flag(argc, argv, "--timeline");
  if (!opt.fused_decode && (opt.fused_streamed != 0 || opt.fused_max_splits != 0 || opt.fused_timeline))
    die("--fused-stream, --fused-pipelined, --fused-max-splits and --timeline plan the fused path: add --fused");
  opt.mega_decode = flag(argc, argv, "--mega");
  {
    const std::string parts = arg(argc, argv, "--mega-parts", "0");
    int n[4] = {0, 0, 0, 0}, got = std::sscanf(parts.c_str(), "%d,%d,%d,%d", &n[0], &n[1], &n[2], &n[3]);
    if (got == 1) n[1] = n[2] = n[3] = n[0];
    else if (got != 4) die("--mega-parts takes N or Q,O,G,D");
    for (int i = 0; i < 4; ++i) opt.mega_parts[i] = std::max(0, n[i]);
  }
  opt.cache_capacity = 8192;
  std::string err;
  const auto t_load = Clock::now();
  GpuModel* model = create_random_gpu_model(config, 7, opt, &err);
  if (model == nullptr) die(err);
  std::printf("shape %s: %.3f GB of weights, %s (set up in %.1f s)\n", shape.c_str(),
              gpu_model_weight_bytes(*model) / 1e9, gpu_model_describe(*model).c_str(), seconds_since(t_load));
  std::ostringstream js;
  js << "{\"shape\":\"" << shape << "\",\"weight_bytes\":" << gpu_model_weight_bytes(*model) << ",\"setup\":\""
     << gpu_model_describe(*model) << "\",\"reps\":" << reps;
  if (opt.mega_decode) {
    int32_t parts[4];
    std::string why;
    if (decode_mega_parts(static_cast<int32_t>(config.hidden_size), static_cast<int32_t>(config.intermediate_size),
                          static_cast<int32_t>(config.num_heads), static_cast<int32_t>(config.num_kv_heads),
                          static_cast<int32_t>(config.head_dim), opt.device, opt.mega_parts, parts, &why)) {
      std::printf("  megakernel K parts across blocks: qkv %d, o %d, gate/up %d, down %d\n", parts[0], parts[1], parts[2],
                  parts[3]);
      js << ",\"mega_parts\":[" << parts[0] << "," << parts[1] << "," << parts[2] << "," << parts[3] << "]";
    }
  }

  RowsFile rows;
  if (!rows_path.empty()) rows = read_rows(rows_path);
  const Fold fold{rows.special.empty() ? std::vector<int32_t>{} : rows.special, V};
  Engine* engine = create_engine_on(make_gpu_backend(model), engine_config(V, fold.all(rows.sep)), &err);
  if (engine == nullptr) die(err);

  // 1) serial decoding, 512 + 256.
  std::mt19937 rng(1);
  std::uniform_int_distribution<int32_t> any(0, static_cast<int32_t>(V - 8));
  std::vector<int32_t> prompt(512), tokens(256);
  for (int32_t& x : prompt) x = any(rng);
  for (int32_t& x : tokens) x = any(rng);
  std::vector<double> serial_s, generate_s, generate_tokens;
  for (int rep = 0; rep <= reps; ++rep) {  // rep 0 warms up (graph capture)
    DecodeRun run;
    if (!engine_serial(*engine, prompt.data(), 512, tokens.data(), 256, false, &run, &err)) die(err);
    if (rep > 0) serial_s.push_back((run.serial_ns + run.parallel_ns) * 1e-9);
    DecodeRun gen;
    if (!engine_generate(*engine, prompt.data(), 512, SamplerConfig{}, 256, &gen, &err)) die(err);
    if (rep > 0) {
      generate_s.push_back((gen.serial_ns + gen.parallel_ns) * 1e-9);
      generate_tokens.push_back(static_cast<double>(gen.forward_passes));
    }
  }
  const double serial_tps = 256 / median(serial_s), gen_tps = median(generate_tokens) / median(generate_s);
  std::printf("serial decode (512 prompt, 256 new): %.1f tokens/s, %.3f ms/step (median of %d); generate (greedy): "
              "%.1f tokens/s over %.0f forwards\n",
              serial_tps, 1e3 * median(serial_s) / 256, reps, gen_tps, median(generate_tokens));
  js << ",\"serial_decode\":{\"prompt\":512,\"new_tokens\":256,\"tokens_per_s\":" << serial_tps
     << ",\"ms_per_step\":" << 1e3 * median(serial_s) / 256 << ",\"generate_tokens_per_s\":" << gen_tps
     << ",\"generate_forwards\":" << median(generate_tokens) << "}";
  if (opt.fused_timeline) {
    // The last forward of the reps above was a one-row generate step.
    FusedTimeline tl;
    if (!gpu_model_fused_timeline(model, &tl, &err)) die(err);
    const char* names[4] = {"qkv", "o (after attention)", "gate/up", "down"};
    std::printf("  fused products of a serial step, us per layer (layers 1..L-1): layer %.2f\n", tl.layer_us);
    js << ",\"fused_timeline_us\":{\"layer\":" << tl.layer_us;
    for (int p = 0; p < 4; ++p) {
      std::printf("    %-20s start %+.2f after the one before ended, wait %.2f, after the wait %.2f; share %.2f\n",
                  names[p], tl.start_us[p], tl.wait_us[p], tl.after_wait_us[p], tl.share_us[p]);
      js << ",\"p" << p << "\":[" << tl.start_us[p] << "," << tl.wait_us[p] << "," << tl.after_wait_us[p] << ","
         << tl.share_us[p] << "]";
    }
    js << "}";
  }

  // 2) cost of a step by active-branch count at a 1024-entry context.
  {
    gpu_model_clear(model);
    std::vector<int32_t> ctx(1024), pos(1024), g(1024, -1), b(1024, 0), am(1024);
    for (int i = 0; i < 1024; ++i) {
      ctx[i] = any(rng);
      pos[i] = i;
    }
    if (!gpu_model_forward(model, ctx.data(), pos.data(), g.data(), b.data(), 1024, 1, am.data(), &err)) die(err);
    double base = 0;
    js << ",\"step_cost\":{\"context\":1024";
    for (int k : {1, 2, 4, 6, 8, 12, 16}) {
      std::vector<int32_t> ids(k), p(k, 1024), gg(k, k == 1 ? -1 : 0), bb(k);
      for (int i = 0; i < k; ++i) {
        ids[i] = any(rng);
        bb[i] = k == 1 ? 0 : i + 1;
      }
      std::vector<double> t;
      for (int it = 0; it < 60; ++it) {
        const auto t0 = Clock::now();
        if (!gpu_model_forward(model, ids.data(), p.data(), gg.data(), bb.data(), k, k, am.data(), &err)) die(err);
        if (it >= 10) t.push_back(seconds_since(t0));
        gpu_model_truncate(model, 1024);  // the context stays at 1024 entries
      }
      const double ms = 1e3 * median(t);
      if (k == 1) base = ms;
      std::printf("  step with k=%2d rows: %.3f ms (x%.3f of k=1)\n", k, ms, ms / base);
      js << ",\"k" << k << "_ms\":" << ms;
      double us[5];
      std::string why;
      if (gpu_model_mega_phase_us(model, us, &why)) {
        std::printf("    megakernel, us per layer (phase + its grid barrier): qkv %.2f, attention %.2f, o %.2f, "
                    "gate/up %.2f, down %.2f; layer %.2f\n",
                    us[0], us[1], us[2], us[3], us[4], us[0] + us[1] + us[2] + us[3] + us[4]);
        js << ",\"k" << k << "_mega_phase_us\":[" << us[0] << "," << us[1] << "," << us[2] << "," << us[3] << ","
           << us[4] << "]";
      }
    }
    double barrier_us = 0;
    std::string why;
    if (gpu_model_mega_barrier_us(model, &barrier_us, &why)) {
      std::printf("  megakernel grid barrier alone: %.2f us\n", barrier_us);
      js << ",\"mega_barrier_us\":" << barrier_us;
    }
    js << "}";
  }

  // 3) replay vs serial over the rows.
  if (!rows.rows.empty()) {
    double sum_replay = 0, sum_serial = 0, sum_ratio = 0, sum_tsu = 0, sum_packed = 0;
    int64_t benched = 0, failed = 0, fwd_replay = 0, fwd_serial = 0;
    std::vector<double> by_k_ns(65, 0), by_k_steps(65, 0);
    for (const RowsFile::Row& r : rows.rows) {
      if (sample > 0 && benched + failed >= sample) break;
      const std::vector<int32_t> p = fold.all(r.prompt), resp = fold.all(r.response);
      std::vector<double> tr, ts;
      DecodeRun rr, sr;
      bool ok = true;
      // Only the first row has an untimed warm-up run (graph capture for each branch count).
      for (int rep = benched + failed == 0 ? 0 : 1; rep <= reps && ok; ++rep) {
        ok = engine_replay(*engine, p.data(), static_cast<int64_t>(p.size()), resp.data(),
                           static_cast<int64_t>(resp.size()), false, &rr, &err) &&
             engine_serial(*engine, p.data(), static_cast<int64_t>(p.size()), resp.data(),
                           static_cast<int64_t>(resp.size()), false, &sr, &err);
        if (ok && rep > 0) {
          tr.push_back((rr.serial_ns + rr.parallel_ns) * 1e-9);
          ts.push_back((sr.serial_ns + sr.parallel_ns) * 1e-9);
        }
      }
      if (!ok) {
        ++failed;
        std::printf("  row %s failed: %s\n", r.id.c_str(), err.c_str());
        continue;
      }
      ++benched;
      const double t_replay = median(tr), t_serial = median(ts);
      sum_replay += t_replay;
      sum_serial += t_serial;
      sum_ratio += t_serial / t_replay;
      sum_tsu += r.tsu;
      sum_packed += static_cast<double>(sr.forward_passes) / rr.forward_passes;
      fwd_replay += rr.forward_passes;
      fwd_serial += sr.forward_passes;
      for (size_t k = 0; k < rr.steps_by_active.size() && k < by_k_ns.size(); ++k) {
        by_k_ns[k] += rr.ns_by_active[k];
        by_k_steps[k] += rr.steps_by_active[k];
      }
    }
    const double n = std::max<int64_t>(benched, 1);
    std::printf("replay vs serial over %lld rows (%lld failed): realized %.3f (ratio of summed times), mean per row "
                "%.3f; theoretical packed %.3f (serial/replay forwards), mean row TSU %.3f; forwards %lld vs %lld; "
                "realized/theoretical %.3f\n",
                static_cast<long long>(benched), static_cast<long long>(failed), sum_serial / sum_replay, sum_ratio / n,
                sum_packed / n, sum_tsu / n, static_cast<long long>(fwd_replay), static_cast<long long>(fwd_serial),
                (sum_ratio / n) / (sum_packed / n));
    js << ",\"replay\":{\"rows\":" << benched << ",\"failed\":" << failed << ",\"realized_speedup_sum\":"
       << sum_serial / sum_replay << ",\"mean_realized_speedup\":" << sum_ratio / n
       << ",\"mean_theoretical_packed\":" << sum_packed / n << ",\"mean_row_tsu\":" << sum_tsu / n
       << ",\"forwards_replay\":" << fwd_replay << ",\"forwards_serial\":" << fwd_serial << ",\"ms_per_step_by_active\":{";
    bool first = true;
    for (size_t k = 0; k < by_k_ns.size(); ++k) {
      if (by_k_steps[k] == 0) continue;
      std::printf("  active %2zu: %6.0f steps, %.3f ms/step\n", k, by_k_steps[k], 1e-6 * by_k_ns[k] / by_k_steps[k]);
      js << (first ? "" : ",") << "\"" << k << "\":" << 1e-6 * by_k_ns[k] / by_k_steps[k];
      first = false;
    }
    js << "}}";
  }
  js << "}\n";
  if (!json_path.empty()) std::ofstream(json_path) << js.str();
  free_engine(engine);
  free_gpu_model(model);
  return 0;
}
