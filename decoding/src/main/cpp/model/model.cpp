#include "model.h"

#include <cmath>
#include <fstream>
#include <new>
#include <sstream>

#include "core/cpu_util.h"
#include "safetensors.h"

namespace aspd {

namespace {

// splitmix64 + Box-Muller: the same numbers for a seed on every platform (std distributions are not).
struct Rng {
  uint64_t state;
  uint64_t next() {
    uint64_t z = (state += 0x9E3779B97F4A7C15ull);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    return z ^ (z >> 31);
  }
  double uniform() { return (static_cast<double>(next() >> 11) + 0.5) * (1.0 / 9007199254740992.0); }
  void normal_pair(double* a, double* b) {
    const double r = std::sqrt(-2.0 * std::log(uniform()));
    const double t = 6.283185307179586 * uniform();
    *a = r * std::cos(t);
    *b = r * std::sin(t);
  }
};

void fill_normal(Rng& rng, std::vector<float>& x, double mean, double std) {
  for (size_t i = 0; i < x.size(); i += 2) {
    double a, b;
    rng.normal_pair(&a, &b);
    x[i] = static_cast<float>(mean + std * a);
    if (i + 1 < x.size()) x[i + 1] = static_cast<float>(mean + std * b);
  }
}

int64_t numel(const std::vector<int64_t>& shape) {
  int64_t n = 1;
  for (int64_t d : shape) n *= d;
  return n;
}

std::string shape_text(const std::vector<int64_t>& shape) {
  std::ostringstream os;
  os << "[";
  for (size_t i = 0; i < shape.size(); ++i) os << (i ? ", " : "") << shape[i];
  os << "]";
  return os.str();
}

bool ends_with(const std::string& s, const std::string& suffix) {
  return s.size() >= suffix.size() && s.compare(s.size() - suffix.size(), suffix.size(), suffix) == 0;
}

Model* new_model(const ModelConfig& config, int32_t threads) {
  Model* m = new Model;
  m->config = config;
  m->layers.resize(static_cast<size_t>(config.num_layers));
  m->threads = threads > 0 ? threads : static_cast<int32_t>(std::max(1u, std::thread::hardware_concurrency()));
  m->attention = create_cpu_attention(m->threads);
  return m;
}

// y [T, out] = x [T, in] W^T (+ b), W row-major [out, in]; threads split the output features so
// each W row is read once per call while it is hot for all T rows.
void linear(int32_t threads, const float* x, int64_t T, int64_t in, const float* w, int64_t out,
            const float* bias, float* y) {
  constexpr int64_t kBlock = 16;
  parallel_for(threads, (out + kBlock - 1) / kBlock, [&](int64_t block) {
    const int64_t o1 = std::min(out, (block + 1) * kBlock);
    for (int64_t t = 0; t < T; ++t)
      for (int64_t o = block * kBlock; o < o1; ++o)
        y[t * out + o] = dot(x + t * in, w + o * in, in) + (bias != nullptr ? bias[o] : 0.f);
  });
}

// Hugging Face LlamaRMSNorm: y = w * x / sqrt(mean(x^2) + eps), statistics in float32.
void rms_norm(const float* x, const float* w, int64_t T, int64_t E, double eps, float* y) {
  for (int64_t t = 0; t < T; ++t) {
    const float* xr = x + t * E;
    const float ms = dot(xr, xr, E) / static_cast<float>(E);
    const float inv = 1.f / std::sqrt(ms + static_cast<float>(eps));
    for (int64_t e = 0; e < E; ++e) y[t * E + e] = w[e] * (xr[e] * inv);
  }
}

// Hugging Face rotate_half convention on x [T, heads, D]: pair (i, i + D/2) is rotated by
// angle position * theta^(-2i/D), i < D/2.
void rope(float* x, const int32_t* positions, int64_t T, int64_t heads, int64_t D, double theta) {
  const int64_t half = D / 2;
  std::vector<float> cos_t(half), sin_t(half);
  for (int64_t t = 0; t < T; ++t) {
    for (int64_t i = 0; i < half; ++i) {
      const double angle = positions[t] * std::pow(theta, -2.0 * static_cast<double>(i) / static_cast<double>(D));
      cos_t[i] = static_cast<float>(std::cos(angle));
      sin_t[i] = static_cast<float>(std::sin(angle));
    }
    for (int64_t h = 0; h < heads; ++h) {
      float* r = x + (t * heads + h) * D;
      for (int64_t i = 0; i < half; ++i) {
        const float a = r[i], b = r[i + half];
        r[i] = a * cos_t[i] - b * sin_t[i];
        r[i + half] = b * cos_t[i] + a * sin_t[i];
      }
    }
  }
}

}  // namespace

std::vector<TensorSlot> model_tensor_slots(Model* m) {
  const ModelConfig& c = m->config;
  const int64_t E = c.hidden_size, I = c.intermediate_size, V = c.vocab_size;
  const int64_t QD = c.num_heads * c.head_dim, KD = c.num_kv_heads * c.head_dim;
  std::vector<TensorSlot> s;
  s.push_back({"model.embed_tokens.weight", {V, E}, &m->embed});
  for (size_t l = 0; l < m->layers.size(); ++l) {
    LayerWeights& w = m->layers[l];
    const std::string p = "model.layers." + std::to_string(l) + ".";
    s.push_back({p + "input_layernorm.weight", {E}, &w.input_norm});
    s.push_back({p + "self_attn.q_proj.weight", {QD, E}, &w.wq});
    s.push_back({p + "self_attn.k_proj.weight", {KD, E}, &w.wk});
    s.push_back({p + "self_attn.v_proj.weight", {KD, E}, &w.wv});
    if (c.attention_bias) {
      s.push_back({p + "self_attn.q_proj.bias", {QD}, &w.bq});
      s.push_back({p + "self_attn.k_proj.bias", {KD}, &w.bk});
      s.push_back({p + "self_attn.v_proj.bias", {KD}, &w.bv});
    }
    s.push_back({p + "self_attn.o_proj.weight", {E, QD}, &w.wo});
    s.push_back({p + "post_attention_layernorm.weight", {E}, &w.post_norm});
    s.push_back({p + "mlp.gate_proj.weight", {I, E}, &w.w_gate});
    s.push_back({p + "mlp.up_proj.weight", {I, E}, &w.w_up});
    s.push_back({p + "mlp.down_proj.weight", {E, I}, &w.w_down});
  }
  s.push_back({"model.norm.weight", {E}, &m->final_norm});
  if (!c.tie_word_embeddings) s.push_back({"lm_head.weight", {V, E}, &m->lm_head});
  return s;
}

Model* create_random_model(const ModelConfig& config, uint64_t seed, int32_t threads, std::string* err) {
  if (!validate_model_config(config, err)) return nullptr;
  Model* m = nullptr;
  try {
    m = new_model(config, threads);
    Rng rng{seed};
    for (TensorSlot& slot : model_tensor_slots(m)) {
      slot.data->resize(static_cast<size_t>(numel(slot.shape)));
      const bool vector = slot.shape.size() == 1;
      if (ends_with(slot.name, "norm.weight")) fill_normal(rng, *slot.data, 1.0, 0.1);
      else if (vector) fill_normal(rng, *slot.data, 0.0, 0.1);  // a bias
      else if (slot.name == "model.embed_tokens.weight") fill_normal(rng, *slot.data, 0.0, 1.0);
      else fill_normal(rng, *slot.data, 0.0, 1.0 / std::sqrt(static_cast<double>(slot.shape[1])));
    }
    return m;
  } catch (const std::bad_alloc&) {
    free_model(m);
    *err = "out of memory allocating the random model weights";
    return nullptr;
  }
}

Model* load_model(const std::string& dir, int32_t threads, std::string* err) {
  const std::string config_path = dir + "/config.json";
  std::ifstream cin(config_path);
  if (!cin) {
    *err = config_path + ": cannot open";
    return nullptr;
  }
  std::stringstream text;
  text << cin.rdbuf();
  ModelConfig config;
  if (!parse_model_config(text.str(), &config, err)) return nullptr;
  SafeTensorsFile file;
  if (!read_safetensors_header(dir + "/model.safetensors", &file, err)) return nullptr;

  Model* m = nullptr;
  try {
    m = new_model(config, threads);
    std::vector<TensorSlot> slots = model_tensor_slots(m);
    // Check the whole file against the config before reading any data.
    for (const TensorSlot& slot : slots) {
      const SafeTensor* t = file.find(slot.name);
      if (t == nullptr) {
        *err = file.path + ": missing tensor \"" + slot.name + "\" (config asks for shape " + shape_text(slot.shape) + ")";
        free_model(m);
        return nullptr;
      }
      if (t->shape != slot.shape) {
        *err = file.path + ": tensor \"" + slot.name + "\" has shape " + shape_text(t->shape) + ", config.json implies " +
               shape_text(slot.shape);
        free_model(m);
        return nullptr;
      }
      if (t->dtype != "F32" && t->dtype != "F16" && t->dtype != "BF16") {
        *err = file.path + ": tensor \"" + slot.name + "\" has dtype " + t->dtype + " (supported: F32, F16, BF16)";
        free_model(m);
        return nullptr;
      }
    }
    for (const SafeTensor& t : file.tensors) {
      bool known = ends_with(t.name, ".rotary_emb.inv_freq");  // a buffer some exports include
      for (const TensorSlot& slot : slots) known = known || slot.name == t.name;
      // A tied checkpoint may still carry lm_head.weight; it must match the embedding's shape.
      if (!known && config.tie_word_embeddings && t.name == "lm_head.weight" &&
          t.shape == std::vector<int64_t>{config.vocab_size, config.hidden_size})
        known = true;
      if (!known) {
        *err = file.path + ": unexpected tensor \"" + t.name + "\" for a " + config.model_type +
               " config (attention_bias = " + (config.attention_bias ? "true" : "false") +
               ", tie_word_embeddings = " + (config.tie_word_embeddings ? "true" : "false") + ")";
        free_model(m);
        return nullptr;
      }
    }
    for (TensorSlot& slot : slots) {
      slot.data->resize(static_cast<size_t>(numel(slot.shape)));
      if (!read_tensor_as_f32(file, *file.find(slot.name), slot.data->data(), err)) {
        free_model(m);
        return nullptr;
      }
    }
    return m;
  } catch (const std::bad_alloc&) {
    free_model(m);
    *err = "out of memory loading " + file.path;
    return nullptr;
  }
}

void free_model(Model* m) {
  if (m == nullptr) return;
  free_cpu_attention(m->attention);
  delete m;
}

namespace {

bool check_tokens(const ModelConfig& c, const int32_t* ids, const int32_t* positions, int64_t T,
                  const int32_t* rows, int64_t R, std::string* err) {
  for (int64_t t = 0; t < T; ++t) {
    if (ids[t] < 0 || ids[t] >= c.vocab_size) {
      *err = "token " + std::to_string(t) + ": id " + std::to_string(ids[t]) + " outside [0, " +
             std::to_string(c.vocab_size) + ")";
      return false;
    }
    if (positions[t] < 0) {
      *err = "token " + std::to_string(t) + ": negative position " + std::to_string(positions[t]);
      return false;
    }
  }
  for (int64_t r = 0; r < R; ++r) {
    if (rows[r] < 0 || rows[r] >= T) {
      *err = "logit row " + std::to_string(rows[r]) + " outside [0, " + std::to_string(T) + ")";
      return false;
    }
  }
  return true;
}

// Scratch activations of one forward over T rows.
struct Activations {
  Activations(const ModelConfig& c, int64_t T)
      : x(T * c.hidden_size), h(T * c.hidden_size), q(T * c.num_heads * c.head_dim),
        k(T * c.num_kv_heads * c.head_dim), v(T * c.num_kv_heads * c.head_dim),
        a(T * c.num_heads * c.head_dim), o(T * c.hidden_size), gate(T * c.intermediate_size),
        up(T * c.intermediate_size) {}
  std::vector<float> x, h, q, k, v, a, o, gate, up;
};

void embed_rows(const Model& m, const int32_t* ids, int64_t T, float* x) {
  const int64_t E = m.config.hidden_size;
  for (int64_t t = 0; t < T; ++t) std::copy_n(m.embed.data() + ids[t] * E, E, x + t * E);
}

// h = RMSNorm(x); q, k, v = h W^T (+ b); RoPE on q and k at the rows' positions.
void attention_inputs(const Model& m, const LayerWeights& w, const int32_t* positions, int64_t T,
                      Activations& s) {
  const ModelConfig& c = m.config;
  const int64_t E = c.hidden_size, D = c.head_dim, H = c.num_heads, Hkv = c.num_kv_heads;
  const bool b = c.attention_bias;
  rms_norm(s.x.data(), w.input_norm.data(), T, E, c.rms_norm_eps, s.h.data());
  linear(m.threads, s.h.data(), T, E, w.wq.data(), H * D, b ? w.bq.data() : nullptr, s.q.data());
  linear(m.threads, s.h.data(), T, E, w.wk.data(), Hkv * D, b ? w.bk.data() : nullptr, s.k.data());
  linear(m.threads, s.h.data(), T, E, w.wv.data(), Hkv * D, b ? w.bv.data() : nullptr, s.v.data());
  rope(s.q.data(), positions, T, H, D, c.rope_theta);
  rope(s.k.data(), positions, T, Hkv, D, c.rope_theta);
}

// x += a Wo^T; then the SwiGLU MLP block: x += (silu(h Wg^T) * (h Wu^T)) Wd^T with h = RMSNorm(x).
void attention_output_and_mlp(const Model& m, const LayerWeights& w, int64_t T, Activations& s) {
  const ModelConfig& c = m.config;
  const int64_t E = c.hidden_size, I = c.intermediate_size, HD = c.num_heads * c.head_dim;
  linear(m.threads, s.a.data(), T, HD, w.wo.data(), E, nullptr, s.o.data());
  for (int64_t i = 0; i < T * E; ++i) s.x[i] += s.o[i];
  rms_norm(s.x.data(), w.post_norm.data(), T, E, c.rms_norm_eps, s.h.data());
  linear(m.threads, s.h.data(), T, E, w.w_gate.data(), I, nullptr, s.gate.data());
  linear(m.threads, s.h.data(), T, E, w.w_up.data(), I, nullptr, s.up.data());
  for (int64_t i = 0; i < T * I; ++i) s.gate[i] = s.gate[i] / (1.f + std::exp(-s.gate[i])) * s.up[i];  // SwiGLU
  linear(m.threads, s.gate.data(), T, I, w.w_down.data(), E, nullptr, s.o.data());
  for (int64_t i = 0; i < T * E; ++i) s.x[i] += s.o[i];
}

// Only the requested rows go through the final norm and the (large) LM head.
void lm_head_rows(const Model& m, const float* x, const int32_t* rows, int64_t R, float* logits) {
  const ModelConfig& c = m.config;
  const int64_t E = c.hidden_size;
  std::vector<float> picked(R * E), normed(R * E);
  for (int64_t r = 0; r < R; ++r) std::copy_n(x + rows[r] * E, E, picked.data() + r * E);
  rms_norm(picked.data(), m.final_norm.data(), R, E, c.rms_norm_eps, normed.data());
  const float* head = c.tie_word_embeddings ? m.embed.data() : m.lm_head.data();
  linear(m.threads, normed.data(), R, E, head, c.vocab_size, nullptr, logits);
}

float attention_scale(const ModelConfig& c) {
  return static_cast<float>(1.0 / std::sqrt(static_cast<double>(c.head_dim)));
}

}  // namespace

bool model_forward(const Model& m, const int32_t* ids, const int32_t* positions, const int32_t* group,
                   const int32_t* branch, int64_t T, const int32_t* rows, int64_t R, float* logits,
                   std::string* err) {
  const ModelConfig& c = m.config;
  if (!check_tokens(c, ids, positions, T, rows, R, err)) return false;
  try {
    Activations s(c, T);
    embed_rows(m, ids, T, s.x.data());
    const PrefillDims dims{T, static_cast<int32_t>(c.num_heads), static_cast<int32_t>(c.num_kv_heads),
                           static_cast<int32_t>(c.head_dim)};
    for (const LayerWeights& w : m.layers) {
      attention_inputs(m, w, positions, T, s);
      prefill_cpu(m.attention, s.q.data(), s.k.data(), s.v.data(), group, branch, dims,
                  attention_scale(c), s.a.data(), nullptr);
      attention_output_and_mlp(m, w, T, s);
    }
    lm_head_rows(m, s.x.data(), rows, R, logits);
    return true;
  } catch (const std::bad_alloc&) {
    *err = "out of memory in the forward pass (T = " + std::to_string(T) + ")";
    return false;
  }
}

KvCache* create_kv_cache(const Model& m) {
  KvCache* cache = new KvCache;
  cache->k.resize(m.layers.size());
  cache->v.resize(m.layers.size());
  return cache;
}

void free_kv_cache(KvCache* cache) { delete cache; }

namespace {

// Back to n entries (after a failed append).
void truncate_cache(KvCache* cache, int64_t n, int64_t kv_width) {
  for (size_t l = 0; l < cache->k.size(); ++l) {
    cache->k[l].resize(std::min(cache->k[l].size(), static_cast<size_t>(n * kv_width)));
    cache->v[l].resize(std::min(cache->v[l].size(), static_cast<size_t>(n * kv_width)));
  }
  cache->position.resize(std::min(cache->position.size(), static_cast<size_t>(n)));
  cache->group.resize(std::min(cache->group.size(), static_cast<size_t>(n)));
  cache->branch.resize(std::min(cache->branch.size(), static_cast<size_t>(n)));
}

// Grows every layer by A entries (filled layer by layer) and appends the tags.
void grow_cache(KvCache* cache, int64_t A, int64_t kv_width, const int32_t* positions,
                const int32_t* group, const int32_t* branch) {
  const int64_t n = cache->length() + A;
  for (size_t l = 0; l < cache->k.size(); ++l) {
    cache->k[l].resize(n * kv_width);
    cache->v[l].resize(n * kv_width);
  }
  cache->position.insert(cache->position.end(), positions, positions + A);
  cache->group.insert(cache->group.end(), group, group + A);
  cache->branch.insert(cache->branch.end(), branch, branch + A);
}

}  // namespace

bool model_decode(const Model& m, KvCache* cache, const int32_t* ids, const int32_t* positions,
                  const int32_t* group, const int32_t* branch, int64_t A, const int32_t* rows,
                  int64_t R, float* logits, std::string* err) {
  const ModelConfig& c = m.config;
  if (!check_tokens(c, ids, positions, A, rows, R, err)) return false;
  if (cache->k.size() != m.layers.size()) {
    *err = "KV cache has " + std::to_string(cache->k.size()) + " layers, the model " + std::to_string(m.layers.size());
    return false;
  }
  const int64_t kv_width = c.num_kv_heads * c.head_dim;
  const int64_t n0 = cache->length();
  try {
    Activations s(c, A);
    grow_cache(cache, A, kv_width, positions, group, branch);
    embed_rows(m, ids, A, s.x.data());
    const DecodeDims dims{A, n0 + A, static_cast<int32_t>(c.num_heads), static_cast<int32_t>(c.num_kv_heads),
                          static_cast<int32_t>(c.head_dim)};
    const TokenTags query{positions, group, branch};
    const TokenTags entry{cache->position.data(), cache->group.data(), cache->branch.data()};
    for (size_t l = 0; l < m.layers.size(); ++l) {
      attention_inputs(m, m.layers[l], positions, A, s);
      std::copy(s.k.begin(), s.k.end(), cache->k[l].begin() + n0 * kv_width);
      std::copy(s.v.begin(), s.v.end(), cache->v[l].begin() + n0 * kv_width);
      decode_cpu(m.attention, s.q.data(), cache->k[l].data(), cache->v[l].data(), query, entry, dims,
                 attention_scale(c), s.a.data());
      attention_output_and_mlp(m, m.layers[l], A, s);
    }
    lm_head_rows(m, s.x.data(), rows, R, logits);
    return true;
  } catch (const std::bad_alloc&) {
    truncate_cache(cache, n0, kv_width);
    *err = "out of memory in the decode step (A = " + std::to_string(A) + ", cache " + std::to_string(n0) + ")";
    return false;
  }
}

}  // namespace aspd
