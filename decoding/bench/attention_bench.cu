// Prefill benchmark of the branch-aware CUDA kernels on the layout
//   serial 512 + 128 | group 6 x 256 | serial 256 | group 4 x 384 | serial 128   (T = 4096)
// with H = 16 query heads (Hkv = 16 unless --hkv N), D = 128, bf16 inputs, fp32 accumulation.
// Per kernel (kWgmma with its default tuning, then each of its tunings, where the GPU and build
// have it; kMma, kMmaQRegs, kMma64, kTiled; style: no timing before the check passes):
//   1) one run with the tile counters; max error vs the float64 CPU reference on a strided subset
//      of rows (all heads); a kernel above tolerance is reported and not timed;
//   2) timing with CUDA events after warm-up: --iters samples of --reps back-to-back launches
//      each (so host launch gaps do not count), median per launch. A launch includes the tile
//      summary kernel (launch_prefill).
// TFLOP/s counts only allowed query-key pairs: 4 * D * H * pairs (QK^T and PV, 2 flops per MAC).
//   usage: aspd_attention_bench [--hkv N] [--iters N] [--reps N] [--row-stride N] [--fp16]
//                               [--kernel wgmma|mma|mma-qregs|mma64|tiled|all] [--json FILE]
//   (--kernel wgmma: the default tuning and every wgmma:<tuning>; --kernel wgmma:<tuning>: one)
#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <random>
#include <string>
#include <vector>

#include <cuda_bf16.h>
#include <cuda_fp16.h>

#include "core/attention_reference.h"
#include "core/visibility.h"
#include "cuda/attention_kernels.h"
#include "cuda/cuda_check.h"

using namespace aspd;

