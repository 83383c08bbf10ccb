#include "gpu_attention.h"

#include <cuda_bf16.h>
#include <cuda_fp16.h>

#include <cstdint>
#include <vector>

#include "cuda_check.h"

namespace aspd {

namespace {

// Device allocation freed on scope exit, so every early error return releases what was taken.
class DeviceBuffer {
 public:
  DeviceBuffer() = default;
  DeviceBuffer(const DeviceBuffer&) = delete;
  DeviceBuffer& operator=(const DeviceBuffer&) = delete;
  ~DeviceBuffer() {
    if (ptr_ != nullptr) cudaFree(ptr_);
  }
  bool alloc(size_t bytes, std::string* err) {
    CUDA_TRY(cudaMalloc(&ptr_, bytes == 0 ? 1 : bytes));
    return true;
  }
  bool upload(const void* host, size_t bytes, cudaStream_t stream, std::string* err) {
    if (!alloc(bytes, err)) return false;
    CUDA_TRY(cudaMemcpyAsync(ptr_, host, bytes, cudaMemcpyHostToDevice, stream));
    return true;
  }
  template <typename P> P* as() const { return static_cast<P*>(ptr_); }

 private:
  void* ptr_ = nullptr;
};

// Rounds host floats to the kernel dtype (round to nearest even) and uploads them.
bool upload_rounded(DeviceBuffer& buf, DType dtype, const float* host, size_t n,
                    cudaStream_t stream, std::vector<uint16_t>* staging, std::string* err) {
  staging->resize(n);
  for (size_t i = 0; i < n; ++i) {
    if (dtype == DType::kBf16) {
      const __nv_bfloat16 x = __float2bfloat16_rn(host[i]);
      (*staging)[i] = *reinterpret_cast<const uint16_t*>(&x);
    } else {
      const __half x = __float2half_rn(host[i]);
      (*staging)[i] = *reinterpret_cast<const uint16_t*>(&x);
    }
  }
  if (!buf.upload(staging->data(), n * sizeof(uint16_t), stream, err)) return false;
  // The staging vector is reused by the next call: wait until this copy has read it.
  CUDA_TRY(cudaStreamSynchronize(stream));
  return true;
}

bool upload_tags(DeviceBuffer bufs[3], TokenTags host, int64_t n, cudaStream_t stream,
                 TokenTags* device, std::string* err) {
  const size_t bytes = static_cast<size_t>(n) * sizeof(int32_t);
  if (!bufs[0].upload(host.position, bytes, stream, err) ||
      !bufs[1].upload(host.group, bytes, stream, err) ||
      !bufs[2].upload(host.branch, bytes, stream, err))
    return false;
  *device = TokenTags{bufs[0].as<int32_t>(), bufs[1].as<int32_t>(), bufs[2].as<int32_t>()};
  return true;
}

}  // namespace

int gpu_device_count(std::string* err) {
  int n = 0;
  const cudaError_t e = cudaGetDeviceCount(&n);
  if (e != cudaSuccess) {
    *err = cuda_error_text(e, "cudaGetDeviceCount", __FILE__, __LINE__);
    return -1;
  }
  return n;
}

GpuContext* create_gpu_context(int device, std::string* err) {
  const int n = gpu_device_count(err);
  if (n < 0) return nullptr;
  if (device < 0 || device >= n) {
    *err = "CUDA device " + std::to_string(device) + " requested but " + std::to_string(n) +
           " device(s) present";
    return nullptr;
  }
  cudaDeviceProp prop{};
  cudaError_t e = cudaGetDeviceProperties(&prop, device);
  if (e == cudaSuccess && prop.major < 9) {
    *err = std::string("GPU ") + prop.name + " has compute capability " +
           std::to_string(prop.major) + "." + std::to_string(prop.minor) +
           "; the kernels need >= 9.0 (built for sm_90)";
    return nullptr;
  }
  cudaStream_t stream = nullptr;
  if (e == cudaSuccess) e = cudaSetDevice(device);
  if (e == cudaSuccess) e = cudaStreamCreateWithFlags(&stream, cudaStreamNonBlocking);
  if (e != cudaSuccess) {
    *err = cuda_error_text(e, "create_gpu_context", __FILE__, __LINE__);
    return nullptr;
  }
  return new GpuContext{device, stream};
}

void free_gpu_context(GpuContext* ctx) {
  if (ctx == nullptr) return;
  cudaSetDevice(ctx->device);
  cudaStreamDestroy(ctx->stream);
  delete ctx;
}

bool gpu_prefill(GpuContext* ctx, DType dtype, const float* q, const float* k, const float* v,
                 const int32_t* group, const int32_t* branch, const PrefillDims& dims, float scale,
                 float* out, long long* skipped_tiles, std::string* err, PrefillKernel kernel) {
  CUDA_TRY(cudaSetDevice(ctx->device));
  const cudaStream_t s = ctx->stream;
  const size_t q_n = static_cast<size_t>(dims.T) * dims.H * dims.D;
  const size_t kv_n = static_cast<size_t>(dims.T) * dims.Hkv * dims.D;
  const size_t label_bytes = static_cast<size_t>(dims.T) * sizeof(int32_t);
  const size_t tiles = static_cast<size_t>((dims.T + kPrefillTile - 1) / kPrefillTile);
  std::vector<uint16_t> staging;
  DeviceBuffer dq, dk, dv, dg, db, dtiles, dout, dskipped;
  if (!upload_rounded(dq, dtype, q, q_n, s, &staging, err) ||
      !upload_rounded(dk, dtype, k, kv_n, s, &staging, err) ||
      !upload_rounded(dv, dtype, v, kv_n, s, &staging, err) ||
      !dg.upload(group, label_bytes, s, err) || !db.upload(branch, label_bytes, s, err) ||
      !dtiles.alloc(tiles * sizeof(TileLabels), err) || !dout.alloc(q_n * sizeof(float), err) ||
      !dskipped.alloc(sizeof(unsigned long long), err))
    return false;
  CUDA_TRY(cudaMemsetAsync(dskipped.as<void>(), 0, sizeof(unsigned long long), s));
  PrefillTileCounters counters;
  counters.skipped = dskipped.as<unsigned long long>();
  CUDA_TRY(launch_prefill(kernel, dtype, dq.as<void>(), dk.as<void>(), dv.as<void>(), dg.as<int32_t>(),
                          db.as<int32_t>(), dtiles.as<TileLabels>(), dims, scale, dout.as<float>(),
                          counters, s));
  unsigned long long skipped = 0;
  CUDA_TRY(cudaMemcpyAsync(out, dout.as<void>(), q_n * sizeof(float), cudaMemcpyDeviceToHost, s));
  CUDA_TRY(cudaMemcpyAsync(&skipped, dskipped.as<void>(), sizeof(skipped), cudaMemcpyDeviceToHost, s));
  CUDA_TRY(cudaStreamSynchronize(s));
  if (skipped_tiles != nullptr) *skipped_tiles = static_cast<long long>(skipped);
  return true;
}

bool gpu_decode(GpuContext* ctx, DType dtype, const float* q, const float* k, const float* v,
                TokenTags query, TokenTags entry, const DecodeDims& dims, float scale, float* out,
                std::string* err) {
  CUDA_TRY(cudaSetDevice(ctx->device));
  const cudaStream_t s = ctx->stream;
  const size_t q_n = static_cast<size_t>(dims.A) * dims.H * dims.D;
  const size_t kv_n = static_cast<size_t>(dims.N) * dims.Hkv * dims.D;
  std::vector<uint16_t> staging;
  DeviceBuffer dq, dk, dv, dout, q_tags[3], e_tags[3];
  TokenTags dev_query{}, dev_entry{};
  if (!upload_rounded(dq, dtype, q, q_n, s, &staging, err) ||
      !upload_rounded(dk, dtype, k, kv_n, s, &staging, err) ||
      !upload_rounded(dv, dtype, v, kv_n, s, &staging, err) ||
      !upload_tags(q_tags, query, dims.A, s, &dev_query, err) ||
      !upload_tags(e_tags, entry, dims.N, s, &dev_entry, err) ||
      !dout.alloc(q_n * sizeof(float), err))
    return false;
  CUDA_TRY(launch_decode(dtype, dq.as<void>(), dk.as<void>(), dv.as<void>(), dev_query, dev_entry,
                         dims, scale, dout.as<float>(), s));
  CUDA_TRY(cudaMemcpyAsync(out, dout.as<void>(), q_n * sizeof(float), cudaMemcpyDeviceToHost, s));
  CUDA_TRY(cudaStreamSynchronize(s));
  return true;
}

}  // namespace aspd
