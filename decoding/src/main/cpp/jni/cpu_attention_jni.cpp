// JNI for CpuAttention. Shapes were validated in Java (AttentionInputs); arrays are trusted here.
#include <jni.h>

#include <exception>
#include <string>

#include "core/attention_cpu.h"
#include "jni_support.h"

using aspd::jni::Floats;
using aspd::jni::Ints;
using aspd::jni::Longs;

extern "C" {

JNIEXPORT jlong JNICALL Java_org_aspd_decoding_CpuAttention_createNative(JNIEnv*, jclass, jint threads) {
  return reinterpret_cast<jlong>(aspd::create_cpu_attention(threads));
}

JNIEXPORT void JNICALL Java_org_aspd_decoding_CpuAttention_freeNative(JNIEnv*, jclass, jlong handle) {
  aspd::free_cpu_attention(reinterpret_cast<aspd::CpuAttention*>(handle));
}

// stats [2] receives (tiles visited, tiles skipped).
JNIEXPORT void JNICALL Java_org_aspd_decoding_CpuAttention_prefillNative(
    JNIEnv* env, jclass, jlong handle, jfloatArray q, jfloatArray k, jfloatArray v,
    jintArray group, jintArray branch, jint T, jint H, jint Hkv, jint D, jfloat scale,
    jfloatArray out, jlongArray stats) {
  Floats fq(env, q, true), fk(env, k, true), fv(env, v, true), fo(env, out, false);
  Ints g(env, group, true), b(env, branch, true);
  Longs st(env, stats, false);
  if (!fq.ok() || !fk.ok() || !fv.ok() || !fo.ok() || !g.ok() || !b.ok() || !st.ok()) return;
  aspd::TileStats tile_stats;
  try {  // a worker's std::bad_alloc, rethrown by parallel_for, must not unwind into the JVM
    aspd::prefill_cpu(reinterpret_cast<const aspd::CpuAttention*>(handle), fq.data(), fk.data(),
                      fv.data(), g.data(), b.data(), aspd::PrefillDims{T, H, Hkv, D}, scale, fo.data(),
                      &tile_stats);
  } catch (const std::exception& e) {
    aspd::jni::throw_native_failure(env, std::string("CPU attention prefill: ") + e.what());
    return;
  }
  st.data()[0] = tile_stats.visited;
  st.data()[1] = tile_stats.skipped;
}

JNIEXPORT void JNICALL Java_org_aspd_decoding_CpuAttention_decodeNative(
    JNIEnv* env, jclass, jlong handle, jfloatArray q, jintArray q_pos, jintArray q_group,
    jintArray q_branch, jfloatArray k, jfloatArray v, jintArray e_pos, jintArray e_group,
    jintArray e_branch, jint A, jint N, jint H, jint Hkv, jint D, jfloat scale, jfloatArray out) {
  Floats fq(env, q, true), fk(env, k, true), fv(env, v, true), fo(env, out, false);
  Ints qp(env, q_pos, true), qg(env, q_group, true), qb(env, q_branch, true);
  Ints ep(env, e_pos, true), eg(env, e_group, true), eb(env, e_branch, true);
  if (!fq.ok() || !fk.ok() || !fv.ok() || !fo.ok() || !qp.ok() || !qg.ok() || !qb.ok() ||
      !ep.ok() || !eg.ok() || !eb.ok())
    return;
  try {
    aspd::decode_cpu(reinterpret_cast<const aspd::CpuAttention*>(handle), fq.data(), fk.data(),
                     fv.data(), aspd::TokenTags{qp.data(), qg.data(), qb.data()},
                     aspd::TokenTags{ep.data(), eg.data(), eb.data()},
                     aspd::DecodeDims{A, N, H, Hkv, D}, scale, fo.data());
  } catch (const std::exception& e) {
    aspd::jni::throw_native_failure(env, std::string("CPU attention decode: ") + e.what());
  }
}

}  // extern "C"
