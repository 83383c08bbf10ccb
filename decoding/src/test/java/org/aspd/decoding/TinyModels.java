package org.aspd.decoding;

import java.util.Arrays;
import java.util.Random;

/** Tiny model configs and packed samples (ids, Same-Seq positions, labels) for model-level tests. */
final class TinyModels {
  static final int VOCAB = 300;
  /** Qwen2: q/k/v biases, tied embeddings. */
  static final ModelConfig QWEN2 = new ModelConfig("qwen2", VOCAB, 64, 96, 2, 4, 2, 16, 4096, 1e-6, 10000, true, true);
  /** Llama: no biases, separate LM head, explicit head_dim, large rope_theta. */
  static final ModelConfig LLAMA = new ModelConfig("llama", VOCAB, 48, 80, 2, 4, 2, 12, 4096, 1e-5, 500000, false, false);
  static final double TOL_FP32 = 1e-3; // method §8: test.tolFp32

  private TinyModels() {}

  /** A packed sample with its Same-Seq positions and labels as computed by the native layout. */
  record Packed(SpecialTokenIds special, RandomSamples.Sample sample, int[] positions, int[] groupId, int[] branchId) {
    int[] ids() {
      return sample.ids();
    }

    int length() {
      return sample.ids().length;
    }
  }

  static Packed sample(long seed, int maxGroups, int maxContent) {
    Random rng = new Random(seed);
    SpecialTokenIds st = RandomSamples.specials(rng, VOCAB);
    RandomSamples.Sample s = RandomSamples.generate(rng, st, VOCAB, maxGroups, maxContent);
    try (SampleLayouter layouter = new SampleLayouter(st, VOCAB)) {
      SampleLayout layout = layouter.layout(s.ids());
      return new Packed(st, s, layout.positions(PositionMode.SAME_SEQ), layout.groupId(), layout.branchId());
    }
  }

  static int[] range(int from, int to) {
    int[] out = new int[to - from];
    for (int i = 0; i < out.length; i++) out[i] = from + i;
    return out;
  }

  static int[] concat(int[] a, int[] b) {
    int[] out = Arrays.copyOf(a, a.length + b.length);
    System.arraycopy(b, 0, out, a.length, b.length);
    return out;
  }

  static int[] slice(int[] a, int from, int to) {
    return Arrays.copyOfRange(a, from, to);
  }

  /** max |a[rowA, :] - b[rowB, :]| over the vocabulary. */
  static double rowDiff(float[] a, int rowA, float[] b, int rowB, int vocab) {
    double d = 0;
    for (int v = 0; v < vocab; v++) d = Math.max(d, Math.abs((double) a[rowA * vocab + v] - b[rowB * vocab + v]));
    return d;
  }
}