namespace {

struct Options {
  int32_t hkv = 16;
  int iters = 21;
  int reps = 10;
  int row_stride = 37;
  bool fp16 = false;
  std::string kernel = "all";
  std::string json;
};

struct KernelResult {
  std::string name;
  const char* tile_unit;
  double max_error = 0.0;
  bool ok = false;
  unsigned long long skipped = 0, unmasked = 0, masked = 0;
  double ms_median = 0.0, ms_min = 0.0, ms_max = 0.0, tflops = 0.0;
};

// Labels straight from the layout (no token ids needed): main = (-1, 0).
void build_layout(std::vector<int32_t>* group, std::vector<int32_t>* branch) {
  int32_t next_group = 0, next_branch = 0;
  auto serial = [&](int n) {
    for (int i = 0; i < n; ++i) { group->push_back(-1); branch->push_back(0); }
  };
  auto parallel = [&](int k, int len) {
    for (int b = 0; b < k; ++b) {
      ++next_branch;
      for (int i = 0; i < len; ++i) { group->push_back(next_group); branch->push_back(next_branch); }
    }
    ++next_group;
  };
  serial(512 + 128);
  parallel(6, 256);
  serial(256);
  parallel(4, 384);
  serial(128);
}

Options parse_options(int argc, char** argv) {
  Options o;
  for (int i = 1; i < argc; ++i) {
    const std::string a = argv[i];
    const bool has_value = i + 1 < argc;
    if (a == "--fp16") o.fp16 = true;
    else if (a == "--hkv" && has_value) o.hkv = std::atoi(argv[++i]);
    else if (a == "--iters" && has_value) o.iters = std::atoi(argv[++i]);
    else if (a == "--reps" && has_value) o.reps = std::atoi(argv[++i]);
    else if (a == "--row-stride" && has_value) o.row_stride = std::atoi(argv[++i]);
    else if (a == "--kernel" && has_value) o.kernel = argv[++i];
    else if (a == "--json" && has_value) o.json = argv[++i];
    else {
      std::fprintf(stderr, "unknown or incomplete option %s\n", a.c_str());
      std::exit(2);
    }
  }
  if (o.hkv <= 0 || 16 % o.hkv != 0 || o.iters <= 0 || o.reps <= 0 || o.row_stride <= 0) {
    std::fprintf(stderr, "--hkv must divide 16; --iters, --reps, --row-stride must be positive\n");
    std::exit(2);
  }
  return o;
}

std::vector<uint16_t> to_half_bits(const std::vector<float>& x, bool fp16) {
  std::vector<uint16_t> out(x.size());
  for (size_t i = 0; i < x.size(); ++i) {
    out[i] = fp16 ? __half_as_ushort(__float2half_rn(x[i])) : __bfloat16_as_ushort(__float2bfloat16_rn(x[i]));
  }
  return out;
}

void write_json(const std::string& path, const char* device, const Options& o, int64_t T, int32_t H,
                int32_t D, long long pairs, const std::vector<KernelResult>& results) {
  FILE* f = std::fopen(path.c_str(), "w");
  if (f == nullptr) {
    std::fprintf(stderr, "cannot write %s\n", path.c_str());
    std::exit(1);
  }
  std::fprintf(f, "{\n  \"device\": \"%s\",\n  \"layout\": \"serial 640 | group 6x256 | serial 256 | "
                  "group 4x384 | serial 128\",\n", device);
  std::fprintf(f, "  \"T\": %lld, \"H\": %d, \"Hkv\": %d, \"D\": %d, \"dtype\": \"%s\",\n",
               static_cast<long long>(T), H, o.hkv, D, o.fp16 ? "fp16" : "bf16");
  std::fprintf(f, "  \"allowed_pairs\": %lld, \"iters\": %d, \"reps\": %d,\n  \"kernels\": [\n", pairs,
               o.iters, o.reps);
  for (size_t i = 0; i < results.size(); ++i) {
    const KernelResult& r = results[i];
    std::fprintf(f,
                 "    {\"name\": \"%s\", \"ok\": %s, \"max_error\": %.6e, \"ms_median\": %.6f, "
                 "\"ms_min\": %.6f, \"ms_max\": %.6f, \"tflops\": %.3f, \"tile_unit\": \"%s\", "
                 "\"tiles_skipped\": %llu, \"tiles_unmasked\": %llu, \"tiles_masked\": %llu}%s\n",
                 r.name.c_str(), r.ok ? "true" : "false", r.max_error, r.ms_median, r.ms_min, r.ms_max, r.tflops,
                 r.tile_unit, r.skipped, r.unmasked, r.masked, i + 1 < results.size() ? "," : "");
  }
  std::fprintf(f, "  ]\n}\n");
  std::fclose(f);
}

int run(const Options& o) {
  const int32_t H = 16, D = 128, Hkv = o.hkv;
  const DType dtype = o.fp16 ? DType::kFp16 : DType::kBf16;
  std::vector<int32_t> group, branch;
  build_layout(&group, &branch);
  const int64_t T = static_cast<int64_t>(group.size());
  const PrefillDims dims{T, H, Hkv, D};
  long long pairs = 0;
  for (int64_t i = 0; i < T; ++i)
    for (int64_t j = 0; j <= i; ++j) pairs += packed_visible(i, j, group[i], branch[i], group[j], branch[j]);

  cudaDeviceProp prop{};
  CUDA_CHECK(cudaGetDeviceProperties(&prop, 0));

  // Inputs rounded to the dtype on the host, so the reference sees exactly what the GPU sees.
  std::mt19937 rng(1);
  std::normal_distribution<float> normal(0.f, 1.f);
  auto random_rounded = [&](size_t n) {
    std::vector<float> x(n);
    for (float& e : x) e = normal(rng);
    const std::vector<uint16_t> bits = to_half_bits(x, o.fp16);
    for (size_t i = 0; i < n; ++i)
      x[i] = o.fp16 ? __half2float(__ushort_as_half(bits[i])) : __bfloat162float(__ushort_as_bfloat16(bits[i]));
    return x;
  };
  const std::vector<float> q = random_rounded(T * H * D), k = random_rounded(T * Hkv * D),
                           v = random_rounded(T * Hkv * D);
  const float scale = 1.f / std::sqrt(static_cast<float>(D));

  // Reference rows 0, stride, 2 * stride, ... plus the last row, all heads.
  std::vector<int64_t> rows;
  for (int64_t i = 0; i < T; i += o.row_stride) rows.push_back(i);
  rows.push_back(T - 1);
  std::vector<double> want(rows.size() * H * D);
  for (size_t r = 0; r < rows.size(); ++r)
    for (int32_t h = 0; h < H; ++h)
      prefill_reference_row(q.data(), k.data(), v.data(), group.data(), branch.data(), dims, scale, rows[r], h,
                            want.data() + (r * H + h) * D);

  void *dq, *dk, *dv;
  int32_t *dg, *db;
  TileLabels* dtiles;
  float* dout;
  unsigned long long* dcounts;
  CUDA_CHECK(cudaMalloc(&dq, q.size() * 2));
  CUDA_CHECK(cudaMalloc(&dk, k.size() * 2));
  CUDA_CHECK(cudaMalloc(&dv, v.size() * 2));
  CUDA_CHECK(cudaMalloc(&dg, T * 4));
  CUDA_CHECK(cudaMalloc(&db, T * 4));
  CUDA_CHECK(cudaMalloc(&dtiles, ((T + kPrefillTile - 1) / kPrefillTile) * sizeof(TileLabels)));
  CUDA_CHECK(cudaMalloc(&dout, q.size() * 4));
  CUDA_CHECK(cudaMalloc(&dcounts, 3 * sizeof(unsigned long long)));
  CUDA_CHECK(cudaMemcpy(dq, to_half_bits(q, o.fp16).data(), q.size() * 2, cudaMemcpyHostToDevice));
  CUDA_CHECK(cudaMemcpy(dk, to_half_bits(k, o.fp16).data(), k.size() * 2, cudaMemcpyHostToDevice));
  CUDA_CHECK(cudaMemcpy(dv, to_half_bits(v, o.fp16).data(), v.size() * 2, cudaMemcpyHostToDevice));
  CUDA_CHECK(cudaMemcpy(dg, group.data(), T * 4, cudaMemcpyHostToDevice));
  CUDA_CHECK(cudaMemcpy(db, branch.data(), T * 4, cudaMemcpyHostToDevice));
  cudaEvent_t start, stop;
  CUDA_CHECK(cudaEventCreate(&start));
  CUDA_CHECK(cudaEventCreate(&stop));

  const double tol = o.fp16 ? 5e-3 : 3e-2;
  const double flops = 4.0 * D * H * static_cast<double>(pairs);
  std::printf("device %s; layout T=%lld H=%d Hkv=%d D=%d %s; allowed pairs %lld of %lld causal (%.1f%%)\n",
              prop.name, static_cast<long long>(T), H, Hkv, D, o.fp16 ? "fp16" : "bf16", pairs,
              static_cast<long long>(T * (T + 1) / 2), 100.0 * pairs / (T * (T + 1) / 2.0));
  std::printf("reference: %zu rows x %d heads; tolerance %.1e\n", rows.size(), H, tol);

  // kWgmma once per tuning (the default one is plain "wgmma"), then the other kernels.
  struct Choice { PrefillKernel kernel; std::string name; const char* unit; int tuning; };
  std::vector<Choice> choices;
  choices.push_back({PrefillKernel::kWgmma, "wgmma", "64 rows x 64 keys", -1});
  for (int t = 0; t < prefill_wgmma_tuning_count(); ++t)
    choices.push_back({PrefillKernel::kWgmma, "wgmma:" + prefill_wgmma_tuning_name(t), "64 rows x 64 keys", t});
  choices.push_back({PrefillKernel::kMma, "mma", "32 rows x 64 keys", -1});
  choices.push_back({PrefillKernel::kMmaQRegs, "mma-qregs", "16 rows x 64 keys", -1});
  choices.push_back({PrefillKernel::kMma64, "mma64", "16 rows x 64 keys", -1});
  choices.push_back({PrefillKernel::kTiled, "tiled", "64 rows x 64 keys", -1});
  std::vector<KernelResult> results;
  bool all_ok = true;
  for (const Choice& c : choices) {
    if (o.kernel != "all" && o.kernel != c.name && c.name.rfind(o.kernel + ":", 0) != 0) continue;
    prefill_wgmma_set_tuning(c.tuning);
    if (c.kernel == PrefillKernel::kWgmma && !prefill_wgmma_usable(dtype, D)) {
      std::printf("[SKIP] %s: not usable on this device or build (needs sm_90a code on a CC 9.0 GPU)\n",
                  c.name.c_str());
      continue;
    }
    KernelResult r;
    r.name = c.name;
    r.tile_unit = c.unit;
    // 1) correctness, with the tile counters.
    CUDA_CHECK(cudaMemset(dout, 0xFF, q.size() * 4));  // NaN: rows the kernel misses cannot pass
    CUDA_CHECK(cudaMemset(dcounts, 0, 3 * sizeof(unsigned long long)));
    PrefillTileCounters counters;
    counters.skipped = dcounts;
    counters.unmasked = dcounts + 1;
    counters.masked = dcounts + 2;
    CUDA_CHECK(launch_prefill(c.kernel, dtype, dq, dk, dv, dg, db, dtiles, dims, scale, dout, counters, nullptr));
    CUDA_CHECK(cudaDeviceSynchronize());
    std::vector<float> out(q.size());
    unsigned long long counts[3];
    CUDA_CHECK(cudaMemcpy(out.data(), dout, out.size() * 4, cudaMemcpyDeviceToHost));
    CUDA_CHECK(cudaMemcpy(counts, dcounts, sizeof(counts), cudaMemcpyDeviceToHost));
    r.skipped = counts[0];
    r.unmasked = counts[1];
    r.masked = counts[2];
    for (size_t i = 0; i < rows.size(); ++i)
      for (int32_t h = 0; h < H; ++h)
        for (int32_t d = 0; d < D; ++d) {
          const double got = out[(rows[i] * H + h) * D + d];
          const double diff = std::fabs(got - want[(i * H + h) * D + d]);
          if (!std::isnan(r.max_error) && !(diff <= r.max_error)) r.max_error = diff;  // a NaN sticks
        }
    r.ok = r.max_error <= tol;
    std::printf("[%s] %-9s max |error| %.3e; tiles (%s) skipped %llu, unmasked %llu, masked %llu\n",
                r.ok ? " OK " : "FAIL", c.name.c_str(), r.max_error, c.unit, r.skipped, r.unmasked, r.masked);
    all_ok &= r.ok;
    if (!r.ok) {
      std::printf("        error above tolerance: not timed\n");
      results.push_back(r);
      continue;
    }
    // 2) timing.
    const PrefillTileCounters none;
    for (int w = 0; w < 3; ++w)
      CUDA_CHECK(launch_prefill(c.kernel, dtype, dq, dk, dv, dg, db, dtiles, dims, scale, dout, none, nullptr));
    std::vector<float> ms(o.iters);
    for (int it = 0; it < o.iters; ++it) {
      CUDA_CHECK(cudaEventRecord(start));
      for (int rep = 0; rep < o.reps; ++rep)
        CUDA_CHECK(launch_prefill(c.kernel, dtype, dq, dk, dv, dg, db, dtiles, dims, scale, dout, none, nullptr));
      CUDA_CHECK(cudaEventRecord(stop));
      CUDA_CHECK(cudaEventSynchronize(stop));
      CUDA_CHECK(cudaEventElapsedTime(&ms[it], start, stop));
      ms[it] /= static_cast<float>(o.reps);
    }
    std::sort(ms.begin(), ms.end());
    r.ms_median = ms[o.iters / 2];
    r.ms_min = ms.front();
    r.ms_max = ms.back();
    r.tflops = flops / (r.ms_median * 1e-3) / 1e12;
    std::printf("        time per launch: median %.4f ms (min %.4f, max %.4f; %d samples x %d launches), "
                "%.1f TFLOP/s on allowed pairs\n",
                r.ms_median, r.ms_min, r.ms_max, o.iters, o.reps, r.tflops);
    results.push_back(r);
  }
  if (!o.json.empty()) write_json(o.json, prop.name, o, T, H, D, pairs, results);

  CUDA_CHECK(cudaEventDestroy(stop));
  CUDA_CHECK(cudaEventDestroy(start));
  CUDA_CHECK(cudaFree(dcounts));
  CUDA_CHECK(cudaFree(dout));
  CUDA_CHECK(cudaFree(dtiles));
  CUDA_CHECK(cudaFree(db));
  CUDA_CHECK(cudaFree(dg));
  CUDA_CHECK(cudaFree(dv));
  CUDA_CHECK(cudaFree(dk));
  CUDA_CHECK(cudaFree(dq));
  return all_ok ? 0 : 1;
}

}  // namespace

int main(int argc, char** argv) { return run(parse_options(argc, argv)); }
