// JNI for GpuAttention (lives in libaspd_decoding_cuda.so). Every CUDA failure becomes a Java
// exception: GpuUnavailableException when no device can be opened, NativeFailureException after.
#include <jni.h>

#include <string>

#include "cuda/gpu_attention.h"
#include "jni_support.h"

using aspd::jni::Floats;
using aspd::jni::Ints;
using aspd::jni::Longs;

extern "C" {

JNIEXPORT jint JNICALL Java_org_aspd_decoding_GpuAttention_deviceCountNative(JNIEnv* env, jclass) {
  std::string err;
  const int n = aspd::gpu_device_count(&err);
  if (n < 0) aspd::jni::throw_gpu_unavailable(env, err);
  return n;
}

JNIEXPORT jlong JNICALL Java_org_aspd_decoding_GpuAttention_createNative(JNIEnv* env, jclass, jint device) {
  std::string err;
  aspd::GpuContext* ctx = aspd::create_gpu_context(device, &err);
  if (ctx == nullptr) aspd::jni::throw_gpu_unavailable(env, err);
  return reinterpret_cast<jlong>(ctx);
}

JNIEXPORT void JNICALL Java_org_aspd_decoding_GpuAttention_freeNative(JNIEnv*, jclass, jlong handle) {
  aspd::free_gpu_context(reinterpret_cast<aspd::GpuContext*>(handle));
}

JNIEXPORT void JNICALL Java_org_aspd_decoding_GpuAttention_prefillNative(
    JNIEnv* env, jclass, jlong handle, jint dtype, jfloatArray q, jfloatArray k, jfloatArray v,
    jintArray group, jintArray branch, jint T, jint H, jint Hkv, jint D, jfloat scale,
    jfloatArray out, jlongArray stats) {
  Floats fq(env, q, true), fk(env, k, true), fv(env, v, true), fo(env, out, false);
  Ints g(env, group, true), b(env, branch, true);
  Longs st(env, stats, false);
  if (!fq.ok() || !fk.ok() || !fv.ok() || !fo.ok() || !g.ok() || !b.ok() || !st.ok()) return;
  std::string err;
  long long skipped = 0;
  if (!aspd::gpu_prefill(reinterpret_cast<aspd::GpuContext*>(handle), static_cast<aspd::DType>(dtype),
                         fq.data(), fk.data(), fv.data(), g.data(), b.data(),
                         aspd::PrefillDims{T, H, Hkv, D}, scale, fo.data(), &skipped, &err)) {
    aspd::jni::throw_native_failure(env, err);
    return;
  }
  st.data()[0] = -1;  // the GPU path counts skipped tiles only
  st.data()[1] = skipped;
}

JNIEXPORT void JNICALL Java_org_aspd_decoding_GpuAttention_decodeNative(
    JNIEnv* env, jclass, jlong handle, jint dtype, jfloatArray q, jintArray q_pos,
    jintArray q_group, jintArray q_branch, jfloatArray k, jfloatArray v, jintArray e_pos,
    jintArray e_group, jintArray e_branch, jint A, jint N, jint H, jint Hkv, jint D, jfloat scale,
    jfloatArray out) {
  Floats fq(env, q, true), fk(env, k, true), fv(env, v, true), fo(env, out, false);
  Ints qp(env, q_pos, true), qg(env, q_group, true), qb(env, q_branch, true);
  Ints ep(env, e_pos, true), eg(env, e_group, true), eb(env, e_branch, true);
  if (!fq.ok() || !fk.ok() || !fv.ok() || !fo.ok() || !qp.ok() || !qg.ok() || !qb.ok() ||
      !ep.ok() || !eg.ok() || !eb.ok())
    return;
  std::string err;
  if (!aspd::gpu_decode(reinterpret_cast<aspd::GpuContext*>(handle), static_cast<aspd::DType>(dtype),
                        fq.data(), fk.data(), fv.data(), aspd::TokenTags{qp.data(), qg.data(), qb.data()},
                        aspd::TokenTags{ep.data(), eg.data(), eb.data()},
                        aspd::DecodeDims{A, N, H, Hkv, D}, scale, fo.data(), &err))
    aspd::jni::throw_native_failure(env, err);
}

}  // extern "C"
