// The Llama/Qwen2 forward of model/model.h on one GPU, for the decoding engine (batch 1).
//
// bf16 weights (q/k/v and gate/up fused into one matrix each), bf16 KV cache with per-entry tags,
// fp32 residual stream and statistics. A forward of M rows runs on one stream with no host round
// trip inside: step inputs (one small copy), embedding, per layer RMSNorm -> QKV GEMM ->
// bias + RoPE + cache append -> cache attention under the tag rule -> O GEMM -> residual + RMSNorm
// -> gate/up GEMM -> SiLU*up -> down GEMM, then final norm, LM head and the greedy argmax of every
// row, copied back (M ints). Decode steps (<= 16 rows) start with one prologue kernel (embeddings,
// tags, RoPE table) and, where decode_attention_supports(head dim), do bias + RoPE + cache append
// inside the attention of decode_attention.h instead of a kernel of their own; with
// fused_decode run the fused products of decode_gemv.h (five kernels per layer), with mega_decode
// every layer in one persistent kernel (decode_mega.h); both opt-in. GEMMs are cuBLAS (opened at run time) or, without it, a built-in GEMV
// kernel. Steps of up to kGraphRows rows are replayed from CUDA graphs, one per row count,
// captured at the second step of that size (the first runs eagerly and loads every kernel).
#pragma once

#include <cstdint>
#include <string>

#include "model/model.h"
#include "model_kernels.h"

