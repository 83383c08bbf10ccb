// CUDA kernels vs the float64 CPU reference on the same random shapes as the CPU tests, plus
// hand-made layouts for the edges of the kMma prefill kernel; every prefill check runs all
// prefill kernels (kWgmma where usable, kMma, kMmaQRegs, kMma64, kTiled) on the same inputs.
// Exits 77 (ctest: skipped) with the CUDA error string when no usable GPU is present.
// Inputs lie on a 1/64 grid, exact in bf16 and fp16, so the only rounding is the kernel's own
// (P rounded to the input dtype before P V): tolerances are set for that.
#include <cmath>
#include <cstdio>
#include <random>
#include <string>
#include <utility>
#include <vector>

#include "attention_check.h"
#include "core/attention_reference.h"
#include "core/layout.h"
#include "cuda/gpu_attention.h"
#include "random_layouts.h"

using namespace aspd;
using namespace aspd::testing;

namespace {

struct Shape {
  int32_t H, Hkv, D;
  SampleSpec spec;
};

// Labels of a random well-formed sample, through the real layout code.
Labels sample_labels(std::mt19937& rng, const SampleSpec& spec) {
  const SpecialTokens st = random_specials(rng, 5000);
  const GeneratedSample g = generate_sample(rng, st, 5000, spec);
  SampleLayout layout;
  LayoutError err;
  if (!compute_layout(g.ids.data(), g.ids.size(), st, 5000, &layout, &err)) throw mini::Failure(err.message);
  return Labels{layout.group_id, layout.branch_id};
}

const char* kernel_name(PrefillKernel kernel) {
  switch (kernel) {
    case PrefillKernel::kMma: return "mma";
    case PrefillKernel::kMmaQRegs: return "mma-qregs";
    case PrefillKernel::kMma64: return "mma64";
    case PrefillKernel::kTiled: return "tiled";
    case PrefillKernel::kWgmma: return "wgmma";
  }
  return "?";
}

// One input set, the float64 reference once, then every prefill kernel against it.
// q_gain (a power of two, so the 1/64 grid stays exact) peaks the softmax.
int run_prefill(GpuContext* ctx, DType dtype, std::mt19937& rng, int32_t H, int32_t Hkv, int32_t D,
                const Labels& labels, float q_gain) {
  const PrefillDims dims{static_cast<int64_t>(labels.group.size()), H, Hkv, D};
  std::vector<float> q = grid_floats(rng, dims.T * H * D);
  for (float& x : q) x *= q_gain;
  const std::vector<float> k = grid_floats(rng, dims.T * Hkv * D);
  const std::vector<float> v = grid_floats(rng, dims.T * Hkv * D);
  const double scale = 1.0 / std::sqrt(static_cast<double>(D));
  std::vector<double> want(q.size());
  prefill_reference(q.data(), k.data(), v.data(), labels.group.data(), labels.branch.data(), dims, scale,
                    want.data());
  const double atol = dtype == DType::kBf16 ? 2e-2 : 4e-3;
  int failed = 0;
  // kWgmma once per tuning (it falls back to kMma where it cannot run: only its own runs count).
  std::vector<std::pair<PrefillKernel, int>> runs;
  for (int t = 0; t < prefill_wgmma_tuning_count(); ++t) runs.emplace_back(PrefillKernel::kWgmma, t);
  for (PrefillKernel kernel : {PrefillKernel::kMma, PrefillKernel::kMmaQRegs, PrefillKernel::kMma64, PrefillKernel::kTiled})
    runs.emplace_back(kernel, -1);
  for (const auto& [kernel, tuning] : runs) {
    prefill_wgmma_set_tuning(tuning);
    if (kernel == PrefillKernel::kWgmma && !prefill_wgmma_usable(dtype, D)) continue;
    const std::string name =
        kernel == PrefillKernel::kWgmma ? "wgmma:" + prefill_wgmma_tuning_name(tuning) : kernel_name(kernel);
    const std::string what = name + " " + (dtype == DType::kBf16 ? "bf16" : "fp16") +
                             " prefill T=" + std::to_string(dims.T) + " H=" + std::to_string(H) +
                             " Hkv=" + std::to_string(Hkv) + " D=" + std::to_string(D);
    try {
      std::vector<float> got(q.size(), std::nanf(""));
      long long skipped = 0;
      std::string cuda_err;
      if (!gpu_prefill(ctx, dtype, q.data(), k.data(), v.data(), labels.group.data(), labels.branch.data(),
                       dims, static_cast<float>(scale), got.data(), &skipped, &cuda_err, kernel))
        throw mini::Failure(cuda_err);
      const CompareResult r = compare(what, got.data(), want.data(), want.size(), atol, atol);
      std::printf("  %s: max|diff| %.2e, skipped tiles %lld\n", what.c_str(), r.max_abs, skipped);
    } catch (const std::exception& e) {
      ++failed;
      std::printf("[ FAIL ] %s: %s\n", what.c_str(), e.what());
    }
  }
  prefill_wgmma_set_tuning(-1);
  return failed;
}

void run_decode(GpuContext* ctx, DType dtype, std::mt19937& rng, const Shape& s) {
  const SpecialTokens st = random_specials(rng, 5000);
  const GeneratedSample g = generate_sample(rng, st, 5000, s.spec);
  SampleLayout layout;
  LayoutError err;
  if (!compute_layout(g.ids.data(), g.ids.size(), st, 5000, &layout, &err)) throw mini::Failure(err.message);
  const int64_t T = static_cast<int64_t>(g.ids.size());
  const DecodeDims dims{T, T, s.H, s.Hkv, s.D};  // every token as a query against the whole cache
  const TokenTags tags{layout.positions[0].data(), layout.group_id.data(), layout.branch_id.data()};
  const std::vector<float> q = grid_floats(rng, T * s.H * s.D);
  const std::vector<float> k = grid_floats(rng, T * s.Hkv * s.D);
  const std::vector<float> v = grid_floats(rng, T * s.Hkv * s.D);
  const double scale = 1.0 / std::sqrt(static_cast<double>(s.D));
  std::vector<double> want(q.size());
  decode_reference(q.data(), k.data(), v.data(), tags, tags, dims, scale, want.data());
  std::vector<float> got(q.size());
  std::string cuda_err;
  if (!gpu_decode(ctx, dtype, q.data(), k.data(), v.data(), tags, tags, dims, static_cast<float>(scale),
                  got.data(), &cuda_err))
    throw mini::Failure(cuda_err);
  compare("decode D=" + std::to_string(s.D), got.data(), want.data(), want.size(), 1e-4, 1e-4);
}

}  // namespace

