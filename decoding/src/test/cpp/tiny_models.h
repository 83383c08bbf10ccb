// The small Qwen2-shaped configuration the model and GPU tests share (logits O(1) with random
// weights; hidden 64, 2 layers, 4 heads, 2 KV heads, head dim 16).
#pragma once

#include <cstdint>

#include "model/model_config.h"

namespace aspd::testing {

inline ModelConfig tiny_qwen2_config(int64_t vocab, bool tie_word_embeddings) {
  ModelConfig c;
  c.model_type = "qwen2";
  c.vocab_size = vocab;
  c.hidden_size = 64;
  c.intermediate_size = 96;
  c.num_layers = 2;
  c.num_heads = 4;
  c.num_kv_heads = 2;
  c.head_dim = 16;
  c.max_positions = 4096;
  c.rms_norm_eps = 1e-6;
  c.rope_theta = 10000;
  c.tie_word_embeddings = tie_word_embeddings;
  c.attention_bias = true;
  return c;
}

}  // namespace aspd::testing
