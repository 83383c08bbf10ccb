package org.aspd.decoding;

import java.util.Objects;

/**
 * Head layout: H query heads, Hkv key/value heads (GQA, H % Hkv == 0), head dim D. Tensors are
 * row-major: Q [T, H, D], K/V [T, Hkv, D], output [T, H, D] (decode: Q [A, H, D], cache [N, Hkv, D]).
 */
public record AttentionShape(int heads, int kvHeads, int headDim) {
  public AttentionShape {
    if (heads <= 0 || kvHeads <= 0 || headDim <= 0) {
      throw new IllegalArgumentException("heads, kvHeads, headDim must be positive: " + heads + ", " + kvHeads + ", " + headDim);
    }
    if (heads % kvHeads != 0) {
      throw new IllegalArgumentException("heads (" + heads + ") must be a multiple of kvHeads (" + kvHeads + ")");
    }
  }

  /** 1 / sqrt(D), the usual softmax scale. */
  public float defaultScale() {
    return (float) (1.0 / Math.sqrt(headDim));
  }

  /** Number of tokens described by a Q array [T, H, D]; throws when the length does not fit. */
  int tokensOfQuery(float[] q, String name) {
    return rows(q, (long) heads * headDim, name, "H*D");
  }

  /** Number of tokens described by a K or V array [T, Hkv, D]. */
  int tokensOfKv(float[] kv, String name) {
    return rows(kv, (long) kvHeads * headDim, name, "Hkv*D");
  }

  private static int rows(float[] x, long rowLength, String name, String what) {
    Objects.requireNonNull(x, name);
    if (x.length == 0 || x.length % rowLength != 0) {
      throw new IllegalArgumentException(name + " length " + x.length + " is not a positive multiple of " + what + " = " + rowLength);
    }
    return Math.toIntExact(x.length / rowLength);
  }
}
