#include "gpu_model.h"

#include <atomic>
#include <cmath>
#include <cstring>
#include <map>
#include <set>
#include <vector>

#include "cublas_loader.h"
#include "cuda_check.h"
#include "decode_attention.h"
#include "decode_mega.h"
#include "decode_gemv.h"

namespace aspd {

namespace {

constexpr size_t kWorkspaceBytes = 32u << 20;

struct DeviceLayer {
  bf16 *wqkv = nullptr, *wo = nullptr, *wgu = nullptr, *wd = nullptr;
  float *bqkv = nullptr, *in_norm = nullptr, *post_norm = nullptr;
  bf16 *k = nullptr, *v = nullptr;  // cache [capacity, Hkv, D]
};

}  // namespace

struct GpuModel {
  ModelConfig c;
  GpuModelOptions opt;
  cudaStream_t stream = nullptr;
  const CublasApi* blas = nullptr;
  void* handle = nullptr;
  std::vector<void*> allocations;
  int64_t weight_bytes = 0;
  std::string device_name;

  bf16 *embed = nullptr, *lm_head = nullptr;
  float* final_norm = nullptr;
  std::vector<DeviceLayer> layers;
  EntryTags tags{};
  int64_t capacity = 0, length = 0;

  float *x = nullptr, *tmp = nullptr, *qkv = nullptr, *gu = nullptr, *logits = nullptr;
  float* rope_table = nullptr;  // [kDecodePrologueMaxRows, D / 2] float2, launch_decode_prologue
  bf16 *h = nullptr, *q = nullptr, *attn = nullptr, *act = nullptr;
  int32_t *io_dev = nullptr, *io_host = nullptr, *argmax_dev = nullptr, *argmax_host = nullptr;
  int32_t *sample_ids = nullptr, *token_dev = nullptr;
  int64_t out_rows = 0;

  std::map<int64_t, cudaGraphExec_t> graphs;
  std::set<int64_t> warmed;
  bool graphs_ok = true;
  std::string graph_note;
  std::string gemm_note;            // why the built-in GEMV runs although cuBLAS was asked for
  std::atomic<bool> busy{false};    // one decoding run at a time (gpu_model_acquire)

  // Fused tensor-core path of decode steps (decode_gemv.h), rows <= kDecodeGemvMaxRows.
  bool fused = false;
  int64_t gate_up_group = 0;  // kGateUpGroup when the fused path runs (its gate/up row layout), else 0
  GemvPlan plan_qkv{}, plan_o{}, plan_gu{}, plan_down{}, plan_head{};
  float *sumsq_a = nullptr, *sumsq_b = nullptr;  // after the embedding / down product; after the O product
  uint64_t* fused_stamps = nullptr;  // [L][4 products][3], see gemv::Params::stamps (fused_timeline)
  bool fused_ran = false;
  ArgmaxScratch argmax_scratch{};

  // The decode megakernel (decode_mega.h), rows <= kMegaMaxRows.
  bool mega = false;
  std::string mega_note;  // why it does not run although asked for
  MegaLayer* mega_layers = nullptr;  // device [L], filled once the weights are up
  float* mega_partial = nullptr;
  float* mega_product_partial = nullptr;      // [kMegaProductPartialFloats]
  int32_t* mega_product_counters = nullptr;   // [kMegaSplitUnits]
  uint32_t* mega_barrier = nullptr;
  uint64_t* mega_timings = nullptr;  // [5 L + 1], see MegaArgs::timings
  bool mega_ran = false;

  ~GpuModel() {
    cudaSetDevice(opt.device);
    for (auto& g : graphs) cudaGraphExecDestroy(g.second);
    if (handle != nullptr) blas->destroy(handle);
    for (void* p : allocations) cudaFree(p);
    if (io_host != nullptr) cudaFreeHost(io_host);
    if (argmax_host != nullptr) cudaFreeHost(argmax_host);
    if (stream != nullptr) cudaStreamDestroy(stream);
  }

