// The decode megakernel on the GPU: device primitives, the kernel and its cooperative launch.
// The phases are in decode_mega_body.cuh (shared with the CPU emulation test).
#include "decode_mega.h"

#include <cuda_bf16.h>

#include <string>

#include "prefill_mma_parts.cuh"

#define ASPD_MEGA_DEV __device__ __forceinline__
// Phases are calls, so each gets its own register allocation (inlined, values the compiler keeps
// across phases pushed the attention phase into local-memory spills).
#define ASPD_MEGA_PHASE __device__ __noinline__
#define ASPD_MEGA_COLD __device__ __noinline__

namespace aspd {
namespace mega {

using prefill_mma::block_sync;
using prefill_mma::cp_async_16;
using prefill_mma::cp_async_commit;
using prefill_mma::cp_async_wait;
using prefill_mma::mma_16816;
using prefill_mma::shfl_xor;

ASPD_MEGA_DEV void warp_sync() { __syncwarp(); }
ASPD_MEGA_DEV void fence() { __threadfence(); }
ASPD_MEGA_DEV int atomic_add(int32_t* p, int32_t v) { return atomicAdd(p, v); }

ASPD_MEGA_DEV float4 ld_weight_f4(const float* p) { return __ldg(reinterpret_cast<const float4*>(p)); }
ASPD_MEGA_DEV uint4 ld_cg_u4(const void* p) { return __ldcg(reinterpret_cast<const uint4*>(p)); }
ASPD_MEGA_DEV float4 ld_cg_f4(const float* p) { return __ldcg(reinterpret_cast<const float4*>(p)); }
ASPD_MEGA_DEV float ld_cg(const float* p) { return __ldcg(p); }
ASPD_MEGA_DEV int32_t ld_cg(const int32_t* p) { return __ldcg(p); }

ASPD_MEGA_DEV uint64_t global_ns() {
  uint64_t t;
  asm volatile("mov.u64 %0, %%globaltimer;" : "=l"(t));
  return t;
}

// Grid barrier without atomics: block b publishes the barrier's target value in its own word
// (release), and every block waits, one thread per block word, until all words reach the target
// (acquire loads): one L2 round trip after the last arrival, and no serialized read-modify-writes
// on one address (1.6 us on an H200; the first version, an atomic count and a generation word,
// was slower, and relaxed polls with one fence measured 2.05 us). Targets count up across launches
// from MegaArgs::barrier[0] (signed differences, so wrapping is harmless). The launch is
// cooperative: every block is resident and the wait ends.
ASPD_MEGA_DEV void grid_sync(const Ctx& cx, const MegaArgs& a, uint32_t target) {
  uint32_t* bar = a.barrier;
  __syncthreads();
  if (threadIdx.x == 0)
    asm volatile("st.release.gpu.global.u32 [%0], %1;" ::"l"(bar + 32 + cx.block), "r"(target) : "memory");
  if (static_cast<int>(threadIdx.x) < cx.nblocks) {
    const uint32_t* word = bar + 32 + threadIdx.x;
    uint32_t v;
    do {
      asm volatile("ld.acquire.gpu.global.u32 %0, [%1];" : "=r"(v) : "l"(word) : "memory");
    } while (static_cast<int32_t>(v - target) < 0);
  }
  __syncthreads();
}

}  // namespace mega
}  // namespace aspd

#include "decode_mega_body.cuh"