int main() {
  std::string err;
  const int devices = gpu_device_count(&err);
  if (devices <= 0) {
    std::printf("SKIP: no usable GPU: %s\n", devices < 0 ? err.c_str() : "0 CUDA devices");
    return 77;
  }
  GpuContext* ctx = create_gpu_context(0, &err);
  if (ctx == nullptr) {
    std::printf("SKIP: %s\n", err.c_str());
    return 77;
  }
  SampleSpec small, long_prefix, long_branches, tiny_branches;
  long_prefix.serial_min = 150;
  long_prefix.serial_max = 400;
  long_prefix.groups_max = 2;
  long_branches.content_min = 60;
  long_branches.content_max = 260;
  long_branches.branches_max = 6;
  tiny_branches.branches_min = 8;
  tiny_branches.content_max = 2;
  tiny_branches.title_max = 1;
  const Shape shapes[] = {{1, 1, 16, small},          {4, 2, 64, small},    {4, 4, 64, long_prefix},
                          {8, 2, 128, long_branches}, {2, 2, 128, small},   {4, 1, 256, long_branches},
                          {6, 3, 32, long_prefix},    {14, 2, 64, tiny_branches},
                          {16, 16, 128, tiny_branches}};
  // Hand-made label layouts for the edges of the kMma kernel (128-row blocks, 16-row warps,
  // 64-key tiles): one token, T < 16, ragged tails, a group at token 0 (rows whose first tiles
  // are all invisible), many tiny branches, long prefixes, GQA ratios 7, 1 and 7 with D = 64/128.
  struct Layout {
    int32_t H, Hkv, D;
    std::vector<std::pair<int, int>> runs;
    float q_gain;
  };
  const Layout layouts[] = {
      {2, 1, 64, {{1, 0}}, 1.f},
      {4, 2, 128, {{3, 0}, {2, 3}, {1, 0}}, 4.f},
      {14, 2, 64, {{60, 0}, {30, 2}, {10, 0}}, 4.f},                // T = 130
      {16, 16, 128, {{50, 3}, {50, 0}}, 2.f},                       // T = 200, group first
      {28, 4, 128, {{20, 0}, {1, 16}, {5, 0}, {2, 12}, {3, 0}, {3, 10}, {40, 0}}, 4.f},
      {28, 4, 64, {{300, 0}, {40, 6}, {160, 0}}, 8.f},              // T = 700
      {16, 16, 64, {{130, 0}, {64, 4}, {1, 0}, {128, 2}, {7, 0}}, 2.f},  // T = 650
      {4, 2, 64, {{2500, 0}, {100, 4}, {100, 0}}, 2.f},             // T = 3000, long prefix
      {2, 1, 128, {{1500, 0}, {129, 5}, {63, 0}}, 1.f},             // T = 2208
      {6, 3, 32, {{17, 0}, {77, 3}, {255, 0}}, 1.f},
  };
  std::mt19937 rng(2024);
  int failed = 0, run = 0;
  for (DType dtype : {DType::kBf16, DType::kFp16}) {
    for (int rep = 0; rep < 2; ++rep)
      for (const Shape& s : shapes) {
        run += 5;  // four prefill kernels, one decode
        failed += run_prefill(ctx, dtype, rng, s.H, s.Hkv, s.D, sample_labels(rng, s.spec), 1.f);
        try {
          run_decode(ctx, dtype, rng, s);
        } catch (const std::exception& e) {
          ++failed;
          std::printf("[ FAIL ] %s\n", e.what());
        }
      }
    for (const Layout& l : layouts) {
      run += 4;
      failed += run_prefill(ctx, dtype, rng, l.H, l.Hkv, l.D, labels_of(l.runs), l.q_gain);
    }
  }
  free_gpu_context(ctx);
  std::printf("%d GPU checks, %d failed\n", run, failed);
  return failed == 0 ? 0 : 1;
}
