// Shared JNI plumbing for both libraries: exception classes cached in JNI_OnLoad, throw helpers,
// and scoped access to Java primitive arrays. Java has validated shapes before any call; these
// helpers only turn native failures into Java exceptions.
#pragma once

#include <jni.h>

#include <cstdint>
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

}  // namespace aspd::jni