  template <typename T>
  bool alloc(T** p, int64_t count, std::string* err) {
    void* raw = nullptr;
    CUDA_TRY(cudaMalloc(&raw, static_cast<size_t>(std::max<int64_t>(count, 1)) * sizeof(T)));
    allocations.push_back(raw);
    *p = static_cast<T*>(raw);
    return true;
  }
};

// The decode prologue's RoPE table (rope_table) serves every decode path's rows.
static_assert(kDecodeAttentionMaxRows <= kDecodePrologueMaxRows && kMegaMaxRows <= kDecodePrologueMaxRows &&
                  kDecodeGemvMaxRows <= kDecodePrologueMaxRows,
              "a decode step has more rows than the prologue's RoPE table");

namespace {

int64_t qkv_width(const ModelConfig& c) { return (c.num_heads + 2 * c.num_kv_heads) * c.head_dim; }

float attention_scale(int32_t D) { return static_cast<float>(1.0 / std::sqrt(static_cast<double>(D))); }

bool gemm(GpuModel* m, const bf16* x, const bf16* w, int64_t M, int64_t N, int64_t K, float* y, std::string* err) {
  if (m->blas == nullptr) {
    CUDA_TRY(launch_gemv(x, w, M, N, K, y, m->stream));
    return true;
  }
  // Row-major y [M, N] = x [M, K] W^T is column-major y^T [N, M] = W^T' (W as col-major [K, N],
  // transposed) times x^T (col-major [K, M]).
  const float one = 1.f, zero = 0.f;
  const int status = m->blas->gemm_ex(m->handle, kCublasOpT, kCublasOpN, static_cast<int>(N), static_cast<int>(M),
                                      static_cast<int>(K), &one, w, CUDA_R_16BF, static_cast<int>(K), x, CUDA_R_16BF,
                                      static_cast<int>(K), &zero, y, CUDA_R_32F, static_cast<int>(N), kCublasCompute32F,
                                      kCublasGemmDefault);
  if (status != 0) {
    *err = "cublasGemmEx failed with status " + std::to_string(status) + " (M=" + std::to_string(M) +
           " N=" + std::to_string(N) + " K=" + std::to_string(K) + ")";
    return false;
  }
  return true;
}

bool enqueue_lm_head(GpuModel* m, int64_t M, int64_t head_rows, std::string* err);

// A decode step of M <= kDecodeGemvMaxRows rows on the fused products: per layer QKV (+norm,
// RoPE, cache append), attention, O (+residual), gate/up (+norm, SiLU), down (+residual).
bool enqueue_decode_forward(GpuModel* m, int64_t M, int64_t head_rows, std::string* err) {
  const ModelConfig& c = m->c;
  const int64_t E = c.hidden_size, I = c.intermediate_size, V = c.vocab_size;
  const int32_t H = static_cast<int32_t>(c.num_heads), Hkv = static_cast<int32_t>(c.num_kv_heads),
                D = static_cast<int32_t>(c.head_dim);
  const float eps = static_cast<float>(c.rms_norm_eps);
  const int32_t rows = static_cast<int32_t>(M), slots = residual_sumsq_slots(E);
  const StepIoView io{m->io_dev, rows};
  cudaStream_t s = m->stream;
  CUDA_TRY(cudaMemcpyAsync(m->io_dev, m->io_host, StepIoView::ints(rows) * sizeof(int32_t), cudaMemcpyHostToDevice, s));
  CUDA_TRY(launch_decode_prologue(m->embed, io, E, m->x, m->tags, D, c.rope_theta, m->rope_table, s, m->sumsq_a, slots));
  auto normed = [&](const float* weight, const float* sumsq) {
    GemvInput in;
    in.residual = m->x;
    in.norm_weight = weight;
    in.sumsq = sumsq;
    in.sumsq_slots = slots;
    in.eps = eps;
    return in;
  };
  auto plain = [](const bf16* x) {
    GemvInput in;
    in.x = x;
    return in;
  };
  auto residual_add = [&](float* sumsq_out) {
    GemvOutput out;
    out.kind = GemvEpilogue::kAddResidual;
    out.residual = m->x;
    out.sumsq_out = sumsq_out;
    return out;
  };
  for (const DeviceLayer& l : m->layers) {
    GemvOutput rope;
    rope.kind = GemvEpilogue::kRopeAppend;
    rope.bias = l.bqkv;
    rope.io = io;
    rope.H = H, rope.Hkv = Hkv, rope.D = D, rope.rope = m->rope_table;
    rope.q = m->q, rope.k_cache = l.k, rope.v_cache = l.v;
    const int64_t li = &l - m->layers.data();
    auto stamps = [&](int product) { return m->fused_stamps == nullptr ? nullptr : m->fused_stamps + (li * 4 + product) * 3; };
    CUDA_TRY(launch_decode_gemv(l.wqkv, qkv_width(c), E, rows, normed(l.in_norm, m->sumsq_a), rope, m->plan_qkv, s,
                                stamps(0)));
    DecodeQkv from_cache;  // the QKV product's epilogue left q and the new entries there
    from_cache.q = m->q;
    CUDA_TRY(launch_decode_attention(from_cache, l.k, l.v, m->tags, io, H, Hkv, D, attention_scale(D), m->attn, s,
                                     /*pdl=*/true));
    CUDA_TRY(launch_decode_gemv(l.wo, E, static_cast<int64_t>(H) * D, rows, plain(m->attn), residual_add(m->sumsq_b),
                                m->plan_o, s, stamps(1)));
    GemvOutput silu;
    silu.kind = GemvEpilogue::kSiluMul;
    silu.act = m->act;
    CUDA_TRY(launch_decode_gemv(l.wgu, 2 * I, E, rows, normed(l.post_norm, m->sumsq_b), silu, m->plan_gu, s,
                                stamps(2)));
    CUDA_TRY(launch_decode_gemv(l.wd, E, I, rows, plain(m->act), residual_add(m->sumsq_a), m->plan_down, s, stamps(3)));
  }
  m->fused_ran = true;
  if (head_rows > 0 && m->blas != nullptr) {
    // cuBLAS streams the LM head's weights faster than the fused product (66 vs 114 us at 0.5B on
    // an H200, each alone in aspd_decode_step_bench), so the fused path stops at the final norm.
    CUDA_TRY(launch_rms_norm(m->x, nullptr, m->final_norm, M, E, eps, m->h, s));
    return enqueue_lm_head(m, M, head_rows, err);
  }
  if (head_rows > 0) {
    GemvInput in = normed(m->final_norm, m->sumsq_a);
    in.residual += (M - head_rows) * E;
    in.sumsq += (M - head_rows) * slots;
    GemvOutput logits;
    logits.y = m->logits;
    CUDA_TRY(launch_decode_gemv(m->lm_head, V, E, static_cast<int32_t>(head_rows), in, logits, m->plan_head, s));
    CUDA_TRY(launch_argmax(m->logits, head_rows, V, m->argmax_scratch, m->argmax_dev, s));
    CUDA_TRY(cudaMemcpyAsync(m->argmax_host, m->argmax_dev, head_rows * sizeof(int32_t), cudaMemcpyDeviceToHost, s));
  }
  (void)err;
  return true;
}

// LM head on the last head_rows of the normalized rows h, their greedy argmax, copied back.
bool enqueue_lm_head(GpuModel* m, int64_t M, int64_t head_rows, std::string* err) {
  if (head_rows == 0) return true;
  const int64_t E = m->c.hidden_size, V = m->c.vocab_size;
  if (!gemm(m, m->h + (M - head_rows) * E, m->lm_head, head_rows, V, E, m->logits, err)) return false;
  CUDA_TRY(launch_argmax(m->logits, head_rows, V, m->argmax_scratch, m->argmax_dev, m->stream));
  CUDA_TRY(cudaMemcpyAsync(m->argmax_host, m->argmax_dev, head_rows * sizeof(int32_t), cudaMemcpyDeviceToHost,
                           m->stream));
  return true;
}

MegaArgs mega_args(GpuModel* m, int64_t M) {
  const ModelConfig& c = m->c;
  MegaArgs a{};
  a.layers = m->mega_layers;
  a.L = static_cast<int32_t>(c.num_layers);
  a.E = static_cast<int32_t>(c.hidden_size);
  a.I = static_cast<int32_t>(c.intermediate_size);
  a.H = static_cast<int32_t>(c.num_heads);
  a.Hkv = static_cast<int32_t>(c.num_kv_heads);
  a.D = static_cast<int32_t>(c.head_dim);
  a.eps = static_cast<float>(c.rms_norm_eps);
  a.theta = c.rope_theta;
  a.scale_log2 = attention_scale(a.D) * 1.4426950408889634f;
  a.final_norm = m->final_norm;
  a.tags = m->tags;
  a.io = StepIoView{m->io_dev, static_cast<int32_t>(M)};
  a.x = m->x;
  a.q = m->q;
  a.attn = m->attn;
  a.act = m->act;
  a.h_out = m->h;
  a.attn_partial = m->mega_partial;
  a.product_partial = m->mega_product_partial;
  a.product_counters = m->mega_product_counters;
  for (int i = 0; i < 4; ++i) a.product_parts[i] = m->opt.mega_parts[i];
  a.barrier = m->mega_barrier;
  a.timings = m->mega_timings;
  a.rope = m->rope_table;
  return a;
}

// A decode step of M <= kMegaMaxRows rows: embeddings, tags and RoPE table (one launch), the
// megakernel (every layer and the final norm into h), then the LM head and argmax as in the
// plain path.
bool enqueue_mega_forward(GpuModel* m, int64_t M, int64_t head_rows, std::string* err) {
  const ModelConfig& c = m->c;
  const int64_t E = c.hidden_size;
  cudaStream_t s = m->stream;
  CUDA_TRY(cudaMemcpyAsync(m->io_dev, m->io_host, StepIoView::ints(static_cast<int32_t>(M)) * sizeof(int32_t),
                           cudaMemcpyHostToDevice, s));
  const MegaArgs a = mega_args(m, M);
  CUDA_TRY(launch_decode_prologue(m->embed, a.io, E, m->x, m->tags, a.D, a.theta, m->rope_table, s));
  CUDA_TRY(launch_decode_mega(a, s));
  m->mega_ran = true;
  return enqueue_lm_head(m, M, head_rows, err);
}

// Every kernel of one forward of M rows whose inputs are already in io_host; head_rows as in
// gpu_model_forward. Enqueued on m->stream only, so it can be captured into a graph.
bool enqueue_forward(GpuModel* m, int64_t M, int64_t head_rows, std::string* err) {
  if (m->mega && M <= kMegaMaxRows) return enqueue_mega_forward(m, M, head_rows, err);
  if (m->fused && M <= kDecodeGemvMaxRows) return enqueue_decode_forward(m, M, head_rows, err);
  const ModelConfig& c = m->c;
  const int64_t E = c.hidden_size, I = c.intermediate_size;
  const int32_t H = static_cast<int32_t>(c.num_heads), Hkv = static_cast<int32_t>(c.num_kv_heads),
                D = static_cast<int32_t>(c.head_dim);
  const float eps = static_cast<float>(c.rms_norm_eps);
  const StepIoView io{m->io_dev, static_cast<int32_t>(M)};
  cudaStream_t s = m->stream;
  CUDA_TRY(cudaMemcpyAsync(m->io_dev, m->io_host, StepIoView::ints(static_cast<int32_t>(M)) * sizeof(int32_t),
                           cudaMemcpyHostToDevice, s));
  // Decode attention, with bias + RoPE + append inside it; other head dims take the per-row kernel.
  const bool decode = M <= kDecodeAttentionMaxRows && decode_attention_supports(D);
  if (decode) {
    CUDA_TRY(launch_decode_prologue(m->embed, io, E, m->x, m->tags, D, c.rope_theta, m->rope_table, s));
  } else {
    CUDA_TRY(launch_append_tags(io, m->tags, s));
    CUDA_TRY(launch_embed(m->embed, io, E, m->x, s));
  }
  const float* pending = nullptr;  // the previous layer's MLP output, added to x by the next norm
  for (const DeviceLayer& l : m->layers) {
    CUDA_TRY(launch_rms_norm(m->x, pending, l.in_norm, M, E, eps, m->h, s));
    if (!gemm(m, m->h, l.wqkv, M, qkv_width(c), E, m->qkv, err)) return false;
    if (decode) {
      DecodeQkv fresh;
      fresh.qkv = m->qkv;
      fresh.bias = l.bqkv;
      fresh.rope = m->rope_table;
      CUDA_TRY(launch_decode_attention(fresh, l.k, l.v, m->tags, io, H, Hkv, D, attention_scale(D), m->attn, s));
    } else {
      CUDA_TRY(launch_qkv_rope_append(m->qkv, l.bqkv, io, H, Hkv, D, c.rope_theta, m->q, l.k, l.v, s));
      CUDA_TRY(launch_cache_attention(m->q, l.k, l.v, m->tags, io, H, Hkv, D, attention_scale(D), m->attn, s));
    }
    if (!gemm(m, m->attn, l.wo, M, E, static_cast<int64_t>(H) * D, m->tmp, err)) return false;
    CUDA_TRY(launch_rms_norm(m->x, m->tmp, l.post_norm, M, E, eps, m->h, s));
    if (!gemm(m, m->h, l.wgu, M, 2 * I, E, m->gu, err)) return false;
    CUDA_TRY(launch_silu_mul(m->gu, M, I, m->gate_up_group, m->act, s));
    if (!gemm(m, m->act, l.wd, M, E, I, m->tmp, err)) return false;
    pending = m->tmp;
  }
  CUDA_TRY(launch_rms_norm(m->x, pending, m->final_norm, M, E, eps, m->h, s));
  return enqueue_lm_head(m, M, head_rows, err);
}

// Graph of a decode step of M rows (all rows' logits): captured once, replayed after.
bool run_graphed(GpuModel* m, int64_t M, std::string* err) {
  auto it = m->graphs.find(M);
  if (it == m->graphs.end()) {
    CUDA_TRY(cudaStreamBeginCapture(m->stream, cudaStreamCaptureModeThreadLocal));
    std::string capture_err;
    const bool ok = enqueue_forward(m, M, M, &capture_err);
    cudaGraph_t graph = nullptr;
    const cudaError_t end = cudaStreamEndCapture(m->stream, &graph);
    cudaGraphExec_t exec = nullptr;
    cudaError_t inst = cudaErrorUnknown;
    if (ok && end == cudaSuccess) inst = cudaGraphInstantiate(&exec, graph, 0);
    if (graph != nullptr) cudaGraphDestroy(graph);
    if (!ok || end != cudaSuccess || inst != cudaSuccess) {
      cudaGetLastError();  // clear a sticky capture error; fall back to eager steps
      m->graphs_ok = false;
      m->graph_note = "graph capture failed (" + (!ok ? capture_err : std::string(cudaGetErrorString(end != cudaSuccess ? end : inst))) +
                      "); running eagerly";
      return enqueue_forward(m, M, M, err);
    }
    it = m->graphs.emplace(M, exec).first;
  }
  CUDA_TRY(cudaGraphLaunch(it->second, m->stream));
  return true;
}

bool forward_chunk(GpuModel* m, const int32_t* ids, const int32_t* pos, const int32_t* group, const int32_t* branch,
                   int64_t M, int64_t head_rows, int32_t* argmax, std::string* err) {
  // A step that failed part-way may still have copies in flight from the pinned inputs: let them
  // finish before those buffers are rewritten.
  struct DrainOnFailure {
    GpuModel* m;
    bool ok = false;
    ~DrainOnFailure() {
      if (!ok) {
        cudaStreamSynchronize(m->stream);
        cudaGetLastError();
      }
    }
  } drain{m};
  int32_t* io = m->io_host;
  io[0] = static_cast<int32_t>(m->length);
  std::memcpy(io + 1, ids, M * sizeof(int32_t));
  std::memcpy(io + 1 + M, pos, M * sizeof(int32_t));
  std::memcpy(io + 1 + 2 * M, group, M * sizeof(int32_t));
  std::memcpy(io + 1 + 3 * M, branch, M * sizeof(int32_t));
  const bool graphed = m->opt.graphs && m->graphs_ok && head_rows == M && M <= kGraphRows;
  if (graphed && m->warmed.count(M) != 0) {
    if (!run_graphed(m, M, err)) return false;
  } else {
    if (!enqueue_forward(m, M, head_rows, err)) return false;
    if (graphed) m->warmed.insert(M);
  }
  CUDA_TRY(cudaStreamSynchronize(m->stream));
  m->length += M;
  m->out_rows = head_rows;
  if (head_rows > 0 && argmax != nullptr) std::memcpy(argmax, m->argmax_host, head_rows * sizeof(int32_t));
  drain.ok = true;
  return true;
}

std::vector<uint16_t> to_bf16(const std::vector<const std::vector<float>*>& parts) {
  size_t n = 0;
  for (auto* p : parts) n += p->size();
  std::vector<uint16_t> out;
  out.reserve(n);
  for (auto* p : parts)
    for (float f : *p) {
      const bf16 b = __float2bfloat16_rn(f);
      uint16_t bits;
      std::memcpy(&bits, &b, 2);
      out.push_back(bits);
    }
  return out;
}

// The fused gate/up matrix: [gate; up], or (group > 0, the fused decode path) rows in groups of
// 2 * group, group gate rows then the up rows of the same features, so that one block of the
// decode product holds both halves of each feature it writes.
std::vector<float> fuse_gate_up(const std::vector<float>& gate, const std::vector<float>& up, int64_t E,
                                int64_t group) {
  const int64_t I = static_cast<int64_t>(gate.size()) / E, step = group > 0 ? group : I;
  std::vector<float> out;
  out.reserve(gate.size() + up.size());
  for (int64_t g0 = 0; g0 < I; g0 += step)
    for (const std::vector<float>* half : {&gate, &up})
      out.insert(out.end(), half->begin() + g0 * E, half->begin() + std::min(g0 + step, I) * E);
  return out;
}

template <typename T, typename H>
bool upload(GpuModel* m, T** dst, const std::vector<H>& host, std::string* err) {
  if (!m->alloc(dst, static_cast<int64_t>(host.size()), err)) return false;
  CUDA_TRY(cudaMemcpy(*dst, host.data(), host.size() * sizeof(H), cudaMemcpyHostToDevice));
  m->weight_bytes += static_cast<int64_t>(host.size() * sizeof(H));
  return true;
}

// Stream, cuBLAS, cache, activations: everything but the weights.
bool init_runtime(GpuModel* m, std::string* err) {
  const ModelConfig& c = m->c;
  int count = 0;
  CUDA_TRY(cudaGetDeviceCount(&count));
  if (m->opt.device < 0 || m->opt.device >= count) {
    *err = "CUDA device " + std::to_string(m->opt.device) + " does not exist (" + std::to_string(count) + " found)";
    return false;
  }
  CUDA_TRY(cudaSetDevice(m->opt.device));
  cudaDeviceProp prop{};
  CUDA_TRY(cudaGetDeviceProperties(&prop, m->opt.device));
  if (prop.major < 9) {
    *err = std::string("GPU ") + prop.name + " has compute capability " + std::to_string(prop.major) + "." +
           std::to_string(prop.minor) + "; the kernels are built for sm_90 (Hopper) and newer";
    return false;
  }
  m->device_name = prop.name;
  CUDA_TRY(cudaStreamCreateWithFlags(&m->stream, cudaStreamNonBlocking));
  if (m->opt.cublas) {
    std::string why;
    m->blas = cublas_api(&why);
    if (m->blas == nullptr) m->gemm_note = " (" + why + ")";  // the built-in GEMV kernel serves instead
  }
  if (m->blas != nullptr) {
    if (m->blas->create(&m->handle) != 0) {
      m->handle = nullptr;
      *err = "cublasCreate failed (no GPU memory or no driver?)";
      return false;
    }
    void* workspace = nullptr;
    if (!m->alloc(reinterpret_cast<char**>(&workspace), kWorkspaceBytes, err)) return false;
    if (m->blas->set_stream(m->handle, m->stream) != 0 || m->blas->set_workspace(m->handle, workspace, kWorkspaceBytes) != 0) {
      *err = "cublasSetStream/cublasSetWorkspace failed";
      return false;
    }
  }
  if (m->opt.max_chunk < kGraphRows) m->opt.max_chunk = kGraphRows;
  if (m->opt.fused_max_splits < 0 || m->opt.fused_max_splits > kDecodeGemvMaxSplits) {
    *err = "fused_max_splits must be 0 (the most) to " + std::to_string(kDecodeGemvMaxSplits) + ", not " +
           std::to_string(m->opt.fused_max_splits);
    return false;
  }
  if ((m->opt.fused_streamed & ~kFusedAll) != 0) {
    *err = "fused_streamed takes the bits kFusedQkv | kFusedO | kFusedGateUp | kFusedDown, not " +
           std::to_string(m->opt.fused_streamed);
    return false;
  }
  m->capacity = m->opt.cache_capacity > 0 ? std::min<int64_t>(m->opt.cache_capacity, c.max_positions) : c.max_positions;
  const int64_t Hkv = c.num_kv_heads, D = c.head_dim, E = c.hidden_size, I = c.intermediate_size;
  const int64_t Mx = m->opt.max_chunk;
  for (DeviceLayer& l : m->layers)
    if (!m->alloc(&l.k, m->capacity * Hkv * D, err) || !m->alloc(&l.v, m->capacity * Hkv * D, err)) return false;
  if (!m->alloc(&m->tags.position, m->capacity, err) || !m->alloc(&m->tags.group, m->capacity, err) ||
      !m->alloc(&m->tags.branch, m->capacity, err) || !m->alloc(&m->x, Mx * E, err) || !m->alloc(&m->tmp, Mx * E, err) ||
      !m->alloc(&m->qkv, Mx * qkv_width(c), err) || !m->alloc(&m->gu, Mx * 2 * I, err) ||
      !m->alloc(&m->logits, Mx * c.vocab_size, err) || !m->alloc(&m->h, Mx * E, err) ||
      !m->alloc(&m->q, Mx * c.num_heads * D, err) || !m->alloc(&m->attn, Mx * c.num_heads * D, err) ||
      !m->alloc(&m->act, Mx * I, err) || !m->alloc(&m->argmax_scratch.value, Mx * kArgmaxBlocks, err) ||
      !m->alloc(&m->rope_table, static_cast<int64_t>(kDecodePrologueMaxRows) * D, err) ||
      !m->alloc(&m->argmax_scratch.index, Mx * kArgmaxBlocks, err) || !m->alloc(&m->argmax_scratch.counters, Mx, err) ||
      !m->alloc(&m->io_dev, static_cast<int64_t>(StepIoView::ints(Mx)), err) ||
      !m->alloc(&m->argmax_dev, Mx, err) || !m->alloc(&m->sample_ids, 4096, err) || !m->alloc(&m->token_dev, 1, err))
    return false;
  CUDA_TRY(cudaMemset(m->argmax_scratch.counters, 0, Mx * sizeof(int32_t)));
  m->fused = m->opt.fused_decode && decode_gemv_supports(E, I, static_cast<int32_t>(D));
  if (m->fused) {
    m->gate_up_group = kGateUpGroup;
    const int32_t sms = prop.multiProcessorCount;
    const int32_t most = m->opt.fused_max_splits > 0 ? m->opt.fused_max_splits : kDecodeGemvMaxSplits;
    // Planned for this device: a cluster it cannot place would fail every launch.
    struct Product {
      const char* name;
      GemvPlan* plan;
      GemvEpilogue kind;
      int64_t N, K;
      int32_t D;
      bool norm;
      int32_t bit;  // in fused_streamed
    };
    const Product products[] = {
        {"qkv", &m->plan_qkv, GemvEpilogue::kRopeAppend, qkv_width(c), E, static_cast<int32_t>(D), true, kFusedQkv},
        {"o", &m->plan_o, GemvEpilogue::kAddResidual, E, c.num_heads * D, 0, false, kFusedO},
        {"gate/up", &m->plan_gu, GemvEpilogue::kSiluMul, 2 * I, E, 0, true, kFusedGateUp},
        {"down", &m->plan_down, GemvEpilogue::kAddResidual, E, I, 0, false, kFusedDown},
        {"lm head", &m->plan_head, GemvEpilogue::kStore, c.vocab_size, E, 0, true, 0},
    };
    for (const Product& p : products) {
      if (p.plan == &m->plan_head && m->blas != nullptr) continue;  // cuBLAS runs the LM head then
      const bool resident = (m->opt.fused_streamed & p.bit) == 0;
      const cudaError_t e = fit_decode_gemv_plan(p.kind, p.N, p.K, p.D, p.norm, sms, most, resident, p.plan);
      if (e != cudaSuccess) {
        *err = std::string("fused decode: no launch plan of the ") + p.name + " product fits " + prop.name + " (" +
               cudaGetErrorString(e) + "); run without fused_decode";
        return false;
      }
    }
    for (GemvPlan* p : {&m->plan_qkv, &m->plan_o, &m->plan_gu, &m->plan_down}) p->pdl = true;
    const int64_t sumsq = static_cast<int64_t>(kDecodeGemvMaxRows) * residual_sumsq_slots(E);
    if (!m->alloc(&m->sumsq_a, sumsq, err) || !m->alloc(&m->sumsq_b, sumsq, err)) return false;
    if (m->opt.fused_timeline) {
      if (!m->alloc(&m->fused_stamps, c.num_layers * 4 * 3, err)) return false;
      CUDA_TRY(cudaMemset(m->fused_stamps, 0, c.num_layers * 4 * 3 * sizeof(uint64_t)));
    }
  }
  if (m->opt.mega_decode && !m->fused) {
    std::string why;
    m->mega = decode_mega_supported(static_cast<int32_t>(E), static_cast<int32_t>(I), static_cast<int32_t>(c.num_heads),
                                    static_cast<int32_t>(Hkv), static_cast<int32_t>(D), m->opt.device, &why);
    if (!m->mega) m->mega_note = " (decode megakernel off: " + why + ")";
  }
  if (m->mega) {
    if (!m->alloc(&m->mega_partial, static_cast<int64_t>(kMegaMaxRows) * c.num_heads * kMegaMaxSplits * (D + 2), err) ||
        !m->alloc(&m->mega_barrier, kMegaBarrierWords, err) ||
        !m->alloc(&m->mega_product_partial, kMegaProductPartialFloats, err) ||
        !m->alloc(&m->mega_product_counters, kMegaSplitUnits, err) ||
        !m->alloc(&m->mega_timings, 5 * c.num_layers + 1, err) ||
        !m->alloc(reinterpret_cast<char**>(&m->mega_layers), c.num_layers * static_cast<int64_t>(sizeof(MegaLayer)), err))
      return false;
    CUDA_TRY(cudaMemset(m->mega_product_counters, 0, kMegaSplitUnits * sizeof(int32_t)));
    CUDA_TRY(cudaMemset(m->mega_barrier, 0, kMegaBarrierWords * sizeof(uint32_t)));
  }
  CUDA_TRY(cudaMallocHost(reinterpret_cast<void**>(&m->io_host), StepIoView::ints(Mx) * sizeof(int32_t)));
  CUDA_TRY(cudaMallocHost(reinterpret_cast<void**>(&m->argmax_host), Mx * sizeof(int32_t)));
  return true;
}

// The megakernel's per-layer pointers, once every weight is on the device.
bool upload_mega_layers(GpuModel* m, std::string* err) {
  if (!m->mega) return true;
  std::vector<MegaLayer> layers;
  for (const DeviceLayer& l : m->layers)
    layers.push_back(MegaLayer{l.wqkv, l.wo, l.wgu, l.wd, l.bqkv, l.in_norm, l.post_norm, l.k, l.v});
  CUDA_TRY(cudaMemcpy(m->mega_layers, layers.data(), layers.size() * sizeof(MegaLayer), cudaMemcpyHostToDevice));
  return true;
}

bool check_config(const ModelConfig& c, std::string* err) {
  if (!validate_model_config(c, err)) return false;
  if (c.head_dim > 256 || c.hidden_size % 8 != 0 || c.intermediate_size % 8 != 0 ||
      (c.num_heads * c.head_dim) % 8 != 0) {
    *err = "GPU model needs head_dim <= 256 and hidden, intermediate and heads*head_dim sizes divisible by 8";
    return false;
  }
  return true;
}

}  // namespace

GpuModel* create_gpu_model(const Model& cpu, const GpuModelOptions& options, std::string* err) {
  if (!check_config(cpu.config, err)) return nullptr;
  auto* m = new GpuModel;
  m->c = cpu.config;
  m->opt = options;
  m->layers.resize(cpu.layers.size());
  bool ok = init_runtime(m, err) && upload(m, &m->embed, to_bf16({&cpu.embed}), err) &&
            upload(m, &m->final_norm, cpu.final_norm, err);
  if (ok) {
    if (cpu.config.tie_word_embeddings) m->lm_head = m->embed;
    else ok = upload(m, &m->lm_head, to_bf16({&cpu.lm_head}), err);
  }
  for (size_t i = 0; ok && i < cpu.layers.size(); ++i) {
    const LayerWeights& w = cpu.layers[i];
    DeviceLayer& l = m->layers[i];
    const std::vector<float> gate_up = fuse_gate_up(w.w_gate, w.w_up, cpu.config.hidden_size, m->gate_up_group);
    ok = upload(m, &l.wqkv, to_bf16({&w.wq, &w.wk, &w.wv}), err) && upload(m, &l.wo, to_bf16({&w.wo}), err) &&
         upload(m, &l.wgu, to_bf16({&gate_up}), err) && upload(m, &l.wd, to_bf16({&w.w_down}), err) &&
         upload(m, &l.in_norm, w.input_norm, err) && upload(m, &l.post_norm, w.post_norm, err);
    if (ok && cpu.config.attention_bias) {
      std::vector<float> b(w.bq);
      b.insert(b.end(), w.bk.begin(), w.bk.end());
      b.insert(b.end(), w.bv.begin(), w.bv.end());
      ok = upload(m, &l.bqkv, b, err);
    }
  }
  ok = ok && upload_mega_layers(m, err);
  if (!ok) {
    delete m;
    return nullptr;
  }
  return m;
}

GpuModel* create_random_gpu_model(const ModelConfig& config, uint64_t seed, const GpuModelOptions& options,
                                  std::string* err) {
  if (!check_config(config, err)) return nullptr;
  auto* m = new GpuModel;
  m->c = config;
  m->opt = options;
  m->layers.resize(static_cast<size_t>(config.num_layers));
  const int64_t E = config.hidden_size, I = config.intermediate_size, V = config.vocab_size;
  const int64_t QD = config.num_heads * config.head_dim;
  uint64_t next_seed = seed * 1000003ull + 17;
  auto matrix = [&](bf16** p, int64_t rows, int64_t fan_in, float mean, float std) {
    if (!m->alloc(p, rows * fan_in, err)) return false;
    m->weight_bytes += rows * fan_in * 2;
    CUDA_TRY(launch_fill_normal_bf16(*p, rows * fan_in, ++next_seed, mean, std, m->stream));
    return true;
  };
  auto vec = [&](float** p, int64_t n, float mean, float std) {
    if (!m->alloc(p, n, err)) return false;
    m->weight_bytes += n * 4;
    CUDA_TRY(launch_fill_normal_f32(*p, n, ++next_seed, mean, std, m->stream));
    return true;
  };
  const float inv_e = 1.f / std::sqrt(static_cast<float>(E)), inv_i = 1.f / std::sqrt(static_cast<float>(I)),
              inv_qd = 1.f / std::sqrt(static_cast<float>(QD));
  bool ok = init_runtime(m, err) && matrix(&m->embed, V, E, 0.f, 1.f) && vec(&m->final_norm, E, 1.f, 0.1f);
  if (ok) {
    if (config.tie_word_embeddings) m->lm_head = m->embed;
    else ok = matrix(&m->lm_head, V, E, 0.f, inv_e);
  }
  for (DeviceLayer& l : m->layers) {
    if (!ok) break;
    ok = matrix(&l.wqkv, qkv_width(config), E, 0.f, inv_e) && matrix(&l.wo, E, QD, 0.f, inv_qd) &&
         matrix(&l.wgu, 2 * I, E, 0.f, inv_e) && matrix(&l.wd, E, I, 0.f, inv_i) && vec(&l.in_norm, E, 1.f, 0.1f) &&
         vec(&l.post_norm, E, 1.f, 0.1f) && (!config.attention_bias || vec(&l.bqkv, qkv_width(config), 0.f, 0.1f));
  }
  ok = ok && upload_mega_layers(m, err);
  if (ok) {
    const cudaError_t e = cudaStreamSynchronize(m->stream);
    if (e != cudaSuccess) {
      *err = cuda_error_text(e, "random weights", __FILE__, __LINE__);
      ok = false;
    }
  }
  if (!ok) {
    delete m;
    return nullptr;
  }
  return m;
}

void free_gpu_model(GpuModel* m) { delete m; }

const ModelConfig& gpu_model_config(const GpuModel& m) { return m.c; }

std::string gpu_model_describe(const GpuModel& m) {
  std::string s = m.device_name + ", ";
  s += m.blas != nullptr ? "cuBLAS (" + m.blas->path + ")" : "built-in GEMV kernel" + m.gemm_note;
  if (m.fused) {
    s += ", fused tensor-core decode steps (programmatic dependent launch; K splits qkv " +
         std::to_string(m.plan_qkv.splits) + ", o " + std::to_string(m.plan_o.splits) + ", gate/up " +
         std::to_string(m.plan_gu.splits) + ", down " + std::to_string(m.plan_down.splits) + "; weights resident:";
    for (const GemvPlan* p : {&m.plan_qkv, &m.plan_o, &m.plan_gu, &m.plan_down}) s += p->resident ? " y" : " n";
    s += ")";
  }
  if (m.mega) {
    s += ", decode megakernel";
    const int32_t* p = m.opt.mega_parts;
    if (p[0] > 0 || p[1] > 0 || p[2] > 0 || p[3] > 0)
      s += " (K parts qkv " + std::to_string(p[0]) + ", o " + std::to_string(p[1]) + ", gate/up " + std::to_string(p[2]) +
           ", down " + std::to_string(p[3]) + "; 0 = chosen)";
  }
  else s += m.mega_note;
  s += m.opt.graphs ? (m.graphs_ok ? ", CUDA graphs on" : ", " + m.graph_note) : ", CUDA graphs off";
  return s;
}

int64_t gpu_model_weight_bytes(const GpuModel& m) { return m.weight_bytes; }

void gpu_model_clear(GpuModel* m) {
  m->length = 0;
  m->out_rows = 0;
}

void gpu_model_truncate(GpuModel* m, int64_t length) { m->length = std::max<int64_t>(0, std::min(m->length, length)); }

int64_t gpu_model_cache_length(const GpuModel& m) { return m.length; }

int64_t gpu_model_capacity(const GpuModel& m) { return m.capacity; }

int64_t gpu_model_max_chunk(const GpuModel& m) { return m.opt.max_chunk; }

bool gpu_model_acquire(GpuModel* m) { return !m->busy.exchange(true); }

void gpu_model_release(GpuModel* m) { m->busy.store(false); }

bool gpu_model_forward(GpuModel* m, const int32_t* ids, const int32_t* positions, const int32_t* group,
                       const int32_t* branch, int64_t A, int64_t head_rows, int32_t* argmax, std::string* err) {
  const ModelConfig& c = m->c;
  m->out_rows = 0;  // the last forward's outputs are gone whatever happens below
  CUDA_TRY(cudaSetDevice(m->opt.device));
  if (A < 1 || (head_rows != 0 && head_rows != 1 && head_rows != A) || (head_rows > 1 && A > m->opt.max_chunk)) {
    *err = "gpu forward: bad row counts A=" + std::to_string(A) + " head_rows=" + std::to_string(head_rows);
    return false;
  }
  if (m->length + A > m->capacity) {
    *err = "KV cache full: " + std::to_string(m->length) + " + " + std::to_string(A) + " entries > capacity " +
           std::to_string(m->capacity);
    return false;
  }
  for (int64_t i = 0; i < A; ++i) {
    if (ids[i] < 0 || ids[i] >= c.vocab_size) {
      *err = "token " + std::to_string(i) + ": id " + std::to_string(ids[i]) + " outside [0, " +
             std::to_string(c.vocab_size) + ")";
      return false;
    }
    if (positions[i] < 0 || positions[i] >= c.max_positions) {
      *err = "token " + std::to_string(i) + ": position " + std::to_string(positions[i]) + " outside [0, " +
             std::to_string(c.max_positions) + ")";
      return false;
    }
  }
  const int64_t start_length = m->length;
  for (int64_t off = 0; off < A; off += m->opt.max_chunk) {
    const int64_t M = std::min<int64_t>(m->opt.max_chunk, A - off);
    const bool last = off + M == A;
    const int64_t rows = !last ? 0 : head_rows == A ? M : head_rows;
    if (!forward_chunk(m, ids + off, positions + off, group + off, branch + off, M, rows, argmax, err)) {
      m->length = start_length;  // entries past length are never read
      return false;
    }
  }
  return true;
}

bool gpu_model_forward_rows(GpuModel* m, const int32_t* ids, const int32_t* positions, const int32_t* group,
                            const int32_t* branch, int64_t T, const int32_t* rows, int64_t R, float* out,
                            std::string* err) {
  for (int64_t k = 0; k < R; ++k) {
    if (rows[k] < 0 || rows[k] >= T) {
      *err = "logit row " + std::to_string(rows[k]) + " outside [0, " + std::to_string(T) + ")";
      return false;
    }
  }
  if (!gpu_model_acquire(m)) {
    *err = "the GPU model is in a decoding run (one run at a time per model)";
    return false;
  }
  struct Release {
    GpuModel* m;
    ~Release() {
      gpu_model_clear(m);
      gpu_model_release(m);
    }
  } release{m};
  gpu_model_clear(m);
  const int64_t V = m->c.vocab_size, chunk = m->opt.max_chunk;
  for (int64_t off = 0; off < T; off += chunk) {
    const int64_t M = std::min(chunk, T - off);
    bool wanted = false;
    for (int64_t k = 0; k < R && !wanted; ++k) wanted = rows[k] >= off && rows[k] < off + M;
    if (!gpu_model_forward(m, ids + off, positions + off, group + off, branch + off, M, wanted ? M : 0, nullptr, err))
      return false;
    for (int64_t k = 0; wanted && k < R; ++k)
      if (rows[k] >= off && rows[k] < off + M && !gpu_model_logits(m, rows[k] - off, out + k * V, err)) return false;
  }
  return true;
}

bool gpu_model_mega_phase_us(GpuModel* m, double (&us)[5], std::string* err) {
  if (!m->mega || !m->mega_ran) {
    *err = "no decode step has run on the megakernel";
    return false;
  }
  const int64_t L = m->c.num_layers;
  std::vector<uint64_t> t(5 * L + 1);
  CUDA_TRY(cudaSetDevice(m->opt.device));
  CUDA_TRY(cudaMemcpy(t.data(), m->mega_timings, t.size() * sizeof(uint64_t), cudaMemcpyDeviceToHost));
  for (int p = 0; p < 5; ++p) {
    double sum = 0;
    for (int64_t l = 0; l < L; ++l) sum += static_cast<double>(t[5 * l + p + 1] - t[5 * l + p]);
    us[p] = sum / static_cast<double>(L) / 1000.0;
  }
  return true;
}

bool gpu_model_fused_timeline(GpuModel* m, FusedTimeline* out, std::string* err) {
  if (m->fused_stamps == nullptr || !m->fused_ran) {
    *err = "no decode step has run on the fused products with fused_timeline set";
    return false;
  }
  const int64_t L = m->c.num_layers;
  if (L < 2) {
    *err = "the timeline needs two layers or more";
    return false;
  }
  std::vector<uint64_t> t(L * 4 * 3);
  CUDA_TRY(cudaSetDevice(m->opt.device));
  CUDA_TRY(cudaMemcpy(t.data(), m->fused_stamps, t.size() * sizeof(uint64_t), cudaMemcpyDeviceToHost));
  auto at = [&](int64_t layer, int product, int what) { return static_cast<double>(t[(layer * 4 + product) * 3 + what]); };
  *out = FusedTimeline{};
  for (int64_t l = 1; l < L; ++l)  // layer 0's QKV follows the step's first kernels, not a down product
    for (int p = 0; p < 4; ++p) {
      const double prev_end = p == 0 ? at(l - 1, 3, 2) : at(l, p - 1, 2);
      out->start_us[p] += (at(l, p, 0) - prev_end) / 1000.0;
      out->wait_us[p] += (at(l, p, 1) - at(l, p, 0)) / 1000.0;
      out->after_wait_us[p] += (at(l, p, 2) - at(l, p, 1)) / 1000.0;
      out->share_us[p] += (at(l, p, 2) - prev_end) / 1000.0;
    }
  for (int p = 0; p < 4; ++p) {
    out->start_us[p] /= static_cast<double>(L - 1);
    out->wait_us[p] /= static_cast<double>(L - 1);
    out->after_wait_us[p] /= static_cast<double>(L - 1);
    out->share_us[p] /= static_cast<double>(L - 1);
    out->layer_us += out->share_us[p];
  }
  return true;
}

bool gpu_model_mega_barrier_us(GpuModel* m, double* us, std::string* err) {
  if (!m->mega || !m->mega_ran) {
    *err = "no decode step has run on the megakernel";
    return false;
  }
  CUDA_TRY(cudaSetDevice(m->opt.device));
  MegaArgs a = mega_args(m, 1);
  a.only_barriers = 1;
  CUDA_TRY(launch_decode_mega(a, m->stream));
  CUDA_TRY(cudaStreamSynchronize(m->stream));
  const int64_t n = 5 * m->c.num_layers;
  std::vector<uint64_t> t(n + 1);
  CUDA_TRY(cudaMemcpy(t.data(), m->mega_timings, t.size() * sizeof(uint64_t), cudaMemcpyDeviceToHost));
  *us = static_cast<double>(t[n] - t[0]) / static_cast<double>(n) / 1000.0;
  return true;
}

bool gpu_model_logits(GpuModel* m, int64_t r, float* dst, std::string* err) {
  if (r < 0 || r >= m->out_rows) {
    *err = "no logits row " + std::to_string(r) + " in the last forward (" + std::to_string(m->out_rows) + " rows)";
    return false;
  }
  CUDA_TRY(cudaSetDevice(m->opt.device));
  CUDA_TRY(cudaMemcpy(dst, m->logits + r * m->c.vocab_size, m->c.vocab_size * sizeof(float), cudaMemcpyDeviceToHost));
  return true;
}

bool gpu_model_sample(GpuModel* m, int64_t r, const int32_t* allow, int32_t n_allow, const int32_t* ban,
                      int32_t n_ban, DeviceSampling sampling, int32_t* token, std::string* err) {
  if (r < 0 || r >= m->out_rows || n_allow < 0 || n_ban < 0 || n_allow > 4096 || n_ban > 4096 - n_allow) {
    *err = "bad sampling request for row " + std::to_string(r);
    return false;
  }
  CUDA_TRY(cudaSetDevice(m->opt.device));
  std::vector<int32_t> ids(allow, allow + n_allow);
  ids.insert(ids.end(), ban, ban + n_ban);
  sampling.n_allow = n_allow;
  sampling.n_ban = n_ban;
  if (!ids.empty())
    CUDA_TRY(cudaMemcpyAsync(m->sample_ids, ids.data(), ids.size() * sizeof(int32_t), cudaMemcpyHostToDevice, m->stream));
  CUDA_TRY(launch_sample(m->logits + r * m->c.vocab_size, m->c.vocab_size, m->sample_ids, sampling, m->token_dev,
                         m->stream));
  CUDA_TRY(cudaMemcpyAsync(m->argmax_host, m->token_dev, sizeof(int32_t), cudaMemcpyDeviceToHost, m->stream));
  CUDA_TRY(cudaStreamSynchronize(m->stream));
  *token = m->argmax_host[0];
  return true;
}

}  // namespace aspd