namespace aspd {

namespace {

constexpr int kWarps = 16;

template <int kDL>
__global__ void __launch_bounds__(kWarps * 32, 1) decode_mega_kernel(const __grid_constant__ MegaArgs a) {
  extern __shared__ __align__(16) unsigned char smem[];
  const int32_t length_before = a.io.length_before();
  const mega::Ctx cx{static_cast<int>(threadIdx.x), static_cast<int>(blockIdx.x), static_cast<int>(gridDim.x),
                     __ldcg(a.barrier), length_before, mega::attention_splits(a, static_cast<int>(gridDim.x), length_before)};
  mega::run_step<kWarps, kDL>(cx, smem, a);
}

template <int kDL>
cudaError_t launch_for(MegaArgs a, cudaStream_t s) {
  using C = mega::Config<kWarps, kDL>;
  const size_t smem = C::smem_bytes(a.E);
  a.ring_offset = static_cast<int32_t>(C::ring_offset(a.E));
  a.ring_apart = C::ring_apart(a.E) ? 1 : 0;
  auto kernel = decode_mega_kernel<kDL>;
  cudaError_t e = cudaFuncSetAttribute(kernel, cudaFuncAttributeMaxDynamicSharedMemorySize, static_cast<int>(smem));
  if (e != cudaSuccess) return e;
  int device = 0, sms = 0, per_sm = 0;
  if ((e = cudaGetDevice(&device)) != cudaSuccess) return e;
  if ((e = cudaDeviceGetAttribute(&sms, cudaDevAttrMultiProcessorCount, device)) != cudaSuccess) return e;
  if ((e = cudaOccupancyMaxActiveBlocksPerMultiprocessor(&per_sm, kernel, kWarps * 32, smem)) != cudaSuccess) return e;
  if (per_sm < 1 || sms > kMegaMaxBlocks) return cudaErrorCooperativeLaunchTooLarge;
  mega::resolve_parts<kWarps>(a, sms);
  cudaLaunchConfig_t config{};
  config.gridDim = dim3(static_cast<unsigned>(sms));  // one block per SM: the barrier waits on every block
  config.blockDim = dim3(kWarps * 32);
  config.dynamicSmemBytes = smem;
  config.stream = s;
  cudaLaunchAttribute attr[1];
  attr[0].id = cudaLaunchAttributeCooperative;
  attr[0].val.cooperative = 1;
  config.attrs = attr;
  config.numAttrs = 1;
  return cudaLaunchKernelEx(&config, kernel, a);
}

}  // namespace

bool decode_mega_supported(int32_t E, int32_t I, int32_t H, int32_t Hkv, int32_t D, int device, std::string* why) {
  if (!(D == 32 || D == 64 || D == 128)) {
    *why = "head dim " + std::to_string(D) + " (the megakernel takes 32, 64, 128)";
    return false;
  }
  if (E % 32 != 0 || I % 32 != 0 || (H * D) % 32 != 0 || Hkv <= 0 || H % Hkv != 0) {
    *why = "hidden, intermediate and heads x head dim must be multiples of 32, heads a multiple of KV heads";
    return false;
  }
  int major = 0, optin = 0;
  if (cudaDeviceGetAttribute(&major, cudaDevAttrComputeCapabilityMajor, device) != cudaSuccess ||
      cudaDeviceGetAttribute(&optin, cudaDevAttrMaxSharedMemoryPerBlockOptin, device) != cudaSuccess) {
    cudaGetLastError();
    *why = "device attributes unavailable";
    return false;
  }
  const size_t need = D == 32    ? mega::Config<kWarps, 1>::smem_bytes(E)
                      : D == 64  ? mega::Config<kWarps, 2>::smem_bytes(E)
                                 : mega::Config<kWarps, 4>::smem_bytes(E);
  if (major < 9 || need > static_cast<size_t>(optin)) {
    *why = "needs compute capability 9.0 and " + std::to_string(need) + " bytes of shared memory per block";
    return false;
  }
  return true;
}

bool decode_mega_parts(int32_t E, int32_t I, int32_t H, int32_t Hkv, int32_t D, int device, const int32_t (&forced)[4],
                       int32_t (&parts)[4], std::string* why) {
  if (!decode_mega_supported(E, I, H, Hkv, D, device, why)) return false;
  int sms = 0;
  if (cudaDeviceGetAttribute(&sms, cudaDevAttrMultiProcessorCount, device) != cudaSuccess) {
    cudaGetLastError();
    *why = "device attributes unavailable";
    return false;
  }
  for (int i = 0; i < 4; ++i)
    parts[i] = mega::phase_parts<kWarps>(static_cast<mega::Phase>(i), E, I, H, Hkv, D, sms, forced[i]);
  return true;
}

cudaError_t launch_decode_mega(const MegaArgs& a, cudaStream_t s) {
  if (a.io.M < 1 || a.io.M > kMegaMaxRows || a.layers == nullptr || a.attn_partial == nullptr ||
      a.product_partial == nullptr || a.product_counters == nullptr ||
      a.product_parts[0] < 0 || a.product_parts[1] < 0 || a.product_parts[2] < 0 || a.product_parts[3] < 0 ||
      a.barrier == nullptr || a.E % 32 != 0 || a.I % 32 != 0 || a.Hkv <= 0 ||
      a.H % a.Hkv != 0 || a.rope == nullptr)
    return cudaErrorInvalidValue;
  switch (a.D) {
    case 32: return launch_for<1>(a, s);
    case 64: return launch_for<2>(a, s);
    case 128: return launch_for<4>(a, s);
    default: return cudaErrorInvalidValue;
  }
}

}  // namespace aspd
