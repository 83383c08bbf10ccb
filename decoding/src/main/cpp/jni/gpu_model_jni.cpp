// JNI for GpuModel (lives in libaspd_decoding_cuda.so). Opening failures (no driver, GPU, cuBLAS,
// or memory) become GpuUnavailableException; a bad engine config IllegalArgumentException. The
// engine it creates is an ordinary aspd::Engine on a GPU backend: Engine.java drives it through
// the CPU library's engine entry points, like a CPU engine.
#include <jni.h>

#include <exception>
#include <string>

#include "cuda/gpu_backend.h"
#include "cuda/gpu_model.h"
#include "engine/engine.h"
#include "engine_config_jni.h"
#include "jni_support.h"
#include "model_config_jni.h"

namespace {

aspd::GpuModel* gpu(jlong handle) { return reinterpret_cast<aspd::GpuModel*>(handle); }

aspd::GpuModelOptions options(jint device, jlong capacity, jboolean graphs, jboolean cublas) {
  aspd::GpuModelOptions o;
  o.device = device;
  o.cache_capacity = capacity;
  o.graphs = graphs;
  o.cublas = cublas;
  return o;
}

jlong opened(JNIEnv* env, aspd::GpuModel* m, const std::string& err) {
  if (m == nullptr) aspd::jni::throw_gpu_unavailable(env, "GPU model: " + err);
  return reinterpret_cast<jlong>(m);
}

}  // namespace

extern "C" {

JNIEXPORT jlong JNICALL Java_org_aspd_decoding_GpuModel_uploadNative(JNIEnv* env, jclass, jlong cpu, jint device,
                                                                     jlong capacity, jboolean graphs, jboolean cublas) {
  std::string err;
  aspd::GpuModel* m = nullptr;
  try {
    m = aspd::create_gpu_model(*reinterpret_cast<const aspd::Model*>(cpu), options(device, capacity, graphs, cublas),
                               &err);
  } catch (const std::exception& e) {
    err = e.what();
  }
  return opened(env, m, err);
}

// Config arguments as model_config_jni.h reads them.
JNIEXPORT jlong JNICALL Java_org_aspd_decoding_GpuModel_randomNative(
    JNIEnv* env, jclass, jstring model_type, jlongArray sizes, jdoubleArray reals, jboolean tie, jboolean bias,
    jlong seed, jint device, jlong capacity, jboolean graphs, jboolean cublas) {
  aspd::ModelConfig c;
  if (!aspd::jni::read_model_config(env, model_type, sizes, reals, tie, bias, &c)) return 0;
  std::string err;
  aspd::GpuModel* m = nullptr;
  try {
    m = aspd::create_random_gpu_model(c, static_cast<uint64_t>(seed), options(device, capacity, graphs, cublas), &err);
  } catch (const std::exception& e) {
    err = e.what();
  }
  return opened(env, m, err);
}

// Java has checked the arrays (GpuModel.forwardRows); out holds rows x vocab floats.
JNIEXPORT void JNICALL Java_org_aspd_decoding_GpuModel_forwardRowsNative(JNIEnv* env, jclass, jlong handle,
                                                                          jintArray ids, jintArray positions,
                                                                          jintArray group, jintArray branch,
                                                                          jintArray rows, jfloatArray logits) {
  aspd::GpuModel* m = gpu(handle);
  aspd::jni::forward_rows(env, ids, positions, group, branch, rows, logits, "GPU forward",
                          [m](const jint* i, const jint* p, const jint* g, const jint* b, int64_t T, const jint* r,
                              int64_t R, jfloat* out, std::string* err) {
                            return aspd::gpu_model_forward_rows(m, i, p, g, b, T, r, R, out, err);
                          });
}

JNIEXPORT void JNICALL Java_org_aspd_decoding_GpuModel_freeNative(JNIEnv*, jclass, jlong handle) {
  aspd::free_gpu_model(gpu(handle));
}

JNIEXPORT jlong JNICALL Java_org_aspd_decoding_GpuModel_capacityNative(JNIEnv*, jclass, jlong handle) {
  return aspd::gpu_model_capacity(*gpu(handle));
}

JNIEXPORT jstring JNICALL Java_org_aspd_decoding_GpuModel_describeNative(JNIEnv* env, jclass, jlong handle) {
  return env->NewStringUTF(aspd::gpu_model_describe(*gpu(handle)).c_str());
}

JNIEXPORT jlong JNICALL Java_org_aspd_decoding_GpuModel_weightBytesNative(JNIEnv*, jclass, jlong handle) {
  return aspd::gpu_model_weight_bytes(*gpu(handle));
}

// Arguments as Engine.createNative (engine_config_jni.h).
JNIEXPORT jlong JNICALL Java_org_aspd_decoding_GpuModel_createEngineNative(
    JNIEnv* env, jclass, jlong handle, jintArray special, jintArray eos, jintArray header_sep, jintArray limits,
    jboolean branch_greedy) {
  aspd::EngineConfig c;
  if (!aspd::jni::read_engine_config(env, special, eos, header_sep, limits, branch_greedy, &c)) return 0;
  std::string err;
  aspd::Engine* e = aspd::create_engine_on(aspd::make_gpu_backend(gpu(handle)), c, &err);
  if (e == nullptr) aspd::jni::throw_illegal_argument(env, "engine: " + err);
  return reinterpret_cast<jlong>(e);
}

}  // extern "C"
