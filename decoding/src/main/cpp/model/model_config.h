// Hyper-parameters of a Llama/Qwen2-architecture decoder, read from a Hugging Face config.json.
//
// Letters as everywhere in this module: V vocab, E hidden size (embedding width), I MLP width,
// L layers, H query heads, Hkv key/value heads, D head dim.
#pragma once

#include <cstdint>
#include <string>

namespace aspd {

struct ModelConfig {
  std::string model_type;     // "llama" or "qwen2"
  int64_t vocab_size = 0;     // V
  int64_t hidden_size = 0;    // E
  int64_t intermediate_size = 0;  // I
  int64_t num_layers = 0;     // L
  int64_t num_heads = 0;      // H
  int64_t num_kv_heads = 0;   // Hkv (GQA; H % Hkv == 0)
  int64_t head_dim = 0;       // D (even: RoPE rotates pairs)
  int64_t max_positions = 0;  // context length (max_position_embeddings)
  double rms_norm_eps = 0;
  double rope_theta = 0;
  bool tie_word_embeddings = false;  // LM head = embedding matrix
  bool attention_bias = false;       // q/k/v projections carry biases (always for qwen2)
};

// Parses config.json text. Required: model_type, vocab_size, hidden_size, intermediate_size,
// num_hidden_layers, num_attention_heads, max_position_embeddings, rms_norm_eps. Optional with
// Hugging Face defaults: num_key_value_heads (= H), head_dim (= E / H), rope_theta (10000),
// tie_word_embeddings (false), attention_bias (llama: false; qwen2: always true). Unsupported
// features (rope_scaling, sliding windows, MLP biases, activations other than silu) are rejected.
bool parse_model_config(const std::string& json_text, ModelConfig* out, std::string* err);

// Sizes positive and consistent, eps/theta positive and finite, no size overflowing int32 rows.
bool validate_model_config(const ModelConfig& c, std::string* err);

}  // namespace aspd
