// Checked CUDA calls. Programs (tests, bench) use CUDA_CHECK, which aborts with file, line and a
// hint; library code uses CUDA_TRY, which records the same text in a std::string* named `err`
// and returns false, so the JNI layer can turn it into a Java exception instead of a crash.
#pragma once

#include <cuda_runtime.h>

#include <cstdio>
#include <cstdlib>
#include <string>

namespace aspd {

inline const char* cuda_hint(cudaError_t e) {
  switch (e) {
    case cudaErrorInsufficientDriver:
    case cudaErrorNoDevice:
      return "no usable GPU or NVIDIA driver on this machine";
    case cudaErrorMemoryAllocation: return "GPU out of memory: use smaller shapes";
    case cudaErrorInvalidValue: return "bad launch argument (shape or shared-memory size)";
    case cudaErrorNoKernelImageForDevice:
      return "kernels are built for sm_90 (+ compute_90 PTX); this GPU is older";
    default: return "see the CUDA error string";
  }
}

inline std::string cuda_error_text(cudaError_t e, const char* what, const char* file, int line) {
  return std::string("CUDA error ") + cudaGetErrorName(e) + " (" + cudaGetErrorString(e) +
         ") in " + what + " at " + file + ":" + std::to_string(line) + "; hint: " + cuda_hint(e);
}

}  // namespace aspd

#define CUDA_CHECK(call)                                                                  \
  do {                                                                                    \
    cudaError_t e_ = (call);                                                              \
    if (e_ != cudaSuccess) {                                                              \
      std::fprintf(stderr, "%s\n", aspd::cuda_error_text(e_, #call, __FILE__, __LINE__).c_str()); \
      std::exit(1);                                                                       \
    }                                                                                     \
  } while (0)

#define CUDA_TRY(call)                                                 \
  do {                                                                 \
    cudaError_t e_ = (call);                                           \
    if (e_ != cudaSuccess) {                                           \
      *err = aspd::cuda_error_text(e_, #call, __FILE__, __LINE__);     \
      return false;                                                    \
    }                                                                  \
  } while (0)
