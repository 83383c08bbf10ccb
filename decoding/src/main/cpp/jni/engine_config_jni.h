// Java arrays -> native engine inputs, shared by the CPU engine (engine_jni.cpp) and the GPU one
// (gpu_model_jni.cpp), which both build an aspd::EngineConfig from the same Java arguments.
#pragma once

#include <jni.h>

#include <cstdint>
#include <vector>

#include "engine/engine.h"

namespace aspd::jni {

inline std::vector<int32_t> int_vector(JNIEnv* env, jintArray a) {
  std::vector<int32_t> out(static_cast<size_t>(env->GetArrayLength(a)));
  env->GetIntArrayRegion(a, 0, static_cast<jsize>(out.size()), out.data());
  return out;
}

// special [6] in vocabulary order; limits [3] = title.maxTokens, group.maxBranches, group.maxSteps.
// false with a Java exception pending when an array could not be read.
inline bool read_engine_config(JNIEnv* env, jintArray special, jintArray eos, jintArray header_sep, jintArray limits,
                               jboolean branch_greedy, EngineConfig* c) {
  const std::vector<int32_t> s = int_vector(env, special), l = int_vector(env, limits);
  c->eos = int_vector(env, eos);
  c->header_sep = int_vector(env, header_sep);
  if (env->ExceptionCheck()) return false;
  c->special = SpecialTokens{s[0], s[1], s[2], s[3], s[4], s[5]};
  c->limits = GrammarLimits{l[0], l[1], l[2]};
  c->branch_greedy = branch_greedy;
  return true;
}

}  // namespace aspd::jni
