// Shared JNI plumbing for both libraries: exception classes cached in JNI_OnLoad, throw helpers,
// and scoped access to Java primitive arrays. Java has validated shapes before any call; these
// helpers only turn native failures into Java exceptions.
#pragma once

#include <jni.h>

#include <cstdint>
#include <exception>
#include <string>

namespace aspd::jni {

void throw_illegal_argument(JNIEnv* env, const std::string& message);
void throw_native_failure(JNIEnv* env, const std::string& message);
void throw_gpu_unavailable(JNIEnv* env, const std::string& message);
void throw_model_format(JNIEnv* env, const std::string& message);
// A new String[] (nullptr with an OutOfMemoryError pending).
jobjectArray new_string_array(JNIEnv* env, jsize length);
// MalformedSampleException(int tokenIndex, String ruleName, String message)
void throw_malformed(JNIEnv* env, int64_t index, const char* rule, const std::string& message);

// Elements of a Java int[]/float[]/byte[] for the scope of one call; copied back on destruction
// unless read_only (inputs are released with JNI_ABORT so nothing is written back).
template <typename JArray, typename T>
class ArrayElements {
 public:
  ArrayElements(JNIEnv* env, JArray array, bool read_only);
  ~ArrayElements();
  ArrayElements(const ArrayElements&) = delete;
  ArrayElements& operator=(const ArrayElements&) = delete;
  T* data() const { return data_; }
  bool ok() const { return data_ != nullptr; }  // false: an OutOfMemoryError is pending

 private:
  JNIEnv* env_;
  JArray array_;
  T* data_;
  bool read_only_;
};

using Ints = ArrayElements<jintArray, jint>;
using Floats = ArrayElements<jfloatArray, jfloat>;
using Bytes = ArrayElements<jbyteArray, jbyte>;
using Longs = ArrayElements<jlongArray, jlong>;

// The body of a forwardRows native (CPU Model and GpuModel): the arrays pinned for the call,
// forward(ids, positions, group, branch, T, rows, R, logits, &err) run, a false return or an
// exception thrown as NativeFailureException("<what>: <err>"). Java has checked the arrays.
template <typename Forward>
void forward_rows(JNIEnv* env, jintArray ids, jintArray positions, jintArray group, jintArray branch, jintArray rows,
                  jfloatArray logits, const char* what, Forward forward) {
  const jsize T = env->GetArrayLength(ids), R = env->GetArrayLength(rows);
  Ints i(env, ids, true), p(env, positions, true), g(env, group, true), b(env, branch, true), r(env, rows, true);
  Floats out(env, logits, false);
  if (!i.ok() || !p.ok() || !g.ok() || !b.ok() || !r.ok() || !out.ok()) return;
  std::string err;
  bool ok = false;
  try {
    ok = forward(i.data(), p.data(), g.data(), b.data(), static_cast<int64_t>(T), r.data(), static_cast<int64_t>(R),
                 out.data(), &err);
  } catch (const std::exception& e) {
    err = e.what();
  }
  if (!ok) throw_native_failure(env, std::string(what) + ": " + err);
}

}  // namespace aspd::jni
