// Host-side GPU attention API used by JNI and the GPU tests: host float inputs in, host float
// outputs back. Inputs are rounded to the kernel dtype (bf16/fp16) on upload. Every function
// returns false (or nullptr) with a CUDA error string in *err instead of aborting, so a missing
// driver or GPU becomes a Java GpuUnavailableException.
#pragma once

#include <cuda_runtime.h>

#include <string>

#include "attention_kernels.h"

namespace aspd {

struct GpuContext {
  int device;
  cudaStream_t stream;
};

// Number of CUDA devices, or -1 with *err set (no driver: cudaErrorInsufficientDriver).
int gpu_device_count(std::string* err);

// Requires compute capability >= 9.0 (kernels are built for sm_90 + compute_90 PTX).
GpuContext* create_gpu_context(int device, std::string* err);
void free_gpu_context(GpuContext* ctx);

// Q [T, H, D], K/V [T, Hkv, D] host floats -> out [T, H, D]; skipped_tiles may be null (units:
// PrefillTileCounters). kernel: kWgmma by default (kMma where it is not usable, kTiled where kMma
// has no instantiation for D).
bool gpu_prefill(GpuContext* ctx, DType dtype, const float* q, const float* k, const float* v,
                 const int32_t* group, const int32_t* branch, const PrefillDims& dims, float scale,
                 float* out, long long* skipped_tiles, std::string* err,
                 PrefillKernel kernel = PrefillKernel::kWgmma);

// Q [A, H, D] with host tags [A] against K/V [N, Hkv, D] with host tags [N] -> out [A, H, D].
bool gpu_decode(GpuContext* ctx, DType dtype, const float* q, const float* k, const float* v,
                TokenTags query, TokenTags entry, const DecodeDims& dims, float scale, float* out,
                std::string* err);

}  // namespace aspd
