// Fused tensor-core products of decode steps; see decode_gemv.h. The block's text is in
// decode_gemv_body.cuh (shared with the CPU emulation test); here, its GPU primitives, the kernels
// and the launches.
#include "decode_gemv.h"
#include "pdl.cuh"
#include "warp_reduce.cuh"

#include <cooperative_groups.h>
#include <cuda_bf16.h>

#include <algorithm>
#include <atomic>
#include <cmath>
#include <type_traits>

namespace cg = cooperative_groups;

namespace aspd {

#define ASPD_GEMV_DEV __device__ __forceinline__

namespace gemv {

__device__ __forceinline__ uint32_t smem_addr(const void* p) {
  return static_cast<uint32_t>(__cvta_generic_to_shared(p));
}

// 16 bytes global -> shared, zero-filled when !valid (nothing is read then).
__device__ __forceinline__ void cp_async16(void* dst, const void* src, bool valid) {
  asm volatile("cp.async.cg.shared.global [%0], [%1], 16, %2;\n" ::"r"(smem_addr(dst)), "l"(src),
               "r"(valid ? 16 : 0));
}
__device__ __forceinline__ void cp_async_commit() { asm volatile("cp.async.commit_group;\n"); }
template <int kPending>
__device__ __forceinline__ void cp_async_wait() { asm volatile("cp.async.wait_group %0;\n" ::"n"(kPending)); }

__device__ __forceinline__ void ldmatrix_x4(uint32_t (&r)[4], const void* row) {
  asm volatile("ldmatrix.sync.aligned.m8n8.x4.shared.b16 {%0, %1, %2, %3}, [%4];\n"
               : "=r"(r[0]), "=r"(r[1]), "=r"(r[2]), "=r"(r[3])
               : "r"(smem_addr(row)));
}

__device__ __forceinline__ void mma_bf16(float (&c)[4], const uint32_t (&a)[4], uint32_t b0, uint32_t b1) {
  asm volatile("mma.sync.aligned.m16n8k16.row.col.f32.bf16.bf16.f32 {%0, %1, %2, %3}, {%4, %5, %6, %7}, {%8, %9}, "
               "{%0, %1, %2, %3};\n"
               : "+f"(c[0]), "+f"(c[1]), "+f"(c[2]), "+f"(c[3])
               : "r"(a[0]), "r"(a[1]), "r"(a[2]), "r"(a[3]), "r"(b0), "r"(b1));
}

__device__ __forceinline__ void block_sync() { __syncthreads(); }
__device__ __forceinline__ void cluster_sync() { cg::this_cluster().sync(); }
template <typename T>
__device__ __forceinline__ const T* cluster_peer(T* p, int rank) {
  return cg::this_cluster().map_shared_rank(p, rank);
}

__device__ __forceinline__ uint64_t now_ns() {
  uint64_t t;
  asm volatile("mov.u64 %0, %%globaltimer;" : "=l"(t));
  return t;
}
__device__ __forceinline__ void stamp_max(uint64_t* p, uint64_t t) {
  atomicMax(reinterpret_cast<unsigned long long*>(p), static_cast<unsigned long long>(t));
}

}  // namespace gemv

}  // namespace aspd

#include "decode_gemv_body.cuh"

