// Decode-step attention over the KV cache; see decode_attention.h. The block's text is in
// decode_attention_body.cuh (shared with the CPU emulation test); here, its GPU primitives, the
// kernel and the launch.
#include "decode_attention.h"

#include <cooperative_groups.h>
#include <cuda_bf16.h>

#include <algorithm>

#include "pdl.cuh"
#include "prefill_mma_parts.cuh"
#include "warp_reduce.cuh"

#define ASPD_ATTN_DEV __device__ __forceinline__
#define ASPD_ATTN_HOST_DEV __host__ __device__

namespace aspd {
namespace decode_attn {

namespace cg = cooperative_groups;

using prefill_mma::ldmatrix_x4;
using prefill_mma::mma_16816;

__device__ __forceinline__ void block_sync() { __syncthreads(); }

__device__ __forceinline__ void cp_async16(void* dst, const void* src) {
  asm volatile("cp.async.cg.shared.global [%0], [%1], 16;\n" ::"r"(static_cast<uint32_t>(__cvta_generic_to_shared(dst))),
               "l"(src));
}
__device__ __forceinline__ void cp_async_commit_wait_all() {
  asm volatile("cp.async.commit_group;\ncp.async.wait_group 0;\n" ::: "memory");
}
__device__ __forceinline__ void cp_async_wait_all() { asm volatile("cp.async.wait_all;\n" ::: "memory"); }

__device__ __forceinline__ void cluster_sync() { cg::this_cluster().sync(); }
// Relaxed arrival: for the end of the kernel, where every remote read's value has been used.
__device__ __forceinline__ void cluster_sync_relaxed() {
  asm volatile("barrier.cluster.arrive.relaxed.aligned;\nbarrier.cluster.wait.aligned;\n" ::: "memory");
}
template <typename T>
__device__ __forceinline__ const T* cluster_peer(T* p, int rank) {
  return cg::this_cluster().map_shared_rank(p, rank);
}

}  // namespace decode_attn
}  // namespace aspd

#include "decode_attention_body.cuh"

namespace aspd {

namespace {

using decode_attn::chunk_for;
using decode_attn::kSplits;
using decode_attn::kThreads;
using decode_attn::Smem;

__global__ void __cluster_dims__(1, kDecodeAttentionSplits, 1) __launch_bounds__(kThreads)
decode_attention_kernel(DecodeQkv in, bf16* __restrict__ k_cache, bf16* __restrict__ v_cache, EntryTags tags,
                        StepIoView io, int32_t H, int32_t Hkv, int32_t D, float scale_log2, bf16* __restrict__ out) {
  extern __shared__ __align__(16) unsigned char raw[];
  __shared__ decode_attn::Statics st;
  decode_attn::attention_block(in, k_cache, v_cache, tags, io, H, Hkv, D, scale_log2, out, blockIdx.x, blockIdx.y,
                               threadIdx.x, raw, st);
}

}  // namespace

cudaError_t launch_decode_attention(DecodeQkv in, bf16* k_cache, bf16* v_cache, EntryTags tags, StepIoView io,
                                    int32_t H, int32_t Hkv, int32_t D, float scale, bf16* out, cudaStream_t s,
                                    bool pdl) {
  if (!decode_attention_args_ok(in, k_cache, v_cache, tags, io, H, Hkv, D, out)) return cudaErrorInvalidValue;
  constexpr float kLog2e = 1.4426950408889634f;
  const Smem lay{D, chunk_for(D)};
  // Over 48 KB of dynamic shared memory needs an opt-in (not a stream operation: fine while a graph
  // is being captured). Always the largest size any head dim needs, so that models of different
  // head dims in one process never lower it under a captured graph's launch.
  static const int most = [] {
    size_t bytes = 0;
    for (int d = 1; d <= 256; ++d)
      if (decode_attention_supports(d)) bytes = std::max(bytes, Smem{d, chunk_for(d)}.bytes());
    return static_cast<int>(bytes);
  }();
  const cudaError_t e = cudaFuncSetAttribute(decode_attention_kernel, cudaFuncAttributeMaxDynamicSharedMemorySize, most);
  if (e != cudaSuccess) return e;
  return launch_maybe_pdl(decode_attention_kernel, dim3(H, kSplits), dim3(kThreads), lay.bytes(), s, pdl, in, k_cache,
                          v_cache, tags, io, H, Hkv, D, scale * kLog2e, out);
}

}  // namespace aspd
