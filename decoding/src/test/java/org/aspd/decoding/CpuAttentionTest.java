package org.aspd.decoding;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Random;
import org.junit.jupiter.api.Test;

/** The fast CPU path (what the API runs without a GPU) against the Java float64 reference. */
class CpuAttentionTest {

  @Test
  void prefillMatchesFloat64ReferenceOverShapes() {
    Random rng = new Random(3);
    try (CpuAttention attention = new CpuAttention(0)) {
      for (int rep = 0; rep < 2; rep++) {
        for (int[] shape : AttentionCases.SHAPES) {
          AttentionCases.Case c = AttentionCases.random(rng, shape);
          float scale = c.shape().defaultScale();
          float[] got = attention.prefill(c.shape(), c.q(), c.k(), c.v(), c.layout().groupId(), c.layout().branchId(), scale);
          double[] want = ReferenceAttention.prefill(c.shape(), c.q(), c.k(), c.v(), c.layout().groupId(),
              c.layout().branchId(), scale);
          ReferenceAttention.assertClose("prefill " + c.shape() + " T=" + c.tokens(), got, want, 2e-5, 2e-4);
        }
      }
    }
  }

  /** Decode against the whole packed cache with Same-Seq tags reproduces every packed prefill row. */
  @Test
  void decodeWithSameSeqTagsEqualsPackedRows() {
    Random rng = new Random(4);
    try (CpuAttention attention = new CpuAttention(2)) {
      for (int[] shape : new int[][] {{4, 2, 32, 3, 20}, {2, 2, 16, 2, 40}}) {
        AttentionCases.Case c = AttentionCases.random(rng, shape);
        TokenTags tags = c.layout().tags(PositionMode.SAME_SEQ);
        float scale = 0.3f;
        float[] got = attention.decode(c.shape(), c.q(), tags, c.k(), c.v(), tags, scale);
        double[] packed = ReferenceAttention.prefill(c.shape(), c.q(), c.k(), c.v(), c.layout().groupId(),
            c.layout().branchId(), scale);
        ReferenceAttention.assertClose("decode vs packed", got, packed, 2e-5, 2e-4);
        ReferenceAttention.assertClose("decode vs decode reference", got,
            ReferenceAttention.decode(c.shape(), c.q(), tags, c.k(), c.v(), tags, scale), 2e-5, 2e-4);
      }
    }
  }

  @Test
  void decodeQueryThatSeesNothingGetsZeros() {
    AttentionShape s = new AttentionShape(1, 1, 2);
    TokenTags query = new TokenTags(new int[] {0}, new int[] {-1}, new int[] {0});
    TokenTags cache = new TokenTags(new int[] {5}, new int[] {-1}, new int[] {0}); // only a later position
    try (CpuAttention attention = new CpuAttention(1)) {
      float[] out = attention.decode(s, new float[] {1, 1}, query, new float[] {1, 2}, new float[] {3, 4}, cache, 1f);
      assertEquals(0f, out[0]);
      assertEquals(0f, out[1]);
    }
  }

  @Test
  void inputsAreValidatedBeforeTheNativeCall() {
    AttentionShape s = new AttentionShape(2, 1, 4);
    float[] q = new float[3 * 2 * 4];
    float[] kv = new float[3 * 4];
    int[] main = {-1, -1, -1};
    int[] zero = {0, 0, 0};
    try (CpuAttention attention = new CpuAttention(1)) {
      assertThrows(IllegalArgumentException.class, () -> attention.prefill(s, new float[5], kv, kv, main, zero, 1f));
      assertThrows(IllegalArgumentException.class, () -> attention.prefill(s, q, new float[8], kv, main, zero, 1f));
      assertThrows(IllegalArgumentException.class, () -> attention.prefill(s, q, kv, kv, new int[] {-1, -1}, zero, 1f));
      assertThrows(IllegalArgumentException.class, () -> attention.prefill(s, q, kv, kv, new int[] {-1, 0, -1}, zero, 1f));
      assertThrows(IllegalArgumentException.class, () -> attention.prefill(s, q, kv, kv, main, zero, Float.NaN));
      assertThrows(IllegalArgumentException.class, () -> attention.prefill(s, q, kv, kv, main, zero, -1f));
      TokenTags tags = new TokenTags(new int[] {0, 1, 2}, main, zero);
      TokenTags two = new TokenTags(new int[] {0, 1}, new int[] {-1, -1}, new int[] {0, 0});
      assertThrows(IllegalArgumentException.class, () -> attention.decode(s, q, two, kv, kv, tags, 1f));
      assertThrows(IllegalArgumentException.class, () -> attention.decode(s, q, tags, kv, kv, two, 1f));
      float[] ok = attention.prefill(s, q, kv, kv, main, zero, 1f);
      assertEquals(q.length, ok.length);
    }
    assertThrows(IllegalArgumentException.class, () -> new AttentionShape(3, 2, 4));
    assertThrows(IllegalArgumentException.class, () -> new AttentionShape(0, 1, 4));
    assertThrows(IllegalArgumentException.class, () -> new TokenTags(new int[1], new int[2], new int[1]));
    NullPointerException npe = assertThrows(NullPointerException.class, () -> new TokenTags(new int[1], null, new int[1]));
    assertEquals("groupId", npe.getMessage());
  }

  /** Tags are checked once: changing the caller's arrays, or the returned ones, must not reach the native call. */
  @Test
  void tagsCannotBeChangedAfterTheirCheck() {
    AttentionShape s = new AttentionShape(1, 1, 2);
    float[] q = {1f, 0f};
    float[] k = {1f, 0f, 4f, 0f};
    float[] v = {1f, 1f, 5f, 5f};
    int[] group = {0, 0};
    int[] branch = {1, 2};
    TokenTags query = new TokenTags(new int[] {1}, new int[] {0}, new int[] {1});
    TokenTags cache = new TokenTags(new int[] {1, 1}, group, branch); // siblings: the query sees entry 0 only
    group[1] = -7;
    branch[1] = 0;
    cache.groupId()[1] = -1;
    cache.branchId()[1] = 0;
    assertArrayEquals(new int[] {0, 0}, cache.groupId());
    try (CpuAttention attention = new CpuAttention(1)) {
      assertArrayEquals(new float[] {1f, 1f}, attention.decode(s, q, query, k, v, cache, 1f), 0f);
    }
  }

  @Test
  void closedAttentionRefusesWork() {
    CpuAttention attention = new CpuAttention(1);
    attention.close();
    AttentionShape s = new AttentionShape(1, 1, 1);
    IllegalStateException e = assertThrows(IllegalStateException.class,
        () -> attention.prefill(s, new float[1], new float[1], new float[1], new int[] {-1}, new int[] {0}, 1f));
    assertTrue(e.getMessage().contains("closed"));
  }

  @Test
  void dtypeNamesAreValidated() {
    assertEquals(DType.BF16, DType.fromName("bf16"));
    assertEquals(DType.FP16, DType.fromName("FP16"));
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> DType.fromName("fp8"));
    assertTrue(e.getMessage().contains("bf16"), e.getMessage());
    assertThrows(IllegalArgumentException.class, () -> DType.fromName(null));
  }
}
