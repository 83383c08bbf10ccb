// JNI for GpuModel (lives in libaspd_decoding_cuda.so). Opening failures (no driver, GPU, cuBLAS,
// or memory) become GpuUnavailableException; a bad engine config IllegalArgumentException. The
// engine it creates is an ordinary aspd::Engine on a GPU backend: Engine.java drives it through
// the CPU library's engine entry points, like a CPU engine.
#include <jni.h>

#include <exception>
#include <string>
#include <vector>

#include "cuda/gpu_backend.h"
#include "cuda/gpu_model.h"
#include "engine/engine.h"
#include "jni_support.h"

namespace {

aspd::GpuModel* gpu(jlong handle) { return reinterpret_cast<aspd::GpuModel*>(handle); }

std::vector<int32_t> ints(JNIEnv* env, jintArray a) {
  std::vector<int32_t> out(static_cast<size_t>(env->GetArrayLength(a)));
  env->GetIntArrayRegion(a, 0, static_cast<jsize>(out.size()), out.data());
  return out;
}

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

// sizes [8] = V, E, I, L, H, Hkv, D, max positions; reals [2] = rms eps, rope theta.
JNIEXPORT jlong JNICALL Java_org_aspd_decoding_GpuModel_randomNative(
    JNIEnv* env, jclass, jstring model_type, jlongArray sizes, jdoubleArray reals, jboolean tie, jboolean bias,
    jlong seed, jint device, jlong capacity, jboolean graphs, jboolean cublas) {
  jlong s[8];
  jdouble r[2];
  env->GetLongArrayRegion(sizes, 0, 8, s);
  env->GetDoubleArrayRegion(reals, 0, 2, r);
  const char* type = env->GetStringUTFChars(model_type, nullptr);
  if (env->ExceptionCheck() || type == nullptr) return 0;
  aspd::ModelConfig c;
  c.model_type = type;
  env->ReleaseStringUTFChars(model_type, type);
  c.vocab_size = s[0], c.hidden_size = s[1], c.intermediate_size = s[2], c.num_layers = s[3];
  c.num_heads = s[4], c.num_kv_heads = s[5], c.head_dim = s[6], c.max_positions = s[7];
  c.rms_norm_eps = r[0], c.rope_theta = r[1], c.tie_word_embeddings = tie, c.attention_bias = bias;
  std::string err;
  aspd::GpuModel* m = nullptr;
  try {
    m = aspd::create_random_gpu_model(c, static_cast<uint64_t>(seed), options(device, capacity, graphs, cublas), &err);
  } catch (const std::exception& e) {
    err = e.what();
  }
  return opened(env, m, err);
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

// special [6] in vocabulary order; limits [3] = title.maxTokens, group.maxBranches, group.maxSteps.
JNIEXPORT jlong JNICALL Java_org_aspd_decoding_GpuModel_createEngineNative(
    JNIEnv* env, jclass, jlong handle, jintArray special, jintArray eos, jintArray header_sep, jintArray limits,
    jboolean branch_greedy) {
  const std::vector<int32_t> s = ints(env, special), l = ints(env, limits);
  aspd::EngineConfig c;
  c.eos = ints(env, eos);
  c.header_sep = ints(env, header_sep);
  if (env->ExceptionCheck()) return 0;
  c.special = aspd::SpecialTokens{s[0], s[1], s[2], s[3], s[4], s[5]};
  c.limits = aspd::GrammarLimits{l[0], l[1], l[2]};
  c.branch_greedy = branch_greedy;
  std::string err;
  aspd::Engine* e = aspd::create_engine_on(aspd::make_gpu_backend(gpu(handle)), c, &err);
  if (e == nullptr) aspd::jni::throw_illegal_argument(env, "engine: " + err);
  return reinterpret_cast<jlong>(e);
}

}  // extern "C"
