package org.aspd.decoding;

import static org.aspd.decoding.TinyModels.TOL_FP32;
import static org.aspd.decoding.TinyModels.concat;
import static org.aspd.decoding.TinyModels.range;
import static org.aspd.decoding.TinyModels.rowDiff;
import static org.aspd.decoding.TinyModels.slice;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The CPU forward against a float64 oracle, and the model-level properties of method §8(b)/(c). */
class ModelTest {
  private static final List<ModelConfig> CONFIGS = List.of(TinyModels.QWEN2, TinyModels.LLAMA);

  @Test
  void forwardMatchesFloat64Reference() {
    for (ModelConfig config : CONFIGS) {
      TinyModels.Packed p = TinyModels.sample(21, 2, 4);
      try (Model model = Model.random(config, 5, 2)) {
        float[] got = model.forward(p.ids(), p.positions(), p.groupId(), p.branchId());
        double[][] want = ReferenceModel.forward(model, p.ids(), p.positions(), p.groupId(), p.branchId());
        double max = 0, scale = 0;
        for (int i = 0; i < want.length; i++) {
          for (int v = 0; v < config.vocabSize(); v++) {
            max = Math.max(max, Math.abs(got[i * config.vocabSize() + v] - want[i][v]));
            scale = Math.max(scale, Math.abs(want[i][v]));
          }
        }
        assertTrue(max <= TOL_FP32, config.modelType() + ": max |logit - float64| = " + max);
        assertTrue(scale > 1, "logits should be O(1), not vanishing: " + scale);
      }
    }
  }

  /**
   * §8(b): every branch's rows in the packed forward equal a forward of [tokens <= p] ++ that branch
   * alone with the same position ids; for the first group that reference is a plain causal
   * forward with default positions (no mask at all).
   */
  @Test
  void branchAloneEqualsPackedRows() {
    for (ModelConfig config : CONFIGS) {
      for (long seed = 1; seed <= 2; seed++) {
        TinyModels.Packed p = TinyModels.sample(seed, 3, 6);
        try (Model model = Model.random(config, seed, 2)) {
          float[] packed = model.forward(p.ids(), p.positions(), p.groupId(), p.branchId());
          List<RandomSamples.Group> groups = p.sample().groups();
          for (int g = 0; g < groups.size(); g++) {
            int para = groups.get(g).para();
            for (RandomSamples.Branch b : groups.get(g).branches()) {
              int end = b.start() + b.length();
              int[] ids = concat(slice(p.ids(), 0, para + 1), slice(p.ids(), b.start(), end));
              int[] pos = concat(slice(p.positions(), 0, para + 1), slice(p.positions(), b.start(), end));
              int[] gid = concat(slice(p.groupId(), 0, para + 1), slice(p.groupId(), b.start(), end));
              int[] bid = concat(slice(p.branchId(), 0, para + 1), slice(p.branchId(), b.start(), end));
              if (g == 0) { // mask-free oracle: default positions, everything main
                assertArrayEquals(range(0, ids.length), pos, "first group: Same-Seq = default positions");
                Arrays.fill(gid, -1);
                Arrays.fill(bid, 0);
              }
              float[] alone = model.forward(ids, pos, gid, bid);
              for (int j = 0; j < b.length(); j++) {
                double d = rowDiff(packed, b.start() + j, alone, para + 1 + j, config.vocabSize());
                assertTrue(d <= TOL_FP32, config.modelType() + " group " + g + " branch at " + b.start() + " token " + j
                    + ": |diff| " + d);
              }
            }
          }
        }
      }
    }
  }

