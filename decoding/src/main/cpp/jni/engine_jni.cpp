// JNI for Engine (engine/engine.h). Inputs were validated in Java (Engine.java); the native side
// re-checks them and reports every failure as a Java exception: IllegalArgumentException for a
// config or a response the engine cannot run, NativeFailureException for anything else. A run's
// result stays in a native DecodeRun handle until Java has copied it out (freeRunNative).
#include <jni.h>

#include <exception>
#include <new>
#include <string>

#include "engine/engine.h"
#include "engine_config_jni.h"
#include "jni_support.h"

namespace {

// Layout of the long[] filled by runStatsNative; mirrored by DecodeResult.java.
enum Stat : int {
  kTokens, kPromptTokens, kForwardPasses, kGroups, kBranches, kBranchTokens, kDroppedTitles,
  kPrefillNs, kSerialNs, kParallelNs, kTotalNs, kHistogramLength, kStopReason, kLogitsKept, kStatCount
};

aspd::Engine* engine(jlong handle) { return reinterpret_cast<aspd::Engine*>(handle); }
aspd::DecodeRun* run(jlong handle) { return reinterpret_cast<aspd::DecodeRun*>(handle); }

// Runs one mode; returns a DecodeRun handle, or 0 with a pending exception.
template <typename Mode>
jlong run_mode(JNIEnv* env, const char* name, Mode mode) {
  auto* out = new (std::nothrow) aspd::DecodeRun;
  if (out == nullptr) {
    aspd::jni::throw_native_failure(env, std::string(name) + ": out of memory");
    return 0;
  }
  std::string err;
  bool ok = false;
  try {
    ok = mode(out, &err);
  } catch (const std::exception& e) {
    err = e.what();
  }
  if (!ok) {
    delete out;
    const bool failure = err.rfind("internal", 0) == 0 || err.find("out of memory") != std::string::npos ||
                         err.find(aspd::kNonFiniteLogits) != std::string::npos;
    if (env->ExceptionCheck()) return 0;
    if (failure) aspd::jni::throw_native_failure(env, std::string(name) + ": " + err);
    else aspd::jni::throw_illegal_argument(env, std::string(name) + ": " + err);
    return 0;
  }
  return reinterpret_cast<jlong>(out);
}

}  // namespace

