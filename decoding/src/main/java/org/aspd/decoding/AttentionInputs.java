package org.aspd.decoding;

import java.util.Objects;

/** Java-side validation shared by the CPU and GPU attention classes (nothing crosses JNI unchecked). */
final class AttentionInputs {
  private AttentionInputs() {}

  /** Checks Q/K/V lengths and labels against the shape; returns T. */
  static int checkPrefill(AttentionShape shape, float[] q, float[] k, float[] v, int[] groupId, int[] branchId,
      float scale) {
    Objects.requireNonNull(shape, "shape");
    Objects.requireNonNull(groupId, "groupId");
    Objects.requireNonNull(branchId, "branchId");
    int t = shape.tokensOfQuery(q, "q");
    checkSame(t, shape.tokensOfKv(k, "k"), "k");
    checkSame(t, shape.tokensOfKv(v, "v"), "v");
    if (groupId.length != t || branchId.length != t) {
      throw new IllegalArgumentException("labels must have T = " + t + " entries: groupId " + groupId.length
          + ", branchId " + branchId.length);
    }
    new TokenTags(new int[t], groupId, branchId); // label consistency (main = (-1, 0))
    checkScale(scale);
    return t;
  }

  /** Checks decode inputs; returns {A, N}. */
  static int[] checkDecode(AttentionShape shape, float[] q, TokenTags queryTags, float[] kCache, float[] vCache,
      TokenTags cacheTags, float scale) {
    Objects.requireNonNull(shape, "shape");
    Objects.requireNonNull(queryTags, "queryTags");
    Objects.requireNonNull(cacheTags, "cacheTags");
    int a = shape.tokensOfQuery(q, "q");
    int n = shape.tokensOfKv(kCache, "kCache");
    checkSame(n, shape.tokensOfKv(vCache, "vCache"), "vCache");
    if (queryTags.length() != a) {
      throw new IllegalArgumentException("queryTags has " + queryTags.length() + " entries, q has A = " + a);
    }
    if (cacheTags.length() != n) {
      throw new IllegalArgumentException("cacheTags has " + cacheTags.length() + " entries, cache has N = " + n);
    }
    checkScale(scale);
    return new int[] {a, n};
  }

  private static void checkSame(int t, int other, String name) {
    if (other != t) throw new IllegalArgumentException(name + " describes " + other + " tokens, q describes " + t);
  }

  private static void checkScale(float scale) {
    if (!(scale > 0f) || Float.isInfinite(scale)) {
      throw new IllegalArgumentException("scale must be positive and finite: " + scale);
    }
  }
}
