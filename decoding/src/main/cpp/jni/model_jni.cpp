// JNI for Model. Inputs were validated in Java (Model.java); the native side re-checks ids and
// positions and reports every failure as a Java exception, never a crash: bad checkpoints become
// ModelFormatException, allocation failures NativeFailureException.
#include <jni.h>

#include <exception>
#include <string>

#include "jni_support.h"
#include "model_config_jni.h"
#include "model/model.h"

using aspd::jni::Floats;
using aspd::jni::Ints;

namespace {

aspd::Model* model(jlong handle) { return reinterpret_cast<aspd::Model*>(handle); }

// The string's characters; null raises IllegalArgumentException (the Java side checks first: this
// is the last guard before GetStringUTFChars, which crashes on null). Callers check ExceptionCheck.
std::string java_string(JNIEnv* env, jstring s) {
  if (s == nullptr) {
    aspd::jni::throw_illegal_argument(env, "null string");
    return {};
  }
  const char* chars = env->GetStringUTFChars(s, nullptr);
  if (chars == nullptr) return {};
  std::string out(chars);
  env->ReleaseStringUTFChars(s, chars);
  return out;
}

const aspd::TensorSlot* find_slot(const std::vector<aspd::TensorSlot>& slots, const std::string& name) {
  for (const aspd::TensorSlot& s : slots)
    if (s.name == name) return &s;
  return nullptr;
}

}  // namespace

extern "C" {

// Config arguments as model_config_jni.h reads them.
JNIEXPORT jlong JNICALL Java_org_aspd_decoding_Model_createRandomNative(
    JNIEnv* env, jclass, jstring model_type, jlongArray sizes, jdoubleArray reals, jboolean tie,
    jboolean bias, jlong seed, jint threads) {
  aspd::ModelConfig c;
  if (!aspd::jni::read_model_config(env, model_type, sizes, reals, tie, bias, &c)) return 0;
  std::string err;
  aspd::Model* m = nullptr;
  try {
    m = aspd::create_random_model(c, static_cast<uint64_t>(seed), threads, &err);
  } catch (const std::exception& e) {
    err = e.what();
  }
  if (m == nullptr) aspd::jni::throw_native_failure(env, "random model: " + err);
  return reinterpret_cast<jlong>(m);
}

JNIEXPORT jlong JNICALL Java_org_aspd_decoding_Model_loadNative(JNIEnv* env, jclass, jstring dir, jint threads) {
  const std::string path = java_string(env, dir);
  if (env->ExceptionCheck()) return 0;
  std::string err;
  aspd::Model* m = nullptr;
  try {
    m = aspd::load_model(path, threads, &err);
  } catch (const std::exception& e) {
    err = path + ": " + e.what();
  }
  if (m == nullptr) aspd::jni::throw_model_format(env, err);
  return reinterpret_cast<jlong>(m);
}

JNIEXPORT void JNICALL Java_org_aspd_decoding_Model_freeNative(JNIEnv*, jclass, jlong handle) {
  aspd::free_model(model(handle));
}

JNIEXPORT jstring JNICALL Java_org_aspd_decoding_Model_configNative(
    JNIEnv* env, jclass, jlong handle, jlongArray sizes, jdoubleArray reals, jbooleanArray flags) {
  const aspd::ModelConfig& c = model(handle)->config;
  const jlong s[8] = {c.vocab_size, c.hidden_size, c.intermediate_size, c.num_layers,
                      c.num_heads,  c.num_kv_heads, c.head_dim,        c.max_positions};
  const jdouble r[2] = {c.rms_norm_eps, c.rope_theta};
  const jboolean f[2] = {static_cast<jboolean>(c.tie_word_embeddings), static_cast<jboolean>(c.attention_bias)};
  env->SetLongArrayRegion(sizes, 0, 8, s);
  env->SetDoubleArrayRegion(reals, 0, 2, r);
  env->SetBooleanArrayRegion(flags, 0, 2, f);
  return env->NewStringUTF(c.model_type.c_str());
}

// logits [R, V] for the token indices in rows [R].
JNIEXPORT void JNICALL Java_org_aspd_decoding_Model_forwardNative(
    JNIEnv* env, jclass, jlong handle, jintArray ids, jintArray positions, jintArray group,
    jintArray branch, jintArray rows, jfloatArray logits) {
  const aspd::Model* m = model(handle);
  aspd::jni::forward_rows(env, ids, positions, group, branch, rows, logits, "forward",
                          [m](const jint* i, const jint* p, const jint* g, const jint* b, int64_t T, const jint* r,
                              int64_t R, jfloat* out, std::string* err) {
                            return aspd::model_forward(*m, i, p, g, b, T, r, R, out, err);
                          });
}

JNIEXPORT jobjectArray JNICALL Java_org_aspd_decoding_Model_tensorNamesNative(JNIEnv* env, jclass, jlong handle) {
  const std::vector<aspd::TensorSlot> slots = aspd::model_tensor_slots(model(handle));
  jobjectArray out = aspd::jni::new_string_array(env, static_cast<jsize>(slots.size()));
  if (out == nullptr) return nullptr;
  for (size_t k = 0; k < slots.size(); ++k) {
    jstring name = env->NewStringUTF(slots[k].name.c_str());
    if (name == nullptr) return nullptr;
    env->SetObjectArrayElement(out, static_cast<jsize>(k), name);
    env->DeleteLocalRef(name);
  }
  return out;
}

// Shape of a tensor, or null when the model has no tensor of that name.
JNIEXPORT jlongArray JNICALL Java_org_aspd_decoding_Model_tensorShapeNative(JNIEnv* env, jclass, jlong handle,
                                                                             jstring name) {
  const std::vector<aspd::TensorSlot> slots = aspd::model_tensor_slots(model(handle));
  const std::string wanted = java_string(env, name);
  if (env->ExceptionCheck()) return nullptr;
  const aspd::TensorSlot* slot = find_slot(slots, wanted);
  if (slot == nullptr) return nullptr;
  jlongArray out = env->NewLongArray(static_cast<jsize>(slot->shape.size()));
  if (out == nullptr) return nullptr;
  std::vector<jlong> dims(slot->shape.begin(), slot->shape.end());
  env->SetLongArrayRegion(out, 0, static_cast<jsize>(dims.size()), dims.data());
  return out;
}

// Copies the float32 values of tensor `name` into out (sized by Java from the shape).
JNIEXPORT void JNICALL Java_org_aspd_decoding_Model_tensorNative(JNIEnv* env, jclass, jlong handle, jstring name,
                                                                  jfloatArray out) {
  const std::vector<aspd::TensorSlot> slots = aspd::model_tensor_slots(model(handle));
  const std::string wanted = java_string(env, name);
  if (env->ExceptionCheck()) return;
  const aspd::TensorSlot* slot = find_slot(slots, wanted);
  if (slot == nullptr || static_cast<size_t>(env->GetArrayLength(out)) != slot->data->size()) {
    aspd::jni::throw_illegal_argument(env, "no tensor of that name and size");
    return;
  }
  env->SetFloatArrayRegion(out, 0, static_cast<jsize>(slot->data->size()), slot->data->data());
}

}  // extern "C"
