#include "cublas_loader.h"

#include <dlfcn.h>

#include <cstdlib>
#include <mutex>

namespace aspd {

namespace {

template <typename F>
bool bind(void* lib, const char* name, F* slot, std::string* err) {
  *slot = reinterpret_cast<F>(dlsym(lib, name));
  if (*slot == nullptr) *err = std::string("cuBLAS has no symbol ") + name;
  return *slot != nullptr;
}

CublasApi* open_cublas(std::string* err) {
  std::string tried;
  void* lib = nullptr;
  std::string path;
  const char* env = std::getenv("ASPD_CUBLAS");
  for (const char* name : {env, "libcublas.so.13", "libcublas.so.12", "libcublas.so"}) {
    if (name == nullptr || *name == '\0') continue;
    lib = dlopen(name, RTLD_NOW | RTLD_LOCAL);
    if (lib != nullptr) {
      path = name;
      break;
    }
    const char* why = dlerror();
    tried += std::string(tried.empty() ? "" : "; ") + (why != nullptr ? why : name);
  }
  if (lib == nullptr) {
    *err = "cuBLAS not found (set ASPD_CUBLAS to libcublas.so or add its folder to LD_LIBRARY_PATH): " + tried;
    return nullptr;
  }
  auto* api = new CublasApi{};
  api->path = path;
  if (!bind(lib, "cublasCreate_v2", &api->create, err) || !bind(lib, "cublasDestroy_v2", &api->destroy, err) ||
      !bind(lib, "cublasSetStream_v2", &api->set_stream, err) ||
      !bind(lib, "cublasSetWorkspace_v2", &api->set_workspace, err) ||
      !bind(lib, "cublasGemmEx", &api->gemm_ex, err)) {
    delete api;
    dlclose(lib);
    return nullptr;
  }
  return api;  // kept for the life of the process, like the library itself
}

}  // namespace

const CublasApi* cublas_api(std::string* err) {
  static std::once_flag once;
  static CublasApi* api = nullptr;
  static std::string open_error;
  std::call_once(once, [] { api = open_cublas(&open_error); });
  if (api == nullptr) *err = open_error;
  return api;
}

}  // namespace aspd