  /** Negative control for the test above: with a shared (plain causal) mask, a second branch differs. */
  @Test
  void sharedMaskBreaksBranchAloneEquality() {
    TinyModels.Packed p = TinyModels.sample(1, 1, 6);
    RandomSamples.Group g = p.sample().groups().get(0);
    RandomSamples.Branch second = g.branches().get(1);
    int t = p.length();
    int[] main = new int[t];
    Arrays.fill(main, -1);
    try (Model model = Model.random(TinyModels.QWEN2, 3, 2)) {
      float[] shared = model.forward(p.ids(), p.positions(), main, new int[t]);
      int[] ids = concat(slice(p.ids(), 0, g.para() + 1), slice(p.ids(), second.start(), second.start() + second.length()));
      float[] alone = model.forward(ids, range(0, ids.length), fill(ids.length, -1), new int[ids.length]);
      double d = rowDiff(shared, second.start(), alone, g.para() + 1, TinyModels.VOCAB);
      assertTrue(d > 10 * TOL_FP32, "a branch that sees its sibling must differ from the branch alone: " + d);
    }
  }

  /**
   * §8(c): structure (every main row after a group's {@code <|/para|>} sees every earlier token) and
   * perturbation (one content token of branch b changed: earlier rows and sibling rows unchanged,
   * main rows after the group changed).
   */
  @Test
  void serialAfterGroupSeesAllBranches() {
    TinyModels.Packed p = TinyModels.sample(7, 2, 6);
    try (SampleLayouter layouter = new SampleLayouter(p.special(), TinyModels.VOCAB)) {
      SampleLayout layout = layouter.layout(p.ids());
      int firstParaEnd = p.sample().groups().get(0).paraEnd();
      for (int i = firstParaEnd; i < p.length(); i++) {
        if (p.groupId()[i] >= 0) continue;
        for (int j = 0; j <= i; j++) assertTrue(layout.visible(i, j), "main row " + i + " must see token " + j);
      }
    }
    for (ModelConfig config : CONFIGS) {
      try (Model model = Model.random(config, 9, 2)) {
        float[] before = model.forward(p.ids(), p.positions(), p.groupId(), p.branchId());
        for (RandomSamples.Group g : p.sample().groups()) {
          RandomSamples.Branch b = g.branches().get(g.branches().size() / 2);
          int victim = b.start() + b.length() - 2; // last token before <|/branch|>
          int[] ids = p.ids().clone();
          ids[victim] = nonSpecial(p.special(), (ids[victim] + 1) % TinyModels.VOCAB);
          float[] after = model.forward(ids, p.positions(), p.groupId(), p.branchId());
          int branch = p.branchId()[b.start()];
          int group = p.groupId()[b.start()];
          for (int i = 0; i < p.length(); i++) {
            double d = rowDiff(before, i, after, i, config.vocabSize());
            boolean sibling = p.groupId()[i] == group && p.branchId()[i] != branch;
            if (i < victim || sibling) assertTrue(d <= TOL_FP32, "row " + i + " must not see token " + victim + ": " + d);
            if (i >= g.paraEnd() && p.groupId()[i] < 0) {
              assertTrue(d > TOL_FP32, config.modelType() + ": main row " + i + " after the group must change: " + d);
            }
          }
        }
      }
    }
  }

  @Test
  void positionIdsEnterThroughRope() {
    TinyModels.Packed p = TinyModels.sample(4, 1, 3);
    try (Model model = Model.random(TinyModels.QWEN2, 1, 1)) {
      float[] a = model.forward(p.ids(), p.positions(), p.groupId(), p.branchId());
      int[] shifted = p.positions().clone();
      for (int i = 0; i < shifted.length; i++) shifted[i] += 1; // a uniform shift: RoPE is relative
      float[] b = model.forward(p.ids(), shifted, p.groupId(), p.branchId());
      int last = p.length() - 1;
      assertTrue(rowDiff(a, last, b, last, TinyModels.VOCAB) <= TOL_FP32, "RoPE scores depend on offsets only");
      shifted[last] += 3; // the last token moves away from its keys
      float[] c = model.forward(p.ids(), shifted, p.groupId(), p.branchId());
      assertTrue(rowDiff(a, last, c, last, TinyModels.VOCAB) > TOL_FP32, "a moved position must change the logits");
    }
  }

