package org.aspd.decoding;

/**
 * Float64 attention written independently in Java (two-pass softmax, the §5 rule spelled out), the
 * oracle for the native paths in Java tests.
 */
final class ReferenceAttention {
  private ReferenceAttention() {}

  static double[] prefill(AttentionShape s, float[] q, float[] k, float[] v, int[] g, int[] b, double scale) {
    int t = g.length;
    double[] out = new double[q.length];
    for (int i = 0; i < t; i++) {
      for (int h = 0; h < s.heads(); h++) {
        final int row = i;
        attend(s, q, (i * s.heads() + h) * s.headDim(), k, v, t, h,
            j -> j <= row && !(g[row] >= 0 && g[row] == g[j] && b[row] != b[j]), scale, out,
            (i * s.heads() + h) * s.headDim());
      }
    }
    return out;
  }

  static double[] decode(AttentionShape s, float[] q, TokenTags qt, float[] k, float[] v, TokenTags et,
      double scale) {
    double[] out = new double[q.length];
    for (int a = 0; a < qt.length(); a++) {
      final int qa = a;
      for (int h = 0; h < s.heads(); h++) {
        attend(s, q, (a * s.heads() + h) * s.headDim(), k, v, et.length(), h,
            e -> et.position()[e] <= qt.position()[qa]
                && !(qt.groupId()[qa] >= 0 && qt.groupId()[qa] == et.groupId()[e] && qt.branchId()[qa] != et.branchId()[e]),
            scale, out, (a * s.heads() + h) * s.headDim());
      }
    }
    return out;
  }

  private static void attend(AttentionShape s, float[] q, int qOff, float[] k, float[] v, int n, int h,
      java.util.function.IntPredicate visible, double scale, double[] out, int outOff) {
    int d = s.headDim();
    int kvHead = h / (s.heads() / s.kvHeads());
    double[] score = new double[n];
    double max = Double.NEGATIVE_INFINITY;
    for (int j = 0; j < n; j++) {
      if (!visible.test(j)) continue;
      int kOff = (j * s.kvHeads() + kvHead) * d;
      double dot = 0;
      for (int x = 0; x < d; x++) dot += (double) q[qOff + x] * k[kOff + x];
      score[j] = dot * scale;
      max = Math.max(max, score[j]);
    }
    if (max == Double.NEGATIVE_INFINITY) return;
    double denom = 0;
    for (int j = 0; j < n; j++) {
      if (!visible.test(j)) continue;
      double p = Math.exp(score[j] - max);
      denom += p;
      int vOff = (j * s.kvHeads() + kvHead) * d;
      for (int x = 0; x < d; x++) out[outOff + x] += p * v[vOff + x];
    }
    for (int x = 0; x < d; x++) out[outOff + x] /= denom;
  }

  /** Fails with the first few mismatches when |got - want| > atol + rtol * |want| anywhere. */
  static void assertClose(String what, float[] got, double[] want, double atol, double rtol) {
    StringBuilder first = new StringBuilder();
    int bad = 0;
    double maxDiff = 0;
    for (int i = 0; i < want.length; i++) {
      double diff = Math.abs(got[i] - want[i]);
      if (!(diff <= maxDiff)) maxDiff = diff;
      if (!(diff <= atol + rtol * Math.abs(want[i]))) {
        if (bad++ < 5) first.append(String.format(" [%d] got %.7g want %.7g;", i, got[i], want[i]));
      }
    }
    if (bad > 0) {
      throw new AssertionError(what + ": " + bad + " of " + want.length + " outside tolerance (max |diff| "
          + maxDiff + "):" + first);
    }
  }
}