namespace aspd {

namespace {

using gemv::kWarps;
using gemv::Params;

template <bool kNorm, int kTokenTiles, GemvEpilogue kEpi>
__global__ void __launch_bounds__(kWarps * 32) decode_gemv_kernel(Params p) {
  extern __shared__ __align__(16) unsigned char smem[];
  gemv::gemv_block<kNorm, kTokenTiles, kEpi>(p, smem, blockIdx.x, blockIdx.y, gridDim.x, threadIdx.x, blockDim.x);
}

// Over 48 KB of dynamic shared memory needs an opt-in. It only ever grows (the most any launch or
// plan fit of this kernel has needed), so that every graph captured before, at fewer rows, for
// another product of the same kernel or by another model, keeps running. Not a stream operation:
// fine while capturing; set on every launch, so it holds on whichever device is current.
template <bool kNorm, int kTokenTiles, GemvEpilogue kEpi>
cudaError_t raise_smem_opt_in(int64_t bytes) {
  static std::atomic<int64_t> high_water{0};
  int64_t opt_in = high_water.load();
  while (opt_in < bytes && !high_water.compare_exchange_weak(opt_in, bytes)) {
  }
  opt_in = std::max(opt_in, bytes);
  return cudaFuncSetAttribute(decode_gemv_kernel<kNorm, kTokenTiles, kEpi>, cudaFuncAttributeMaxDynamicSharedMemorySize,
                              static_cast<int>(opt_in));
}

template <bool kNorm, int kTokenTiles, GemvEpilogue kEpi>
cudaError_t launch_kernel(const Params& p, dim3 grid, bool pdl, cudaStream_t s) {
  const GemvSmem lay{p.R, p.stages, p.M, kNorm, p.in.sumsq_slots};
  const GemvSmem most{p.R, p.stages, 8 * kTokenTiles, kNorm, p.in.sumsq_slots};
  cudaError_t e = raise_smem_opt_in<kNorm, kTokenTiles, kEpi>(most.bytes());
  if (e != cudaSuccess) return e;
  return launch_clustered_maybe_pdl(decode_gemv_kernel<kNorm, kTokenTiles, kEpi>, grid, dim3(kWarps * 32),
                                    dim3(1, grid.y, 1), static_cast<size_t>(lay.bytes()), s, pdl, p);
}

// Whether the current device can run a plan's launch at its most rows (8 per token tile): its
// shared memory within the block opt-in, and one cluster of its K splits (or one block) resident.
template <bool kNorm, int kTokenTiles, GemvEpilogue kEpi>
cudaError_t plan_placeable(const GemvPlan& plan, int32_t sumsq_slots, int32_t smem_opt_in, bool* ok) {
  const GemvSmem most{plan.rows_per_block, plan.stages, 8 * kTokenTiles, kNorm, sumsq_slots};
  *ok = false;
  if (most.bytes() > smem_opt_in) return cudaSuccess;
  cudaError_t e = raise_smem_opt_in<kNorm, kTokenTiles, kEpi>(most.bytes());
  if (e != cudaSuccess) return e;
  auto kernel = decode_gemv_kernel<kNorm, kTokenTiles, kEpi>;
  int resident = 0;
  if (plan.splits == 1) {
    e = cudaOccupancyMaxActiveBlocksPerMultiprocessor(&resident, kernel, kWarps * 32, static_cast<size_t>(most.bytes()));
  } else {
    cudaLaunchConfig_t config{};
    config.gridDim = dim3(static_cast<unsigned>(plan.row_blocks), static_cast<unsigned>(plan.splits));
    config.blockDim = dim3(kWarps * 32);
    config.dynamicSmemBytes = static_cast<size_t>(most.bytes());
    cudaLaunchAttribute cluster{};
    cluster.id = cudaLaunchAttributeClusterDimension;
    cluster.val.clusterDim.x = 1;
    cluster.val.clusterDim.y = static_cast<unsigned>(plan.splits);
    cluster.val.clusterDim.z = 1;
    config.attrs = &cluster;
    config.numAttrs = 1;
    e = cudaOccupancyMaxActiveClusters(&resident, kernel, &config);
  }
  *ok = e == cudaSuccess && resident >= 1;
  return e;
}

template <bool kNorm, GemvEpilogue kEpi>
cudaError_t plan_placeable_all_rows(const GemvPlan& plan, int32_t sumsq_slots, int32_t smem_opt_in, bool* ok) {
  cudaError_t e = plan_placeable<kNorm, 1, kEpi>(plan, sumsq_slots, smem_opt_in, ok);
  if (e != cudaSuccess || !*ok) return e;
  return plan_placeable<kNorm, 2, kEpi>(plan, sumsq_slots, smem_opt_in, ok);
}

template <bool kNorm>
cudaError_t plan_placeable_for(GemvEpilogue kind, const GemvPlan& plan, int32_t sumsq_slots, int32_t smem_opt_in,
                               bool* ok) {
  switch (kind) {
    case GemvEpilogue::kStore:
      return plan_placeable_all_rows<kNorm, GemvEpilogue::kStore>(plan, sumsq_slots, smem_opt_in, ok);
    case GemvEpilogue::kAddResidual:
      return plan_placeable_all_rows<kNorm, GemvEpilogue::kAddResidual>(plan, sumsq_slots, smem_opt_in, ok);
    case GemvEpilogue::kSiluMul:
      return plan_placeable_all_rows<kNorm, GemvEpilogue::kSiluMul>(plan, sumsq_slots, smem_opt_in, ok);
    case GemvEpilogue::kRopeAppend:
      return plan_placeable_all_rows<kNorm, GemvEpilogue::kRopeAppend>(plan, sumsq_slots, smem_opt_in, ok);
  }
  *ok = false;
  return cudaSuccess;
}

template <bool kNorm, int kTokenTiles>
cudaError_t launch_for(const Params& p, const GemvPlan& plan, cudaStream_t s) {
  const dim3 grid(static_cast<unsigned>(plan.row_blocks), static_cast<unsigned>(plan.splits));
  switch (p.out.kind) {
    case GemvEpilogue::kStore:
      return launch_kernel<kNorm, kTokenTiles, GemvEpilogue::kStore>(p, grid, plan.pdl, s);
    case GemvEpilogue::kAddResidual:
      return launch_kernel<kNorm, kTokenTiles, GemvEpilogue::kAddResidual>(p, grid, plan.pdl, s);
    case GemvEpilogue::kSiluMul:
      return launch_kernel<kNorm, kTokenTiles, GemvEpilogue::kSiluMul>(p, grid, plan.pdl, s);
    case GemvEpilogue::kRopeAppend:
      return launch_kernel<kNorm, kTokenTiles, GemvEpilogue::kRopeAppend>(p, grid, plan.pdl, s);
  }
  return cudaGetLastError();
}

}  // namespace

cudaError_t fit_decode_gemv_plan(GemvEpilogue kind, int64_t N, int64_t K, int32_t D, bool norm, int32_t sms,
                                 int32_t max_splits, bool allow_resident, GemvPlan* plan) {
  int device = 0, smem_opt_in = 0;
  cudaError_t e = cudaGetDevice(&device);
  if (e == cudaSuccess) e = cudaDeviceGetAttribute(&smem_opt_in, cudaDevAttrMaxSharedMemoryPerBlockOptin, device);
  if (e != cudaSuccess) return e;
  const int32_t slots = norm ? residual_sumsq_slots(K) : 0;
  // At each split count (most first), resident weights, else streamed ones: a block too large for
  // this device's shared memory streams at the same splits (fewer splits would only make a
  // resident block larger), and only a cluster the device cannot place costs splits.
  for (int32_t most = max_splits; most >= 1;) {
    const GemvPlan resident = plan_decode_gemv(kind, N, K, D, sms, most, allow_resident);
    const GemvPlan streamed = plan_decode_gemv(kind, N, K, D, sms, most, false);  // same splits
    for (const GemvPlan& candidate : {resident, streamed}) {
      bool ok = false;
      e = norm ? plan_placeable_for<true>(kind, candidate, slots, smem_opt_in, &ok)
               : plan_placeable_for<false>(kind, candidate, slots, smem_opt_in, &ok);
      if (e != cudaSuccess) return e;
      if (ok) {
        *plan = candidate;
        return cudaSuccess;
      }
    }
    most = resident.splits - 1;
  }
  return cudaErrorInvalidConfiguration;
}

bool decode_gemv_supports(int64_t E, int64_t I, int32_t D) {
  return D % 16 == 0 && D <= 128 && E % 8 == 0 && I % 16 == 0;  // a block holds one head: R = D <= 128
}

cudaError_t launch_decode_gemv(const bf16* w, int64_t N, int64_t K, int32_t M, const GemvInput& in,
                               const GemvOutput& out, const GemvPlan& plan, cudaStream_t s, uint64_t* stamps) {
  if (!decode_gemv_args_ok(w, N, K, M, in, out, plan)) return cudaErrorInvalidValue;
  const bool norm = in.x == nullptr;
  const Params p{w, N, K, M, in, out, plan.rows_per_block, plan.splits, plan.stages, stamps};
  if (M <= 8) return norm ? launch_for<true, 1>(p, plan, s) : launch_for<false, 1>(p, plan, s);
  return norm ? launch_for<true, 2>(p, plan, s) : launch_for<false, 2>(p, plan, s);
}

}  // namespace aspd