  @Test
  void forwardRowsSelectsRowsAndRandomIsDeterministic() {
    TinyModels.Packed p = TinyModels.sample(2, 1, 3);
    try (Model a = Model.random(TinyModels.LLAMA, 42, 1); Model b = Model.random(TinyModels.LLAMA, 42, 2)) {
      float[] all = a.forward(p.ids(), p.positions(), p.groupId(), p.branchId());
      assertArrayEquals(all, b.forward(p.ids(), p.positions(), p.groupId(), p.branchId()), "same seed, same logits");
      int[] rows = {p.length() - 1, 0, 3};
      float[] some = a.forwardRows(p.ids(), p.positions(), p.groupId(), p.branchId(), rows);
      for (int r = 0; r < rows.length; r++) assertEquals(0.0, rowDiff(all, rows[r], some, r, TinyModels.VOCAB));
      assertEquals(TinyModels.LLAMA, a.config());
      try (Model c = Model.random(TinyModels.LLAMA, 43, 1)) {
        assertTrue(rowDiff(all, 0, c.forward(p.ids(), p.positions(), p.groupId(), p.branchId()), 0, TinyModels.VOCAB) > 0);
      }
    }
  }

  @Test
  void inputsAreValidatedBeforeTheNativeCall() {
    try (Model model = Model.random(TinyModels.QWEN2, 1, 1)) {
      int[] main = {-1, -1};
      int[] zero = {0, 0};
      int[] pos = {0, 1};
      assertThrows(IllegalArgumentException.class, () -> model.forward(new int[] {1, 300}, pos, main, zero));
      assertThrows(IllegalArgumentException.class, () -> model.forward(new int[] {1, -1}, pos, main, zero));
      assertThrows(IllegalArgumentException.class, () -> model.forward(new int[] {1}, pos, main, zero));
      assertThrows(IllegalArgumentException.class, () -> model.forward(new int[0], new int[0], new int[0], new int[0]));
      assertThrows(IllegalArgumentException.class, () -> model.forward(new int[] {1, 2}, new int[] {0, -1}, main, zero));
      assertThrows(IllegalArgumentException.class, () -> model.forward(new int[] {1, 2}, new int[] {0, 4096}, main, zero));
      assertThrows(IllegalArgumentException.class, () -> model.forward(new int[] {1, 2}, pos, new int[] {-1, 0}, zero));
      assertThrows(IllegalArgumentException.class, () -> model.forwardRows(new int[] {1, 2}, pos, main, zero, new int[] {2}));
      assertThrows(IllegalArgumentException.class, () -> model.tensor("no.such.tensor"));
      assertEquals("ids", assertThrows(NullPointerException.class, () -> model.forward(null, pos, main, zero)).getMessage());
      assertEquals(2 * TinyModels.VOCAB, model.forward(new int[] {1, 2}, pos, main, zero).length);
      model.close();
      assertThrows(IllegalStateException.class, () -> model.forward(new int[] {1, 2}, pos, main, zero));
    }
    assertThrows(IllegalArgumentException.class,
        () -> new ModelConfig("gpt2", 10, 8, 8, 1, 2, 1, 4, 16, 1e-6, 1e4, true, false));
    assertThrows(IllegalArgumentException.class,
        () -> new ModelConfig("llama", 10, 8, 8, 1, 3, 2, 4, 16, 1e-6, 1e4, true, false));
    assertThrows(IllegalArgumentException.class,
        () -> new ModelConfig("llama", 10, 8, 8, 1, 2, 1, 3, 16, 1e-6, 1e4, true, false));
    assertThrows(IllegalArgumentException.class,
        () -> new ModelConfig("llama", 10, 8, 8, 1, 2, 1, 4, 16, 0, 1e4, true, false));
    assertTrue(new ModelConfig("qwen2", 10, 8, 8, 1, 2, 1, 4, 16, 1e-6, 1e4, true, false).attentionBias(),
        "qwen2 always has q/k/v biases");
  }

  private static int nonSpecial(SpecialTokenIds st, int id) {
    List<Integer> special = List.of(st.branch(), st.branchEnd(), st.title(), st.titleEnd(), st.para(), st.paraEnd());
    while (special.contains(id)) id = (id + 1) % TinyModels.VOCAB;
    return id;
  }

  private static int[] fill(int n, int value) {
    int[] out = new int[n];
    Arrays.fill(out, value);
    return out;
  }
}
