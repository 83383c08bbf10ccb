// cuBLAS opened at run time (dlopen), so the library builds where the CUDA toolkit has no cuBLAS
// (CI machines, this project's build hosts) and a missing cuBLAS on a GPU host is an error string,
// not a link failure. Only the handful of entry points the model forward uses are declared; their
// signatures and enum values are cuBLAS's stable C API (cublas_api.h, CUDA 11-13).
//
// Search order: $ASPD_CUBLAS (a file), libcublas.so.13, libcublas.so.12, libcublas.so.
#pragma once

#include <cuda_runtime.h>
#include <library_types.h>

#include <string>

namespace aspd {

struct CublasApi {
  using Handle = void*;
  int (*create)(Handle*);
  int (*destroy)(Handle);
  int (*set_stream)(Handle, cudaStream_t);
  int (*set_workspace)(Handle, void*, size_t);
  int (*gemm_ex)(Handle, int transa, int transb, int m, int n, int k, const void* alpha, const void* A,
                 cudaDataType a_type, int lda, const void* B, cudaDataType b_type, int ldb, const void* beta,
                 void* C, cudaDataType c_type, int ldc, int compute_type, int algo);
  std::string path;  // the file that was opened
};

constexpr int kCublasOpN = 0;
constexpr int kCublasOpT = 1;
constexpr int kCublasCompute32F = 68;  // CUBLAS_COMPUTE_32F
constexpr int kCublasGemmDefault = -1;

// The process-wide API table, opened once; nullptr with *err when no cuBLAS can be opened.
const CublasApi* cublas_api(std::string* err);

}  // namespace aspd
