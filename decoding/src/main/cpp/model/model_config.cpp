#include "model_config.h"

#include <algorithm>
#include <cerrno>
#include <cmath>
#include <cstdlib>
#include <limits>

#include "json.h"

namespace aspd {

namespace {

bool fail(std::string* err, const std::string& what) {
  *err = "config.json: " + what;
  return false;
}

bool read_int(const json::Value& root, const char* key, bool required, int64_t* out, std::string* err) {
  const json::Value* v = root.find(key);
  if (v == nullptr || v->kind == json::Kind::kNull) {
    if (required) return fail(err, std::string("missing required field \"") + key + "\"");
    return true;
  }
  if (!v->is_integer()) return fail(err, std::string("\"") + key + "\" must be an integer, got " +
                                             (v->kind == json::Kind::kNumber ? v->text : json::kind_name(v->kind)));
  errno = 0;
  const long long x = std::strtoll(v->text.c_str(), nullptr, 10);
  if (errno != 0 || x < 1 || x > std::numeric_limits<int32_t>::max())
    return fail(err, std::string("\"") + key + "\" = " + v->text + " is outside [1, 2^31 - 1]");
  *out = x;
  return true;
}

bool read_double(const json::Value& root, const char* key, bool required, double* out, std::string* err) {
  const json::Value* v = root.find(key);
  if (v == nullptr || v->kind == json::Kind::kNull) {
    if (required) return fail(err, std::string("missing required field \"") + key + "\"");
    return true;
  }
  if (v->kind != json::Kind::kNumber)
    return fail(err, std::string("\"") + key + "\" must be a number, got " + json::kind_name(v->kind));
  *out = v->number;
  return true;
}

bool read_bool(const json::Value& root, const char* key, bool* out, std::string* err) {
  const json::Value* v = root.find(key);
  if (v == nullptr || v->kind == json::Kind::kNull) return true;
  if (v->kind != json::Kind::kBool)
    return fail(err, std::string("\"") + key + "\" must be true or false, got " + json::kind_name(v->kind));
  *out = v->boolean;
  return true;
}

}  // namespace

bool parse_model_config(const std::string& json_text, ModelConfig* out, std::string* err) {
  json::Value root;
  std::string perr;
  if (!json::parse(json_text, &root, &perr)) return fail(err, "not valid JSON (" + perr + ")");
  if (root.kind != json::Kind::kObject) return fail(err, "the top level must be an object");
  ModelConfig c;
  const json::Value* type = root.find("model_type");
  if (type == nullptr || type->kind != json::Kind::kString)
    return fail(err, "missing required string field \"model_type\" (\"llama\" or \"qwen2\")");
  c.model_type = type->text;
  if (c.model_type != "llama" && c.model_type != "qwen2")
    return fail(err, "model_type \"" + c.model_type + "\" is not supported (\"llama\" or \"qwen2\")");
  if (!read_int(root, "vocab_size", true, &c.vocab_size, err) ||
      !read_int(root, "hidden_size", true, &c.hidden_size, err) ||
      !read_int(root, "intermediate_size", true, &c.intermediate_size, err) ||
      !read_int(root, "num_hidden_layers", true, &c.num_layers, err) ||
      !read_int(root, "num_attention_heads", true, &c.num_heads, err) ||
      !read_int(root, "max_position_embeddings", true, &c.max_positions, err) ||
      !read_double(root, "rms_norm_eps", true, &c.rms_norm_eps, err))
    return false;
  c.num_kv_heads = c.num_heads;
  c.rope_theta = 10000.0;
  if (!read_int(root, "num_key_value_heads", false, &c.num_kv_heads, err) ||
      !read_double(root, "rope_theta", false, &c.rope_theta, err) ||
      !read_bool(root, "tie_word_embeddings", &c.tie_word_embeddings, err) ||
      !read_bool(root, "attention_bias", &c.attention_bias, err))
    return false;
  if (c.hidden_size % c.num_heads != 0 && root.find("head_dim") == nullptr)
    return fail(err, "hidden_size " + std::to_string(c.hidden_size) + " is not a multiple of num_attention_heads " +
                         std::to_string(c.num_heads) + " and no head_dim is given");
  c.head_dim = c.hidden_size / c.num_heads;
  if (!read_int(root, "head_dim", false, &c.head_dim, err)) return false;
  if (c.model_type == "qwen2") c.attention_bias = true;  // Qwen2 always has q/k/v biases

  const json::Value* act = root.find("hidden_act");
  if (act != nullptr && (act->kind != json::Kind::kString || act->text != "silu"))
    return fail(err, "hidden_act must be \"silu\" (SwiGLU MLP)");
  const json::Value* scaling = root.find("rope_scaling");
  if (scaling != nullptr && scaling->kind != json::Kind::kNull)
    return fail(err, "rope_scaling is not supported (plain RoPE only)");
  bool flag = false;
  if (!read_bool(root, "mlp_bias", &flag, err)) return false;
  if (flag) return fail(err, "mlp_bias = true is not supported");
  flag = false;
  if (!read_bool(root, "use_sliding_window", &flag, err)) return false;
  if (flag) return fail(err, "use_sliding_window = true is not supported");
  if (!validate_model_config(c, err)) return false;
  *out = c;
  return true;
}

bool validate_model_config(const ModelConfig& c, std::string* err) {
  if (c.model_type != "llama" && c.model_type != "qwen2")
    return fail(err, "model_type \"" + c.model_type + "\" is not supported (\"llama\" or \"qwen2\")");
  const std::pair<const char*, int64_t> sizes[] = {
      {"vocab_size", c.vocab_size},         {"hidden_size", c.hidden_size},
      {"intermediate_size", c.intermediate_size}, {"num_hidden_layers", c.num_layers},
      {"num_attention_heads", c.num_heads}, {"num_key_value_heads", c.num_kv_heads},
      {"head_dim", c.head_dim},             {"max_position_embeddings", c.max_positions}};
  for (const auto& s : sizes)
    if (s.second < 1 || s.second > std::numeric_limits<int32_t>::max())
      return fail(err, std::string(s.first) + " = " + std::to_string(s.second) + " must lie in [1, 2^31 - 1]");
  if (c.num_heads % c.num_kv_heads != 0)
    return fail(err, "num_attention_heads " + std::to_string(c.num_heads) +
                         " is not a multiple of num_key_value_heads " + std::to_string(c.num_kv_heads));
  if (c.head_dim % 2 != 0) return fail(err, "head_dim " + std::to_string(c.head_dim) + " must be even (RoPE)");
  if (!(c.rms_norm_eps > 0) || !std::isfinite(c.rms_norm_eps))
    return fail(err, "rms_norm_eps must be positive and finite");
  if (!(c.rope_theta > 1) || !std::isfinite(c.rope_theta))
    return fail(err, "rope_theta must be finite and > 1");
  // Every weight matrix must index with int64 and stay below 2^40 elements (4 TiB of floats).
  const int64_t limit = int64_t{1} << 40;
  const int64_t widest = std::max({c.vocab_size, c.intermediate_size, c.num_heads * c.head_dim});
  if (widest > limit / c.hidden_size)
    return fail(err, "weight matrices would exceed 2^40 elements");
  return true;
}

}  // namespace aspd
