package org.aspd.decoding;

import static org.aspd.decoding.TinyModels.concat;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.util.Optional;
import org.junit.jupiter.api.Test;

/**
 * The engine on {@link GpuModel} through JNI (run only where a GPU is usable), and the no-GPU
 * contract (run only where none is). The GPU holds bf16 weights and activations, so it is compared
 * with the float32 CPU packed forward under a bf16 tolerance plus the argmax rule: wherever the
 * CPU's best logit leads by a clear margin, the GPU picks the same token. The C++ GPU tests
 * (gpu_engine_test.cu) hold the tight checks on bf16-rounded weights.
 */
class GpuEngineTest {
  private static final Optional<String> UNAVAILABLE = GpuAttention.unavailableReason();
  private static final double BF16_TOL = 0.25;
  private static final double ARGMAX_MARGIN = 0.25;

  @Test
  void withoutGpuTheGpuModelFailsCleanly() {
    assumeTrue(UNAVAILABLE.isPresent(), "a GPU is present; the no-GPU contract is not testable here");
    GpuUnavailableException e = assertThrows(GpuUnavailableException.class,
        () -> GpuModel.random(TinyModels.QWEN2, 1, GpuModel.Options.defaults()));
    assertFalse(e.getMessage().isBlank());
  }

  @Test
  void gpuReplayMatchesTheCpuPackedForward() {
    assumeTrue(UNAVAILABLE.isEmpty(), () -> "no usable GPU, skipping GPU engine checks: " + UNAVAILABLE.orElse(""));
    TinyModels.Packed p = TinyModels.sample(7, 3, 8);
    int eos = 0;
    while (contains(p.special().toArray(), eos) || contains(p.ids(), eos)) eos++;
    int[] prompt = {41, 82, 123};
    for (int id : prompt) assumeTrue(!contains(p.special().toArray(), id) && id != eos);
    EngineOptions options = EngineOptions.defaults(p.special(), new int[] {eos}, new int[0]).withLimits(8, 16, 2048);
    try (Model cpu = Model.random(TinyModels.QWEN2, 5, 2);
        GpuModel gpu = GpuModel.upload(cpu, GpuModel.Options.defaults());
        Engine engine = new Engine(gpu, options);
        SampleLayouter layouter = new SampleLayouter(p.special(), TinyModels.VOCAB)) {
      DecodeResult r = engine.replay(prompt, p.ids(), true);
      int[] all = concat(prompt, p.ids());
      SampleLayout layout = layouter.layout(all);
      int[] pos = layout.positions(PositionMode.SAME_SEQ);
      assertArrayEquals(all, r.ids());
      assertArrayEquals(pos, r.positions());
      float[] packed = cpu.forward(all, pos, layout.groupId(), layout.branchId());
      float[] got = r.logits();
      int vocab = TinyModels.VOCAB;
      double worst = 0;
      for (int t = 0; t < all.length; t++) {
        worst = Math.max(worst, TinyModels.rowDiff(got, t, packed, t, vocab));
        int best = argmax(packed, t, vocab);
        if (margin(packed, t, vocab, best) > ARGMAX_MARGIN) {
          assertEquals(best, argmax(got, t, vocab), "row " + t + ": GPU argmax");
        }
      }
      assertTrue(worst <= BF16_TOL, "max |GPU replay - CPU packed forward| " + worst + " on " + gpu.describe());
      DecodeResult serial = engine.serial(prompt, p.ids());
      assertEquals(p.length(), serial.forwardPasses());
    }
  }

  @Test
  void gpuGenerateParsesAndAClosedModelIsAnError() {
    assumeTrue(UNAVAILABLE.isEmpty(), () -> "no usable GPU, skipping GPU engine checks: " + UNAVAILABLE.orElse(""));
    SpecialTokenIds st = new SpecialTokenIds(3, 4, 5, 6, 7, 8);
    ModelConfig config = new ModelConfig("qwen2", 24, 32, 48, 2, 4, 2, 8, 4096, 1e-6, 10000, false, true);
    EngineOptions opts = EngineOptions.defaults(st, new int[] {9}, new int[] {10, 11}).withLimits(3, 4, 12);
    GpuModel gpu = GpuModel.random(config, 3, GpuModel.Options.defaults());
    Engine engine = new Engine(gpu, opts);
    try (SampleLayouter layouter = new SampleLayouter(st, 24)) {
      for (int seed = 0; seed < 20; seed++) {
        DecodeResult r = engine.generate(new int[] {12, 13, 14}, new Sampling(seed % 2 == 0 ? 0f : 1f, 8, 0.9f, seed), 40);
        layouter.layout(r.responseIds()); // throws MalformedSampleException if not §1
      }
    }
    gpu.close();
    assertThrows(IllegalStateException.class, () -> engine.replay(new int[] {12}, new int[] {13}));
    engine.close();
  }

  private static boolean contains(int[] xs, int x) {
    for (int v : xs) if (v == x) return true;
    return false;
  }

  private static int argmax(float[] logits, int row, int vocab) {
    int best = 0;
    for (int v = 1; v < vocab; v++) if (logits[row * vocab + v] > logits[row * vocab + best]) best = v;
    return best;
  }

  private static double margin(float[] logits, int row, int vocab, int best) {
    double second = Double.NEGATIVE_INFINITY;
    for (int v = 0; v < vocab; v++) if (v != best) second = Math.max(second, logits[row * vocab + v]);
    return logits[row * vocab + best] - second;
  }
}
