#include "jni_support.h"

namespace aspd::jni {

namespace {

// Global references taken once in JNI_OnLoad (style: ids cached, never looked up per call).
struct Cache {
  jclass illegal_argument = nullptr;
  jclass native_failure = nullptr;
  jclass gpu_unavailable = nullptr;
  jclass malformed = nullptr;
  jclass model_format = nullptr;
  jclass string = nullptr;
  jmethodID malformed_ctor = nullptr;
};
Cache cache;

jclass global_class(JNIEnv* env, const char* name) {
  jclass local = env->FindClass(name);
  if (local == nullptr) return nullptr;
  jclass global = static_cast<jclass>(env->NewGlobalRef(local));
  env->DeleteLocalRef(local);
  return global;
}

}  // namespace

void throw_illegal_argument(JNIEnv* env, const std::string& message) {
  env->ThrowNew(cache.illegal_argument, message.c_str());
}

void throw_native_failure(JNIEnv* env, const std::string& message) {
  env->ThrowNew(cache.native_failure, message.c_str());
}

void throw_gpu_unavailable(JNIEnv* env, const std::string& message) {
  env->ThrowNew(cache.gpu_unavailable, message.c_str());
}

void throw_model_format(JNIEnv* env, const std::string& message) {
  env->ThrowNew(cache.model_format, message.c_str());
}

jobjectArray new_string_array(JNIEnv* env, jsize length) {
  return env->NewObjectArray(length, cache.string, nullptr);
}

void throw_malformed(JNIEnv* env, int64_t index, const char* rule, const std::string& message) {
  jstring j_rule = env->NewStringUTF(rule);
  jstring j_message = env->NewStringUTF(message.c_str());
  if (j_rule == nullptr || j_message == nullptr) return;  // OutOfMemoryError pending
  auto ex = static_cast<jthrowable>(env->NewObject(cache.malformed, cache.malformed_ctor,
                                                   static_cast<jint>(index), j_rule, j_message));
  if (ex != nullptr) env->Throw(ex);
}

#define ASPD_ARRAY_ELEMENTS(JArray, T, Name)                                                  \
  template <>                                                                                 \
  ArrayElements<JArray, T>::ArrayElements(JNIEnv* env, JArray array, bool read_only)          \
      : env_(env), array_(array), data_(env->Get##Name##ArrayElements(array, nullptr)),       \
        read_only_(read_only) {}                                                              \
  template <>                                                                                 \
  ArrayElements<JArray, T>::~ArrayElements() {                                                \
    if (data_ != nullptr)                                                                     \
      env_->Release##Name##ArrayElements(array_, data_, read_only_ ? JNI_ABORT : 0);          \
  }

ASPD_ARRAY_ELEMENTS(jintArray, jint, Int)
ASPD_ARRAY_ELEMENTS(jfloatArray, jfloat, Float)
ASPD_ARRAY_ELEMENTS(jbyteArray, jbyte, Byte)
ASPD_ARRAY_ELEMENTS(jlongArray, jlong, Long)

}  // namespace aspd::jni

extern "C" JNIEXPORT jint JNICALL JNI_OnLoad(JavaVM* vm, void*) {
  using aspd::jni::cache;
  JNIEnv* env = nullptr;
  if (vm->GetEnv(reinterpret_cast<void**>(&env), JNI_VERSION_1_8) != JNI_OK) return JNI_ERR;
  cache.illegal_argument = aspd::jni::global_class(env, "java/lang/IllegalArgumentException");
  cache.native_failure = aspd::jni::global_class(env, "org/aspd/decoding/NativeFailureException");
  cache.gpu_unavailable = aspd::jni::global_class(env, "org/aspd/decoding/GpuUnavailableException");
  cache.malformed = aspd::jni::global_class(env, "org/aspd/decoding/MalformedSampleException");
  cache.model_format = aspd::jni::global_class(env, "org/aspd/decoding/ModelFormatException");
  cache.string = aspd::jni::global_class(env, "java/lang/String");
  if (cache.illegal_argument == nullptr || cache.native_failure == nullptr ||
      cache.gpu_unavailable == nullptr || cache.malformed == nullptr || cache.model_format == nullptr ||
      cache.string == nullptr)
    return JNI_ERR;  // NoClassDefFoundError is pending and fails System.load
  cache.malformed_ctor =
      env->GetMethodID(cache.malformed, "<init>", "(ILjava/lang/String;Ljava/lang/String;)V");
  if (cache.malformed_ctor == nullptr) return JNI_ERR;
  return JNI_VERSION_1_8;
}

extern "C" JNIEXPORT void JNICALL JNI_OnUnload(JavaVM* vm, void*) {
  using aspd::jni::cache;
  JNIEnv* env = nullptr;
  if (vm->GetEnv(reinterpret_cast<void**>(&env), JNI_VERSION_1_8) != JNI_OK) return;
  for (jclass c : {cache.illegal_argument, cache.native_failure, cache.gpu_unavailable, cache.malformed,
                   cache.model_format, cache.string})
    if (c != nullptr) env->DeleteGlobalRef(c);
  cache = {};
}
