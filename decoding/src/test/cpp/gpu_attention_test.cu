// CUDA kernels vs the float64 CPU reference on the same random shapes as the CPU tests.
// Exits 77 (ctest: skipped) with the CUDA error string when no usable GPU is present.
// Inputs lie on a 1/64 grid, exact in bf16 and fp16, so the only rounding is the kernel's own
// (P rounded to the input dtype before P V): tolerances are set for that.
#include <cmath>
#include <cstdio>
#include <random>
#include <string>

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

void run_prefill(GpuContext* ctx, DType dtype, std::mt19937& rng, const Shape& s) {
  const SpecialTokens st = random_specials(rng, 5000);
  const GeneratedSample g = generate_sample(rng, st, 5000, s.spec);
  SampleLayout layout;
  LayoutError err;
  if (!compute_layout(g.ids.data(), g.ids.size(), st, 5000, &layout, &err)) throw mini::Failure(err.message);
  const PrefillDims dims{static_cast<int64_t>(g.ids.size()), s.H, s.Hkv, s.D};
  const std::vector<float> q = grid_floats(rng, dims.T * s.H * s.D);
  const std::vector<float> k = grid_floats(rng, dims.T * s.Hkv * s.D);
  const std::vector<float> v = grid_floats(rng, dims.T * s.Hkv * s.D);
  const double scale = 1.0 / std::sqrt(static_cast<double>(s.D));
  std::vector<double> want(q.size());
  prefill_reference(q.data(), k.data(), v.data(), layout.group_id.data(), layout.branch_id.data(),
                    dims, scale, want.data());
  std::vector<float> got(q.size());
  long long skipped = 0;
  std::string cuda_err;
  if (!gpu_prefill(ctx, dtype, q.data(), k.data(), v.data(), layout.group_id.data(),
                   layout.branch_id.data(), dims, static_cast<float>(scale), got.data(), &skipped, &cuda_err))
    throw mini::Failure(cuda_err);
  const double atol = dtype == DType::kBf16 ? 2e-2 : 4e-3;
  const CompareResult r = compare(std::string(dtype == DType::kBf16 ? "bf16" : "fp16") + " prefill T=" +
                                      std::to_string(dims.T) + " H=" + std::to_string(s.H) +
                                      " Hkv=" + std::to_string(s.Hkv) + " D=" + std::to_string(s.D),
                                  got.data(), want.data(), want.size(), atol, atol);
  std::printf("  prefill %s T=%lld H=%d Hkv=%d D=%d max|diff| %.2e skipped tiles %lld\n",
              dtype == DType::kBf16 ? "bf16" : "fp16", static_cast<long long>(dims.T), s.H, s.Hkv,
              s.D, r.max_abs, skipped);
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
  SampleSpec small, long_prefix, long_branches;
  long_prefix.serial_min = 150;
  long_prefix.serial_max = 400;
  long_prefix.groups_max = 2;
  long_branches.content_min = 60;
  long_branches.content_max = 260;
  long_branches.branches_max = 6;
  const Shape shapes[] = {{1, 1, 16, small},        {4, 2, 64, small},   {4, 4, 64, long_prefix},
                          {8, 2, 128, long_branches}, {2, 2, 128, small}, {4, 1, 256, long_branches},
                          {6, 3, 32, long_prefix}};
  std::mt19937 rng(2024);
  int failed = 0, run = 0;
  for (DType dtype : {DType::kBf16, DType::kFp16})
    for (int rep = 0; rep < 2; ++rep)
      for (const Shape& s : shapes) {
        for (int which = 0; which < 2; ++which) {
          ++run;
          try {
            which == 0 ? run_prefill(ctx, dtype, rng, s) : run_decode(ctx, dtype, rng, s);
          } catch (const std::exception& e) {
            ++failed;
            std::printf("[ FAIL ] %s\n", e.what());
          }
        }
      }
  free_gpu_context(ctx);
  std::printf("%d GPU checks, %d failed\n", run, failed);
  return failed == 0 ? 0 : 1;
}
