// A small Llama/Qwen2-architecture decoder on the CPU, float32 compute, with the §5 branch rule in
// its attention (reusing the fast CPU attention) and RoPE from explicit position ids (§6).
//
// Per layer (pre-norm, residual):  h = RMSNorm(x);  q,k,v = h W^T (+ b);  RoPE(q, k, positions);
//   x += Attention(q, k, v; labels) Wo^T;  h = RMSNorm(x);  x += (silu(h Wg^T) * (h Wu^T)) Wd^T.
// Then RMSNorm and the LM head (the embedding matrix when tie_word_embeddings).
//
// Shapes (letters of model_config.h, T tokens): embedding [V, E]; Wq [H*D, E]; Wk, Wv [Hkv*D, E];
// Wo [E, H*D]; Wg, Wu [I, E]; Wd [E, I]; LM head [V, E]; activations row-major [T, ...].
// Weights are stored as float32 whatever the checkpoint dtype (F32/F16/BF16 converted on load).
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "core/attention_cpu.h"
#include "model_config.h"

namespace aspd {

struct LayerWeights {
  std::vector<float> input_norm;            // [E]
  std::vector<float> wq, wk, wv, wo;        // [H*D, E], [Hkv*D, E], [Hkv*D, E], [E, H*D]
  std::vector<float> bq, bk, bv;            // [H*D], [Hkv*D], [Hkv*D]; empty without attention_bias
  std::vector<float> post_norm;             // [E]
  std::vector<float> w_gate, w_up, w_down;  // [I, E], [I, E], [E, I]
};

struct Model {
  ModelConfig config;
  std::vector<float> embed;  // [V, E]
  std::vector<LayerWeights> layers;
  std::vector<float> final_norm;  // [E]
  std::vector<float> lm_head;     // [V, E]; empty when tied
  int32_t threads = 1;
  CpuAttention* attention = nullptr;
};

// One weight under its Hugging Face name, e.g. "model.layers.0.self_attn.q_proj.weight".
struct TensorSlot {
  std::string name;
  std::vector<int64_t> shape;
  std::vector<float>* data;
};

// Every tensor the config asks for, in a fixed order (embedding, layers, final norm, LM head).
std::vector<TensorSlot> model_tensor_slots(Model* m);

// Random weights (deterministic for a seed): embedding N(0, 1), matrices N(0, 1 / fan_in),
// norms 1 + N(0, 0.1^2), biases N(0, 0.1^2); logits come out O(1). threads <= 0: all cores.
// nullptr with *err on a bad config or when memory runs out.
Model* create_random_model(const ModelConfig& config, uint64_t seed, int32_t threads, std::string* err);

// dir/config.json + dir/model.safetensors; every tensor's presence, dtype, shape and byte range
// is checked against the config before any weight is read.
Model* load_model(const std::string& dir, int32_t threads, std::string* err);

void free_model(Model* m);

// ids, positions, group, branch [T] (labels as in §5: main = (-1, 0)); rows [R] are token indices
// whose logits are wanted -> logits [R, V]. Returns false with *err on bad ids or positions.
bool model_forward(const Model& m, const int32_t* ids, const int32_t* positions, const int32_t* group,
                   const int32_t* branch, int64_t T, const int32_t* rows, int64_t R, float* logits,
                   std::string* err);

// KV cache of one sequence (batch 1) for the incremental forward, append-only (§7): per layer
// K and V [N, Hkv, D] after RoPE, and per-entry tags position/group/branch [N]. Physical order is
// free: the decode attention reads only the tags (visibility.h), so branches may interleave by step.
struct KvCache {
  std::vector<std::vector<float>> k, v;          // [L][N * Hkv * D]
  std::vector<int32_t> position, group, branch;  // [N]
  int64_t length() const { return static_cast<int64_t>(position.size()); }
};

KvCache* create_kv_cache(const Model& m);
void free_kv_cache(KvCache* cache);

// Incremental forward of A new tokens against the cache: q/k/v of the new rows, RoPE at their
// positions, k/v appended to the cache with tags (group/branch/position [A], main = (-1, 0)), then
// every new row attends to the whole cache (its own entry included) under the tag rule. rows [R]
// index the new tokens (0 <= rows[r] < A) -> logits [R, V]. On failure the cache is unchanged.
bool model_decode(const Model& m, KvCache* cache, const int32_t* ids, const int32_t* positions,
                  const int32_t* group, const int32_t* branch, int64_t A, const int32_t* rows,
                  int64_t R, float* logits, std::string* err);

}  // namespace aspd
