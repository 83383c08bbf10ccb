// Programmatic dependent launch (Hopper and later): a kernel launched with it may start while the
// kernel before it in the stream is still running, once every block of that kernel has called
// pdl_launch_dependents (or exited). It must call pdl_wait before it touches anything the kernels
// before it write; before the wait it may only read what no kernel of the step writes (weights,
// the step's inputs, cache entries of earlier steps). A decode step is a chain of short kernels,
// so this hides each launch and the first weight loads behind the kernel before.
//
// Both calls are no-ops when the kernel was launched without the attribute (the wait returns at
// once: the stream already ordered it), and on GPUs before sm_90.
#pragma once

#include <cuda_runtime.h>

#include <utility>

namespace aspd {

__device__ __forceinline__ void pdl_wait() {
#if defined(__CUDA_ARCH__) && __CUDA_ARCH__ >= 900
  asm volatile("griddepcontrol.wait;\n" ::: "memory");
#endif
}

__device__ __forceinline__ void pdl_launch_dependents() {
#if defined(__CUDA_ARCH__) && __CUDA_ARCH__ >= 900
  asm volatile("griddepcontrol.launch_dependents;\n" ::: "memory");
#endif
}

// kernel<<<grid, block, smem, s>>>(args...) in clusters of `cluster` blocks (a runtime cluster
// shape; none is set for 1 x 1 x 1, so kernels with __cluster_dims__ keep theirs), with
// programmatic dependent launch when pdl is set.
template <typename... Params, typename... Args>
cudaError_t launch_clustered_maybe_pdl(void (*kernel)(Params...), dim3 grid, dim3 block, dim3 cluster, size_t smem,
                                       cudaStream_t s, bool pdl, Args&&... args) {
  cudaLaunchConfig_t config{};
  config.gridDim = grid;
  config.blockDim = block;
  config.dynamicSmemBytes = smem;
  config.stream = s;
  cudaLaunchAttribute attribute[2];
  unsigned n = 0;
  if (pdl) {
    attribute[n].id = cudaLaunchAttributeProgrammaticStreamSerialization;
    attribute[n++].val.programmaticStreamSerializationAllowed = 1;
  }
  if (cluster.x * cluster.y * cluster.z > 1) {
    attribute[n].id = cudaLaunchAttributeClusterDimension;
    attribute[n].val.clusterDim.x = cluster.x;
    attribute[n].val.clusterDim.y = cluster.y;
    attribute[n++].val.clusterDim.z = cluster.z;
  }
  config.attrs = attribute;
  config.numAttrs = n;
  return cudaLaunchKernelEx(&config, kernel, std::forward<Args>(args)...);
}

// kernel<<<grid, block, smem, s>>>(args...), with programmatic dependent launch when pdl is set.
template <typename... Params, typename... Args>
cudaError_t launch_maybe_pdl(void (*kernel)(Params...), dim3 grid, dim3 block, size_t smem, cudaStream_t s, bool pdl,
                             Args&&... args) {
  return launch_clustered_maybe_pdl(kernel, grid, block, dim3(1, 1, 1), smem, s, pdl, std::forward<Args>(args)...);
}

}  // namespace aspd
