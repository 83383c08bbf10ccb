// JNI for SampleLayouter and SampleLayout: stateless except for the Layouter handle.
#include <jni.h>


#include "core/layout.h"
#include "core/visibility.h"
#include "jni_support.h"

using aspd::jni::Bytes;
using aspd::jni::Ints;

extern "C" {

JNIEXPORT jlong JNICALL Java_org_aspd_decoding_SampleLayouter_createNative(
    JNIEnv* env, jclass, jintArray specials, jlong vocab_size, jintArray header_sep) {
  Ints s(env, specials, true);
  Ints sep(env, header_sep, true);
  if (!s.ok() || !sep.ok()) return 0;
  const int32_t* v = s.data();
  aspd::LayoutError err;
  std::vector<int32_t> separator(sep.data(), sep.data() + env->GetArrayLength(header_sep));
  aspd::Layouter* layouter = aspd::create_layouter(aspd::SpecialTokens{v[0], v[1], v[2], v[3], v[4], v[5]},
                                                   vocab_size, &err, std::move(separator));
  if (layouter == nullptr) aspd::jni::throw_illegal_argument(env, err.message);
  return reinterpret_cast<jlong>(layouter);
}

JNIEXPORT void JNICALL Java_org_aspd_decoding_SampleLayouter_freeNative(JNIEnv*, jclass, jlong handle) {
  aspd::free_layouter(reinterpret_cast<aspd::Layouter*>(handle));
}

// Fills group/branch/positions [T] (arrays allocated by Java); returns the number of groups.
JNIEXPORT jint JNICALL Java_org_aspd_decoding_SampleLayouter_layoutNative(
    JNIEnv* env, jclass, jlong handle, jintArray ids, jintArray group, jintArray branch,
    jintArray pos_same_seq, jintArray pos_same_max, jintArray pos_fixed_range) {
  const auto* layouter = reinterpret_cast<const aspd::Layouter*>(handle);
  const jsize n = env->GetArrayLength(ids);
  aspd::SampleLayout layout;
  aspd::LayoutError err;
  {
    Ints in(env, ids, true);
    if (!in.ok()) return 0;
    if (!aspd::compute_layout(in.data(), static_cast<size_t>(n), layouter->special,
                              layouter->vocab_size, &layout, &err, layouter->header_sep)) {
      aspd::jni::throw_malformed(env, err.index, aspd::layout_rule_name(err.rule), err.message);
      return 0;
    }
  }
  jintArray outs[5] = {group, branch, pos_same_seq, pos_same_max, pos_fixed_range};
  const std::vector<int32_t>* values[5] = {&layout.group_id, &layout.branch_id, &layout.positions[0],
                                           &layout.positions[1], &layout.positions[2]};
  for (int a = 0; a < 5; ++a) env->SetIntArrayRegion(outs[a], 0, n, values[a]->data());
  return static_cast<jint>(layout.groups.size());
}

JNIEXPORT jboolean JNICALL Java_org_aspd_decoding_SampleLayout_visibleNative(
    JNIEnv*, jclass, jint i, jint j, jint gi, jint bi, jint gj, jint bj) {
  return aspd::packed_visible(i, j, gi, bi, gj, bj) ? JNI_TRUE : JNI_FALSE;
}

// Dense mask [T, T] (row i = query), 1 = visible; only for tests and small inspections.
JNIEXPORT void JNICALL Java_org_aspd_decoding_SampleLayout_maskNative(
    JNIEnv* env, jclass, jintArray group, jintArray branch, jbyteArray out) {
  const jsize n = env->GetArrayLength(group);
  Ints g(env, group, true), b(env, branch, true);
  Bytes m(env, out, false);
  if (!g.ok() || !b.ok() || !m.ok()) return;
  for (jsize i = 0; i < n; ++i)
    for (jsize j = 0; j < n; ++j)
      m.data()[static_cast<int64_t>(i) * n + j] =
          aspd::packed_visible(i, j, g.data()[i], b.data()[i], g.data()[j], b.data()[j]) ? 1 : 0;
}

}  // extern "C"
