package org.aspd.decoding;

import static org.aspd.decoding.ShardValidatorTest.NUMERICS_ONLY;
import static org.aspd.decoding.ShardValidatorTest.ST;
import static org.aspd.decoding.ShardValidatorTest.assertFails;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.util.Arrays;
import java.util.Optional;
import java.util.Random;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The numerical checks of {@link ShardValidator} on a {@link GpuModel} (aspd validate --device
 * cuda), run only where a GPU is usable. bf16 logits carry noise well above fp32's 1e-3 (about
 * 0.1 on this tied-embedding model, whose logits reach tens), so equality follows method §8's bf16
 * rule (same argmax where the reference leads by 0.5): the §5 toy and random rows pass, a main
 * token that no longer sees a branch is still caught by the numerics alone (its logits move by more
 * than the bf16 tolerance), and the GPU rows stay near the CPU's.
 */
class GpuShardValidatorTest {
  private static final Optional<String> UNAVAILABLE = GpuAttention.unavailableReason();
  private static final int VOCAB = TinyModels.VOCAB;
  private static Model cpu;
  private static GpuModel gpu;

  private int[] ids, pos, group, branch;

  @BeforeAll
  static void openModels() {
    if (UNAVAILABLE.isPresent()) return;
    cpu = Model.random(TinyModels.QWEN2, 13, 2);
    gpu = GpuModel.upload(cpu, GpuModel.Options.defaults());
  }

  @AfterAll
  static void closeModels() {
    if (gpu != null) gpu.close();
    if (cpu != null) cpu.close();
  }

  @BeforeEach
  void toyRow() throws Exception {
    assumeTrue(UNAVAILABLE.isEmpty(), () -> "no usable GPU, skipping GPU validation: " + UNAVAILABLE.orElse(""));
    GoldenToy toy = GoldenToy.load();
    ids = toy.ids(ST);
    pos = toy.positions.get(PositionMode.SAME_SEQ).clone();
    group = toy.groupId.clone();
    branch = toy.branchId.clone();
  }

  private ValidationResult numericsOnly() {
    try (ShardValidator v = ShardValidator.builder(ST, VOCAB).model(gpu).checks(NUMERICS_ONLY).build()) {
      return v.validate(ids, pos, group, branch);
    }
  }

  @Test
  void toyAndRandomRowsPass() {
    try (ShardValidator v = ShardValidator.builder(ST, VOCAB).model(gpu).build()) {
      assertTrue(v.usesArgmaxRule());
      assertEquals(0.05, v.tolerance(), "bf16 tolerance (for logits that must differ)");
      ValidationResult r = v.validate(ids, pos, group, branch);
      assertTrue(r.passed(), r + " (max/mean |Δ|, rows: " + Arrays.toString(v.equalDeltas()) + ")");
      assertEquals(11.0, v.equalDeltas()[2], "the toy's 11 branch tokens compared");
    }
    Random rng = new Random(8);
    try (ShardValidator v = ShardValidator.builder(ST, VOCAB).model(gpu).prompt(9, 8, 7).rowsAfterGroup(5).build();
        SampleLayouter layouter = new SampleLayouter(ST, VOCAB)) {
      for (int rep = 0; rep < 3; rep++) {
        RandomSamples.Sample s = RandomSamples.generate(rng, ST, VOCAB, 3, 5);
        int[] p = layouter.layout(s.ids()).positions(PositionMode.SAME_SEQ);
        ValidationResult r = v.validate(s.ids(), p, s.groupId(), s.branchId());
        assertTrue(r.passed(), "sample " + rep + " on " + gpu.describe() + ": " + r);
      }
    }
  }

  @Test
  void gpuRowsMatchTheCpuForward() {
    int[] rows = {0, 12, 18, 23, 25};
    float[] want = cpu.forwardRows(ids, pos, group, branch, rows);
    float[] got = gpu.forwardRows(ids, pos, group, branch, rows);
    double worst = 0;
    for (int i = 0; i < want.length; i++) worst = Math.max(worst, Math.abs((double) got[i] - want[i]));
    assertTrue(worst <= 0.25, "max |GPU - CPU| " + worst + " (bf16 weights and activations)");
  }

  @Test
  void mainTokenAfterGroupThatDoesNotSeeABranch() {
    group[23] = 0;
    branch[23] = 2;
    assertFails(numericsOnly(), ValidationCheck.SEES_BRANCHES, 23);
  }
}