namespace aspd {

constexpr int32_t kGraphRows = 16;

// The fused products of a layer, as bits of GpuModelOptions::fused_streamed.
constexpr int32_t kFusedQkv = 1, kFusedO = 2, kFusedGateUp = 4, kFusedDown = 8, kFusedAll = 15;

struct GpuModelOptions {
  int32_t device = 0;
  int64_t cache_capacity = 0;  // entries; 0 = the model's context (max_position_embeddings)
  int32_t max_chunk = 512;     // rows per forward; longer inputs are fed in chunks
  bool graphs = true;
  bool cublas = true;          // false, or no cuBLAS found: built-in GEMV kernel for every matrix product
  // Steps of <= 16 rows on the fused tensor-core products of decode_gemv.h instead of cuBLAS and
  // separate element-wise kernels. Off by default: slower than cuBLAS on an H200 so far (see
  // decoding/README.md); an experiment to build on.
  // Its products and attention are launched with programmatic dependent launch (pdl.cuh): each
  // starts while the one before runs (a product copies its first weights before it waits); 1.403
  // vs 1.538 ms per 0.5B step on an H200, where the cuBLAS path took 1.161 in the same run. The LM
  // head is a cuBLAS product when cuBLAS is there. Since 2026-11-26 (third session; not yet timed
  // on a GPU) the K splits of a product are thread-block clusters reduced through distributed
  // shared memory, and a block whose K range fits copies all its weights before the wait. The
  // plans are fitted to the device when the model is created (fit_decode_gemv_plan).
  bool fused_decode = false;
  // The fused products' plan, to compare plans on a GPU (the engine bench's options): at most this
  // many blocks along K (1 to kDecodeGemvMaxSplits; 0 = the most), and the products whose blocks
  // stream their weights through a 3-4 stage pipeline even where their K range would fit in shared
  // memory (kFusedQkv | kFusedO | kFusedGateUp | kFusedDown; a smaller block may let the next
  // product's blocks start beside it).
  int32_t fused_max_splits = 0;
  int32_t fused_streamed = 0;
  // Nanosecond stamps of every fused product of a step (gpu_model_fused_timeline); benches only.
  bool fused_timeline = false;
  // Steps of <= 16 rows in one persistent kernel (decode_mega.h) where the model and GPU allow it;
  // the LM head stays a cuBLAS product. Ignored when fused_decode is set (its gate/up row layout).
  // Off by default: its first version was correct but no faster than the cuBLAS path on an H200
  // (1.173 against 1.170 ms per 0.5B step, slower at 7B and for steps of 4 or more rows); the
  // current one (weight ring, weights issued before each barrier, split K) is slower (1.620 against
  // 1.161 ms). See decoding/README.md.
  bool mega_decode = false;
  // The megakernel's split of the K of its QKV, O, gate/up and down products across blocks:
  // 0 = its cost model, n > 0 = n parts (benchmarks, to calibrate the model).
  int32_t mega_parts[4] = {0, 0, 0, 0};
};

struct GpuModel;

// Uploads a CPU model's weights rounded to bf16.
GpuModel* create_gpu_model(const Model& cpu, const GpuModelOptions& options, std::string* err);
// Random weights of a shape, drawn on the device (N(0, 1/fan_in) matrices, as create_random_model).
GpuModel* create_random_gpu_model(const ModelConfig& config, uint64_t seed, const GpuModelOptions& options,
                                  std::string* err);
void free_gpu_model(GpuModel* m);

const ModelConfig& gpu_model_config(const GpuModel& m);
// "cuBLAS (libcublas.so.13), CUDA graphs on, NVIDIA H100 ..." for reports.
std::string gpu_model_describe(const GpuModel& m);
int64_t gpu_model_weight_bytes(const GpuModel& m);

// Empties the KV cache (a new sequence), or drops the entries from `length` on (benchmarks).
void gpu_model_clear(GpuModel* m);
void gpu_model_truncate(GpuModel* m, int64_t length);
int64_t gpu_model_cache_length(const GpuModel& m);
int64_t gpu_model_capacity(const GpuModel& m);
int64_t gpu_model_max_chunk(const GpuModel& m);  // rows per forward when every row's logits are wanted

// One decoding run at a time per model, whoever holds it: false when a run is in progress.
bool gpu_model_acquire(GpuModel* m);
void gpu_model_release(GpuModel* m);

// Feeds A rows (ids, positions, group/branch labels; main = (-1, 0)) and appends them to the cache.
// head_rows: 0 = no logits, 1 = the last row only, A = every row (A <= max_chunk when > 1).
// Every call makes the model's device current first (callers may be on any thread).
// argmax [head_rows] gets the greedy token of each output row, kNonFiniteToken (-1) for a row whose
// logits hold NaN or Inf. On error the cache is unchanged.
bool gpu_model_forward(GpuModel* m, const int32_t* ids, const int32_t* positions, const int32_t* group,
                       const int32_t* branch, int64_t A, int64_t head_rows, int32_t* argmax, std::string* err);

// Logits of chosen rows of one sequence (the validator's packed and reference forwards, as
// model_forward does on the CPU): the cache is emptied, the T tokens are fed in chunks of
// max_chunk rows (every row's logits kept in a chunk that holds a requested row), and out [R, V]
// gets row rows[k] at k. Takes the run lock; fails while a decoding run holds the model.
bool gpu_model_forward_rows(GpuModel* m, const int32_t* ids, const int32_t* positions, const int32_t* group,
                            const int32_t* branch, int64_t T, const int32_t* rows, int64_t R, float* out,
                            std::string* err);

// Time of each megakernel phase in the last decode step that ran it, averaged over the layers:
// QKV, attention, O, gate/up, down (each including its grid barrier), in microseconds. False when
// no step has run on the megakernel.
bool gpu_model_mega_phase_us(GpuModel* m, double (&us)[5], std::string* err);

// Where the fused products of the last decode step spent their time (fused_timeline set),
// averaged over layers 1 to L - 1, per product (QKV, O, gate/up, down), in microseconds, from
// stamps of block (0, 0) and of each block's end: start_us, from the end of the product before
// (for QKV, the last layer's down; for O, the attention between them is in it) to block (0, 0)'s
// start (negative: it started while the one before still ran, which programmatic dependent launch
// allows); wait_us, block (0, 0)'s start to the end of its wait for the kernels before;
// after_wait_us, from there to the last block's end; share_us, the end of the product before to
// this one's end (the four add up to layer_us).
struct FusedTimeline {
  double start_us[4] = {}, wait_us[4] = {}, after_wait_us[4] = {}, share_us[4] = {};
  double layer_us = 0;
};
bool gpu_model_fused_timeline(GpuModel* m, FusedTimeline* out, std::string* err);

// The megakernel's grid barrier alone, microseconds per barrier (one launch of barriers only,
// after a decode step has run on it).
bool gpu_model_mega_barrier_us(GpuModel* m, double* us, std::string* err);

// Output row r of the last forward: its logits (host [V]) or one draw under a restriction.
bool gpu_model_logits(GpuModel* m, int64_t r, float* dst, std::string* err);
bool gpu_model_sample(GpuModel* m, int64_t r, const int32_t* allow, int32_t n_allow, const int32_t* ban,
                      int32_t n_ban, DeviceSampling sampling, int32_t* token, std::string* err);

}  // namespace aspd
