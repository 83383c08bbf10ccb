package org.aspd.decoding;

import java.util.Random;

/** Random attention inputs over random well-formed layouts, for CPU and GPU tests alike. */
final class AttentionCases {
  record Case(AttentionShape shape, SampleLayout layout, float[] q, float[] k, float[] v) {
    int tokens() {
      return layout.length();
    }
  }

  private AttentionCases() {}

  /** Shapes: (H, Hkv, D, max groups, max branch content); D values are multiples of 16 for the GPU. */
  static final int[][] SHAPES = {
      {1, 1, 16, 1, 10}, {4, 2, 32, 3, 20}, {4, 4, 64, 2, 60}, {8, 2, 128, 2, 90}, {6, 3, 48, 4, 8}, {2, 1, 256, 1, 40}};

  static Case random(Random rng, int[] shape) {
    SpecialTokenIds st = RandomSamples.specials(rng, 5000);
    RandomSamples.Sample s = RandomSamples.generate(rng, st, 5000, shape[3], shape[4]);
    SampleLayout layout;
    try (SampleLayouter layouter = new SampleLayouter(st, 5000)) {
      layout = layouter.layout(s.ids());
    }
    AttentionShape as = new AttentionShape(shape[0], shape[1], shape[2]);
    int t = layout.length();
    return new Case(as, layout, grid(rng, t * as.heads() * as.headDim()), grid(rng, t * as.kvHeads() * as.headDim()),
        grid(rng, t * as.kvHeads() * as.headDim()));
  }

  /** Values k/32 in [-2, 2]: exact in float, bf16 and fp16, so every backend sees the same inputs. */
  static float[] grid(Random rng, int n) {
    float[] x = new float[n];
    for (int i = 0; i < n; i++) x[i] = (rng.nextInt(129) - 64) / 32f;
    return x;
  }
}
