// Java ModelConfig fields -> aspd::ModelConfig, shared by Model (model_jni.cpp) and GpuModel
// (gpu_model_jni.cpp): sizes [8] = V, E, I, L, H, Hkv, D, max positions; reals [2] = rms eps,
// rope theta.
#pragma once

#include <jni.h>

#include "jni_support.h"
#include "model/model_config.h"

namespace aspd::jni {

// false with a Java exception pending when an argument could not be read.
inline bool read_model_config(JNIEnv* env, jstring model_type, jlongArray sizes, jdoubleArray reals, jboolean tie,
                              jboolean bias, ModelConfig* c) {
  if (model_type == nullptr || sizes == nullptr || reals == nullptr) {  // Java checks first; no crash if not
    throw_illegal_argument(env, "null model config argument");
    return false;
  }
  jlong s[8];
  jdouble r[2];
  env->GetLongArrayRegion(sizes, 0, 8, s);
  env->GetDoubleArrayRegion(reals, 0, 2, r);
  const char* type = env->ExceptionCheck() ? nullptr : env->GetStringUTFChars(model_type, nullptr);
  if (type == nullptr) return false;
  c->model_type = type;
  env->ReleaseStringUTFChars(model_type, type);
  c->vocab_size = s[0];
  c->hidden_size = s[1];
  c->intermediate_size = s[2];
  c->num_layers = s[3];
  c->num_heads = s[4];
  c->num_kv_heads = s[5];
  c->head_dim = s[6];
  c->max_positions = s[7];
  c->rms_norm_eps = r[0];
  c->rope_theta = r[1];
  c->tie_word_embeddings = tie;
  c->attention_bias = bias;
  return true;
}

}  // namespace aspd::jni
