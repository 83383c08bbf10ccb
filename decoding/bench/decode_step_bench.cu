// Where the time of one decode step goes: every kernel of a layer (and the LM head) timed alone,
// each as the mean of 200 back-to-back launches on one stream (what a CUDA graph replays), at
// M = 1, 8 and 16 rows, for the unfused path (cuBLAS GEMMs + element-wise kernels) and the fused
// tensor-core products of decode_gemv.h. Also checks the fused product against cuBLAS on the same
// inputs. Random bf16 weights of a named shape; 768 cache entries.
//   usage: aspd_decode_step_bench [--shape qwen2.5-0.5b|qwen2.5-7b] [--json FILE] [--once]
//   --once: each kernel launched once and not timed, to run under a profiler (ncu)
#include <cmath>
#include <cstdio>
#include <cstring>
#include <functional>
#include <string>
#include <vector>

#include "cuda/cublas_loader.h"
#include "cuda/cuda_check.h"
#include "cuda/decode_attention.h"
#include "cuda/decode_gemv.h"
#include "cuda/model_kernels.h"

using namespace aspd;

namespace {

struct Shape {
  const char* name;
  int64_t V, E, I, L;
  int32_t H, Hkv, D;
};

Shape shape_named(const std::string& s) {
  if (s == "qwen2.5-7b") return {"qwen2.5-7b", 152064, 3584, 18944, 28, 28, 4, 128};
  if (s == "qwen2.5-0.5b") return {"qwen2.5-0.5b", 151936, 896, 4864, 24, 14, 2, 64};
  std::fprintf(stderr, "unknown shape %s\n", s.c_str());
  std::exit(2);
}

const char* arg(int argc, char** argv, const char* name, const char* fallback) {
  for (int i = 1; i + 1 < argc; ++i)
    if (std::strcmp(argv[i], name) == 0) return argv[i + 1];
  return fallback;
}

template <typename T>
T* device(int64_t n) {
  void* p = nullptr;
  CUDA_CHECK(cudaMalloc(&p, static_cast<size_t>(std::max<int64_t>(n, 1)) * sizeof(T)));
  CUDA_CHECK(cudaMemset(p, 0, static_cast<size_t>(std::max<int64_t>(n, 1)) * sizeof(T)));
  return static_cast<T*>(p);
}

// Mean microseconds per launch of `body` over `reps` launches after a warm-up.
bool g_once = false;  // --once: every kernel launched once, untimed (for a profiler)

double time_us(cudaStream_t s, const std::function<void()>& body, int reps = 200) {
  if (g_once) {
    body();
    CUDA_CHECK(cudaStreamSynchronize(s));
    return 0;
  }
  for (int i = 0; i < 10; ++i) body();
  cudaEvent_t a, b;
  CUDA_CHECK(cudaEventCreate(&a));
  CUDA_CHECK(cudaEventCreate(&b));
  CUDA_CHECK(cudaEventRecord(a, s));
  for (int i = 0; i < reps; ++i) body();
  CUDA_CHECK(cudaEventRecord(b, s));
  CUDA_CHECK(cudaEventSynchronize(b));
  CUDA_CHECK(cudaGetLastError());
  float ms = 0;
  CUDA_CHECK(cudaEventElapsedTime(&ms, a, b));
  cudaEventDestroy(a);
  cudaEventDestroy(b);
  return 1000.0 * ms / reps;
}

}  // namespace