extern "C" {

// special [6] in vocabulary order; limits [3] = title.maxTokens, group.maxBranches, group.maxSteps.
JNIEXPORT jlong JNICALL Java_org_aspd_decoding_Engine_createNative(
    JNIEnv* env, jclass, jlong model, jintArray special, jintArray eos, jintArray header_sep, jintArray limits,
    jboolean branch_greedy) {
  aspd::EngineConfig c;
  if (!aspd::jni::read_engine_config(env, special, eos, header_sep, limits, branch_greedy, &c)) return 0;
  std::string err;
  aspd::Engine* e = aspd::create_engine(*reinterpret_cast<const aspd::Model*>(model), c, &err);
  if (e == nullptr) aspd::jni::throw_illegal_argument(env, "engine: " + err);
  return reinterpret_cast<jlong>(e);
}

JNIEXPORT void JNICALL Java_org_aspd_decoding_Engine_freeNative(JNIEnv*, jclass, jlong handle) {
  aspd::free_engine(engine(handle));
}

JNIEXPORT jlong JNICALL Java_org_aspd_decoding_Engine_replayNative(
    JNIEnv* env, jclass, jlong handle, jintArray prompt, jintArray response, jboolean keep_logits) {
  const std::vector<int32_t> p = aspd::jni::int_vector(env, prompt), r = aspd::jni::int_vector(env, response);
  if (env->ExceptionCheck()) return 0;
  return run_mode(env, "replay", [&](aspd::DecodeRun* out, std::string* err) {
    return aspd::engine_replay(*engine(handle), p.data(), static_cast<int64_t>(p.size()), r.data(),
                               static_cast<int64_t>(r.size()), keep_logits, out, err);
  });
}

JNIEXPORT jlong JNICALL Java_org_aspd_decoding_Engine_serialNative(
    JNIEnv* env, jclass, jlong handle, jintArray prompt, jintArray response, jboolean keep_logits) {
  const std::vector<int32_t> p = aspd::jni::int_vector(env, prompt), r = aspd::jni::int_vector(env, response);
  if (env->ExceptionCheck()) return 0;
  return run_mode(env, "serial", [&](aspd::DecodeRun* out, std::string* err) {
    return aspd::engine_serial(*engine(handle), p.data(), static_cast<int64_t>(p.size()), r.data(),
                               static_cast<int64_t>(r.size()), keep_logits, out, err);
  });
}

JNIEXPORT jlong JNICALL Java_org_aspd_decoding_Engine_generateNative(
    JNIEnv* env, jclass, jlong handle, jintArray prompt, jfloat temperature, jint top_k, jfloat top_p, jlong seed,
    jlong max_new_tokens) {
  const std::vector<int32_t> p = aspd::jni::int_vector(env, prompt);
  if (env->ExceptionCheck()) return 0;
  const aspd::SamplerConfig sampling{temperature, top_k, top_p, static_cast<uint64_t>(seed)};
  return run_mode(env, "generate", [&](aspd::DecodeRun* out, std::string* err) {
    return aspd::engine_generate(*engine(handle), p.data(), static_cast<int64_t>(p.size()), sampling,
                                 max_new_tokens, out, err);
  });
}

JNIEXPORT void JNICALL Java_org_aspd_decoding_Engine_runStatsNative(JNIEnv* env, jclass, jlong handle,
                                                                    jlongArray stats) {
  const aspd::DecodeRun& r = *run(handle);
  jlong s[kStatCount];
  s[kTokens] = static_cast<jlong>(r.ids.size());
  s[kPromptTokens] = r.prompt_tokens;
  s[kForwardPasses] = r.forward_passes;
  s[kGroups] = r.groups;
  s[kBranches] = r.branches;
  s[kBranchTokens] = r.branch_tokens;
  s[kDroppedTitles] = r.dropped_titles;
  s[kPrefillNs] = r.prefill_ns;
  s[kSerialNs] = r.serial_ns;
  s[kParallelNs] = r.parallel_ns;
  s[kTotalNs] = r.total_ns;
  s[kHistogramLength] = static_cast<jlong>(r.steps_by_active.size());
  s[kStopReason] = static_cast<jlong>(r.stop);
  s[kLogitsKept] = r.logits.empty() ? 0 : 1;
  env->SetLongArrayRegion(stats, 0, kStatCount, s);
}

// Arrays sized by Java from the stats; logits may be null.
JNIEXPORT void JNICALL Java_org_aspd_decoding_Engine_runArraysNative(
    JNIEnv* env, jclass, jlong handle, jintArray ids, jintArray position, jintArray group, jintArray branch,
    jintArray forward, jlongArray steps_by_active, jlongArray ns_by_active, jfloatArray logits) {
  const aspd::DecodeRun& r = *run(handle);
  const jsize T = static_cast<jsize>(r.ids.size()), H = static_cast<jsize>(r.steps_by_active.size());
  env->SetIntArrayRegion(ids, 0, T, r.ids.data());
  env->SetIntArrayRegion(position, 0, T, r.position.data());
  env->SetIntArrayRegion(group, 0, T, r.group.data());
  env->SetIntArrayRegion(branch, 0, T, r.branch.data());
  env->SetIntArrayRegion(forward, 0, T, r.forward.data());
  std::vector<jlong> steps(r.steps_by_active.begin(), r.steps_by_active.end());
  std::vector<jlong> ns(r.ns_by_active.begin(), r.ns_by_active.end());
  env->SetLongArrayRegion(steps_by_active, 0, H, steps.data());
  env->SetLongArrayRegion(ns_by_active, 0, H, ns.data());
  if (logits != nullptr && !r.logits.empty())
    env->SetFloatArrayRegion(logits, 0, static_cast<jsize>(r.logits.size()), r.logits.data());
}

JNIEXPORT void JNICALL Java_org_aspd_decoding_Engine_freeRunNative(JNIEnv*, jclass, jlong handle) {
  delete run(handle);
}

JNIEXPORT jint JNICALL Java_org_aspd_decoding_Engine_statCountNative(JNIEnv*, jclass) { return kStatCount; }

}  // extern "C"