int main(int argc, char** argv) {
  const Shape sh = shape_named(arg(argc, argv, "--shape", "qwen2.5-0.5b"));
  const char* json_path = arg(argc, argv, "--json", "");
  for (int i = 1; i < argc; ++i) g_once |= std::strcmp(argv[i], "--once") == 0;
  cudaDeviceProp prop{};
  CUDA_CHECK(cudaGetDeviceProperties(&prop, 0));
  std::string why;
  const CublasApi* blas = cublas_api(&why);
  if (blas == nullptr) std::printf("no cuBLAS (%s): cuBLAS rows skipped\n", why.c_str());
  cudaStream_t s;
  CUDA_CHECK(cudaStreamCreateWithFlags(&s, cudaStreamNonBlocking));
  void* handle = nullptr;
  if (blas != nullptr) {
    if (blas->create(&handle) != 0) return 1;
    blas->set_stream(handle, s);
    void* ws = device<char>(32 << 20);
    blas->set_workspace(handle, ws, 32u << 20);
  }
  const int64_t E = sh.E, I = sh.I, V = sh.V, QKV = (sh.H + 2 * sh.Hkv) * static_cast<int64_t>(sh.D),
                QD = static_cast<int64_t>(sh.H) * sh.D, ctx = 768, Mmax = 16;
  bf16 *wqkv = device<bf16>(QKV * E), *wo = device<bf16>(E * QD), *wgu = device<bf16>(2 * I * E),
       *wd = device<bf16>(E * I), *head = device<bf16>(V * E);
  uint64_t seed = 1;
  for (auto [w, n, fan] : {std::tuple{wqkv, QKV * E, E}, std::tuple{wo, E * QD, QD}, std::tuple{wgu, 2 * I * E, E},
                           std::tuple{wd, E * I, I}, std::tuple{head, V * E, E}})
    CUDA_CHECK(launch_fill_normal_bf16(w, n, ++seed, 0.f, 1.f / std::sqrt(static_cast<float>(fan)), s));
  float *x = device<float>(Mmax * E), *tmp = device<float>(Mmax * E), *y = device<float>(Mmax * std::max(V, 2 * I)),
        *y2 = device<float>(Mmax * V), *norm_w = device<float>(E), *bias = device<float>(QKV),
        *sumsq = device<float>(Mmax * residual_sumsq_slots(E)),
        *rope_table = device<float>(Mmax * sh.D);
  const ArgmaxScratch argmax_scratch{device<float>(Mmax * kArgmaxBlocks), device<int32_t>(Mmax * kArgmaxBlocks),
                                     device<int32_t>(Mmax)};
  bf16 *h = device<bf16>(Mmax * std::max(E, I)), *q = device<bf16>(Mmax * QD), *attn = device<bf16>(Mmax * QD),
       *act = device<bf16>(Mmax * I), *kc = device<bf16>((ctx + Mmax) * sh.Hkv * sh.D),
       *vc = device<bf16>((ctx + Mmax) * sh.Hkv * sh.D);
  CUDA_CHECK(launch_fill_normal_f32(x, Mmax * E, ++seed, 0.f, 1.f, s));
  CUDA_CHECK(launch_fill_normal_f32(tmp, Mmax * E, ++seed, 0.f, 1.f, s));  // the residual the epilogues add to
  CUDA_CHECK(launch_fill_normal_f32(norm_w, E, ++seed, 1.f, 0.1f, s));
  CUDA_CHECK(launch_fill_normal_bf16(h, Mmax * std::max(E, I), ++seed, 0.f, 1.f, s));
  CUDA_CHECK(launch_fill_normal_bf16(kc, (ctx + Mmax) * sh.Hkv * sh.D, ++seed, 0.f, 1.f, s));
  CUDA_CHECK(launch_fill_normal_bf16(vc, (ctx + Mmax) * sh.Hkv * sh.D, ++seed, 0.f, 1.f, s));
  EntryTags tags{device<int32_t>(ctx + Mmax), device<int32_t>(ctx + Mmax), device<int32_t>(ctx + Mmax)};
  {
    std::vector<int32_t> pos(ctx + Mmax), grp(ctx + Mmax, -1), br(ctx + Mmax, 0);
    for (int64_t i = 0; i < ctx + Mmax; ++i) pos[i] = static_cast<int32_t>(i);
    CUDA_CHECK(cudaMemcpy(tags.position, pos.data(), pos.size() * 4, cudaMemcpyHostToDevice));
    CUDA_CHECK(cudaMemcpy(tags.group, grp.data(), grp.size() * 4, cudaMemcpyHostToDevice));
    CUDA_CHECK(cudaMemcpy(tags.branch, br.data(), br.size() * 4, cudaMemcpyHostToDevice));
  }
  const int sms = prop.multiProcessorCount;
  const GemvPlan p_qkv = plan_decode_gemv(GemvEpilogue::kRopeAppend, QKV, E, sh.D, sms),
                 p_o = plan_decode_gemv(GemvEpilogue::kAddResidual, E, QD, 0, sms),
                 p_gu = plan_decode_gemv(GemvEpilogue::kSiluMul, 2 * I, E, 0, sms),
                 p_down = plan_decode_gemv(GemvEpilogue::kAddResidual, E, I, 0, sms),
                 p_head = plan_decode_gemv(GemvEpilogue::kStore, V, E, 0, sms);
  for (const GemvPlan* p : {&p_qkv, &p_o, &p_gu, &p_down, &p_head})
    std::printf("plan: rows/block %d, row blocks %d, splits %d, %s (%d chunk slots)\n", p->rows_per_block,
                p->row_blocks, p->splits, p->resident ? "resident" : "pipelined", p->stages);
  std::printf("%s on %s (%d SMs); weights per layer %.1f MB, LM head %.1f MB\n", sh.name, prop.name, sms,
              2.0 * (QKV * E + E * QD + 2 * I * E + E * I) / 1e6, 2.0 * V * E / 1e6);

  auto gemm = [&](const bf16* xin, const bf16* w, int64_t M, int64_t N, int64_t K, float* out) {
    const float one = 1.f, zero = 0.f;
    blas->gemm_ex(handle, kCublasOpT, kCublasOpN, static_cast<int>(N), static_cast<int>(M), static_cast<int>(K), &one,
                  w, CUDA_R_16BF, static_cast<int>(K), xin, CUDA_R_16BF, static_cast<int>(K), &zero, out, CUDA_R_32F,
                  static_cast<int>(N), kCublasCompute32F, kCublasGemmDefault);
  };

  std::string json = std::string("{\"shape\": \"") + sh.name + "\", \"gpu\": \"" + prop.name + "\", \"rows\": [";
  for (int32_t M : {1, 8, 16}) {
    std::vector<int32_t> io_host(StepIoView::ints(M));
    io_host[0] = static_cast<int32_t>(ctx);
    for (int32_t r = 0; r < M; ++r) {
      io_host[1 + r] = r;                              // ids
      io_host[1 + M + r] = static_cast<int32_t>(ctx);  // positions
      io_host[1 + 2 * M + r] = M == 1 ? -1 : 0;        // group
      io_host[1 + 3 * M + r] = M == 1 ? 0 : r + 1;     // branch
    }
    int32_t* io_dev = device<int32_t>(static_cast<int64_t>(io_host.size()));
    CUDA_CHECK(cudaMemcpy(io_dev, io_host.data(), io_host.size() * 4, cudaMemcpyHostToDevice));
    const StepIoView io{io_dev, M};
    // x, the sums of squares for the norm prologue, the RoPE table and the tags as a decode step's
    // prologue leaves them.
    CUDA_CHECK(launch_decode_prologue(head, io, E, x, tags, sh.D, 1e6, rope_table, s, sumsq, residual_sumsq_slots(E)));
    GemvInput normed;
    normed.residual = x, normed.norm_weight = norm_w, normed.sumsq = sumsq,
    normed.sumsq_slots = residual_sumsq_slots(E), normed.eps = 1e-6f;
    GemvInput plain_act, plain_attn;
    plain_act.x = act;
    plain_attn.x = attn;
    GemvOutput rope;
    rope.kind = GemvEpilogue::kRopeAppend, rope.bias = bias, rope.io = io, rope.H = sh.H, rope.Hkv = sh.Hkv,
    rope.D = sh.D, rope.rope = rope_table, rope.q = q, rope.k_cache = kc, rope.v_cache = vc;
    GemvOutput resid;
    resid.kind = GemvEpilogue::kAddResidual, resid.residual = tmp, resid.sumsq_out = sumsq;
    GemvOutput silu;
    silu.kind = GemvEpilogue::kSiluMul, silu.act = act;
    GemvOutput store;
    store.y = y;
    const float scale = 1.f / std::sqrt(static_cast<float>(sh.D));
    DecodeQkv cached_q;  // q and the new entries already in place (the fused path)
    cached_q.q = q;
    DecodeQkv fresh;     // from the QKV product (the default path: bias, RoPE and append inside)
    fresh.qkv = y, fresh.bias = bias, fresh.rope = rope_table;

    int32_t* am = device<int32_t>(Mmax);
    struct Op {
      std::string name;
      std::function<void()> body;
      bool per_layer;
    };
    std::vector<Op> unfused = {
        {"rms_norm x2", [&] { launch_rms_norm(x, nullptr, norm_w, M, E, 1e-6f, h, s); launch_rms_norm(x, nullptr, norm_w, M, E, 1e-6f, h, s); }, true},
        {"gemm qkv", [&] { gemm(h, wqkv, M, QKV, E, y); }, true},
        {"qkv_rope_append (prefill only)", [&] { launch_qkv_rope_append(y, bias, io, sh.H, sh.Hkv, sh.D, 1e6, q, kc, vc, s); }, false},
        {"attention (one block per row, head)", [&] { launch_cache_attention(q, kc, vc, tags, io, sh.H, sh.Hkv, sh.D, scale, attn, s); }, false},
        {"decode attention (+bias, RoPE, append)", [&] { launch_decode_attention(fresh, kc, vc, tags, io, sh.H, sh.Hkv, sh.D, scale, attn, s); }, true},
        {"gemm o", [&] { gemm(attn, wo, M, E, QD, tmp); }, true},
        {"gemm gate_up", [&] { gemm(h, wgu, M, 2 * I, E, y); }, true},
        {"silu_mul", [&] { launch_silu_mul(y, M, I, 0, act, s); }, true},
        {"gemm down", [&] { gemm(act, wd, M, E, I, tmp); }, true},
        {"gemm lm_head", [&] { gemm(h, head, M, V, E, y); }, false},
        {"argmax", [&] { launch_argmax(y, M, V, argmax_scratch, am, s); }, false},
    };
    if (blas == nullptr) unfused.clear();
    std::vector<Op> fused = {
        {"fused qkv (norm, rope, append)", [&] { launch_decode_gemv(wqkv, QKV, E, M, normed, rope, p_qkv, s); }, true},
        {"decode attention", [&] { launch_decode_attention(cached_q, kc, vc, tags, io, sh.H, sh.Hkv, sh.D, scale, attn, s); }, true},
        {"fused o (+residual)", [&] { launch_decode_gemv(wo, E, QD, M, plain_attn, resid, p_o, s); }, true},
        {"fused gate_up (norm, silu)", [&] { launch_decode_gemv(wgu, 2 * I, E, M, normed, silu, p_gu, s); }, true},
        {"fused down (+residual)", [&] { launch_decode_gemv(wd, E, I, M, plain_act, resid, p_down, s); }, true},
        {"fused lm_head (norm)", [&] { store.y = y; launch_decode_gemv(head, V, E, M, normed, store, p_head, s); }, false},
        {"argmax", [&] { launch_argmax(y, M, V, argmax_scratch, am, s); }, false},
    };
    for (auto [label, ops] : {std::pair{"unfused", &unfused}, std::pair{"fused", &fused}}) {
      if (ops->empty()) continue;
      double layer = 0, once = 0;
      std::printf("M=%d %s:\n", M, label);
      for (Op& op : *ops) {
        const double us = time_us(s, op.body);
        if (op.name.rfind("attention (", 0) != 0) (op.per_layer ? layer : once) += us;  // reference only
        std::printf("  %-32s %8.2f us%s\n", op.name.c_str(), us, op.per_layer ? " (per layer)" : "");
        json += "{\"M\": " + std::to_string(M) + ", \"path\": \"" + label + "\", \"op\": \"" + op.name +
                "\", \"us\": " + std::to_string(us) + "},";
      }
      std::printf("  => layer %.1f us, step estimate %.3f ms (%lld layers + head)\n", layer,
                  (layer * static_cast<double>(sh.L) + once) / 1000.0, static_cast<long long>(sh.L));
    }
    // Checks: the decode attention against the one-block-per-row kernel on the same cache, with q
    // and the new entries in place, and built from a QKV product (bias + RoPE + append kernel first
    // for the reference).
    CUDA_CHECK(launch_fill_normal_f32(y, M * QKV, ++seed, 0.f, 1.f, s));
    CUDA_CHECK(launch_fill_normal_f32(bias, QKV, ++seed, 0.f, 0.1f, s));
    for (const DecodeQkv& in : {cached_q, fresh}) {
      std::vector<uint16_t> a(M * QD), b(M * QD);
      CUDA_CHECK(launch_qkv_rope_append(y, bias, io, sh.H, sh.Hkv, sh.D, 1e6, q, kc, vc, s));
      CUDA_CHECK(launch_cache_attention(q, kc, vc, tags, io, sh.H, sh.Hkv, sh.D, scale, attn, s));
      CUDA_CHECK(cudaMemcpyAsync(a.data(), attn, a.size() * 2, cudaMemcpyDeviceToHost, s));
      CUDA_CHECK(launch_decode_attention(in, kc, vc, tags, io, sh.H, sh.Hkv, sh.D, scale, attn, s));
      CUDA_CHECK(cudaMemcpyAsync(b.data(), attn, b.size() * 2, cudaMemcpyDeviceToHost, s));
      CUDA_CHECK(cudaStreamSynchronize(s));
      auto f = [](uint16_t bits) {
        uint32_t u = static_cast<uint32_t>(bits) << 16;
        float x;
        std::memcpy(&x, &u, 4);
        return x;
      };
      double d = 0, mag = 0;
      for (size_t i = 0; i < a.size(); ++i) d = std::max(d, std::fabs(double(f(a[i])) - f(b[i]))), mag = std::max(mag, std::fabs(double(f(a[i]))));
      std::printf("  check decode attention (%s) vs per-row kernel: max |diff| %.2e (max |out| %.2f)\n",
                  in.qkv != nullptr ? "from the QKV product" : "q in place", d, mag);
      if (d > 2e-2 * std::max(1.0, mag)) {
        std::printf("FAILED: decode attention disagrees\n");
        return 1;
      }
    }
    // Check: fused LM head (plain bf16 input) against cuBLAS on the same input.
    if (blas != nullptr) {
      GemvInput plain_h;
      plain_h.x = h;
      store.y = y2;
      CUDA_CHECK(launch_decode_gemv(head, V, E, M, plain_h, store, p_head, s));
      gemm(h, head, M, V, E, y);
      CUDA_CHECK(launch_fill_normal_bf16(act, Mmax * I, ++seed, 0.f, 1.f, s));
      GemvOutput st2;
      st2.y = tmp;
      CUDA_CHECK(launch_decode_gemv(wd, E, I, M, plain_act, st2, plan_decode_gemv(GemvEpilogue::kStore, E, I, 0, sms),
                                    s));
      gemm(act, wd, M, E, I, x);
      CUDA_CHECK(cudaStreamSynchronize(s));
      auto max_diff = [&](const float* a, const float* b, int64_t n) {
        std::vector<float> ha(n), hb(n);
        CUDA_CHECK(cudaMemcpy(ha.data(), a, n * 4, cudaMemcpyDeviceToHost));
        CUDA_CHECK(cudaMemcpy(hb.data(), b, n * 4, cudaMemcpyDeviceToHost));
        double d = 0, mag = 0;
        for (int64_t i = 0; i < n; ++i) d = std::max(d, std::fabs(double(ha[i]) - hb[i])), mag = std::max(mag, std::fabs(double(hb[i])));
        return std::pair{d, mag};
      };
      const auto [dh, mh] = max_diff(y2, y, M * V);
      const auto [dd, md] = max_diff(tmp, x, M * E);
      std::printf("  check vs cuBLAS: lm_head max |diff| %.2e (max |y| %.2f); down (split K) %.2e (max |y| %.2f)\n", dh,
                  mh, dd, md);
      json += "{\"M\": " + std::to_string(M) + ", \"check_lm_head\": " + std::to_string(dh) +
              ", \"check_down\": " + std::to_string(dd) + "},";
      if (dh > 1e-2 * std::max(1.0, mh) || dd > 1e-2 * std::max(1.0, md)) {
        std::printf("FAILED: fused product disagrees with cuBLAS\n");
        return 1;
      }
      CUDA_CHECK(launch_fill_normal_f32(x, Mmax * E, ++seed, 0.f, 1.f, s));
    }
  }
  if (json.back() == ',') json.pop_back();
  json += "]}\n";
  if (*json_path != '\0') {
    FILE* f = std::fopen(json_path, "w");
    if (f != nullptr) {
      std::fputs(json.c_str(), f);
      std::fclose(f);
    }
  }
  return 0;
}
