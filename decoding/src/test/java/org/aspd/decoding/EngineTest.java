package org.aspd.decoding;

import static org.aspd.decoding.TinyModels.TOL_FP32;
import static org.aspd.decoding.TinyModels.concat;
import static org.aspd.decoding.TinyModels.rowDiff;
import static org.aspd.decoding.TinyModels.slice;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * The decoding engine against method §8 on small random models (fp32, tolerance 1e-3):
 * (a) replay = one packed forward, with the engine's positions and visibility = the layout's and
 * forward passes = Steps_ASPD; (b) branch rows = prefix + branch alone; (c) main rows after a group
 * see every branch, siblings never; (d) every generated output parses under §1.
 */
class EngineTest {
  private static final List<ModelConfig> CONFIGS = List.of(TinyModels.QWEN2, TinyModels.LLAMA);

  /** Random samples have up to 16 branches and 3-token titles, no header separator. */
  private static EngineOptions options(SpecialTokenIds st, int eos) {
    return EngineOptions.defaults(st, new int[] {eos}, new int[0]).withLimits(8, 16, 2048);
  }

  private static int plain(SpecialTokenIds st, int from, int... avoid) {
    Set<Integer> taken = new java.util.HashSet<>();
    for (int id : st.toArray()) taken.add(id);
    for (int id : avoid) taken.add(id);
    int id = from;
    while (taken.contains(id)) id++;
    return id;
  }

  /** A prompt and an EOS id that occur nowhere in the sample. */
  private record Case(TinyModels.Packed packed, int[] prompt, int eos) {}

  private static Case newCase(long seed, int maxGroups, int maxContent) {
    TinyModels.Packed p = TinyModels.sample(seed, maxGroups, maxContent);
    int eos = plain(p.special(), 0, p.ids());
    int[] prompt = {plain(p.special(), 40, eos), plain(p.special(), 80, eos), plain(p.special(), 120, eos)};
    return new Case(p, prompt, eos);
  }

  /** Steps_ASPD of §4 counted on the row: M + sum over groups of the longest branch. */
  private static long stepsAspd(RandomSamples.Sample s) {
    long inBranches = 0, longest = 0;
    for (RandomSamples.Group g : s.groups()) {
      inBranches += g.total();
      longest += g.longest();
    }
    return s.ids().length - inBranches + longest;
  }

  /** §8(a). */
  @Test
  void replayEqualsOnePackedForward() {
    for (ModelConfig config : CONFIGS) {
      for (long seed = 1; seed <= 2; seed++) {
        Case c = newCase(seed, 3, 6);
        int[] all = concat(c.prompt(), c.packed().ids());
        try (Model model = Model.random(config, seed, 2);
            Engine engine = new Engine(model, options(c.packed().special(), c.eos()));
            SampleLayouter layouter = new SampleLayouter(c.packed().special(), TinyModels.VOCAB)) {
          DecodeResult r = engine.replay(c.prompt(), c.packed().ids(), true);
          SampleLayout layout = layouter.layout(all);
          int[] pos = layout.positions(PositionMode.SAME_SEQ);
          assertArrayEquals(all, r.ids());
          assertArrayEquals(pos, r.positions(), "engine positions = shard positions + prompt length");
          assertArrayEquals(layout.groupId(), r.groupIds());
          assertArrayEquals(layout.branchId(), r.branchIds());
          float[] packed = model.forward(all, pos, layout.groupId(), layout.branchId());
          float[] replayed = r.logits();
          for (int t = 0; t < all.length; t++) {
            double d = rowDiff(replayed, t, packed, t, TinyModels.VOCAB);
            assertTrue(d <= TOL_FP32, config.modelType() + " seed " + seed + " row " + t + ": |replay - packed| " + d);
          }
          boolean[][] mask = layout.mask();
          int[] fwd = r.forwardIndex();
          int[] g = r.groupIds();
          int[] b = r.branchIds();
          int[] p = r.positions();
          for (int i = 0; i < all.length; i++) {
            for (int j = 0; j < all.length; j++) {
              boolean sibling = g[i] >= 0 && g[i] == g[j] && b[i] != b[j];
              boolean engineSees = fwd[j] <= fwd[i] && p[j] <= p[i] && !sibling;
              assertEquals(mask[i][j], engineSees, "visibility " + i + " -> " + j);
            }
          }
          assertEquals(stepsAspd(c.packed().sample()), r.forwardPasses(), "forward passes = Steps_ASPD");
          assertEquals(c.packed().sample().groups().size(), r.groups());
          assertEquals(StopReason.END_OF_INPUT, r.stopReason());
        }
      }
    }
  }

  /** §8(b): every branch row of the replay equals a forward of [tokens <= p] ++ that branch alone. */
  @Test
  void replayBranchRowsEqualPrefixPlusBranchAlone() {
    Case c = newCase(3, 2, 5);
    TinyModels.Packed p = c.packed();
    int pl = c.prompt().length;
    try (Model model = Model.random(TinyModels.QWEN2, 4, 2);
        Engine engine = new Engine(model, options(p.special(), c.eos()))) {
      DecodeResult r = engine.replay(c.prompt(), p.ids(), true);
      int[] all = r.ids(), pos = r.positions(), gid = r.groupIds(), bid = r.branchIds();
      float[] replayed = r.logits();
      for (RandomSamples.Group g : p.sample().groups()) {
        int para = pl + g.para();
        for (RandomSamples.Branch b : g.branches()) {
          int start = pl + b.start(), end = start + b.length();
          int[] ids = concat(slice(all, 0, para + 1), slice(all, start, end));
          float[] alone = model.forward(ids, concat(slice(pos, 0, para + 1), slice(pos, start, end)),
              concat(slice(gid, 0, para + 1), slice(gid, start, end)), concat(slice(bid, 0, para + 1), slice(bid, start, end)));
          for (int j = 0; j < b.length(); j++) {
            double d = rowDiff(replayed, start + j, alone, para + 1 + j, TinyModels.VOCAB);
            assertTrue(d <= TOL_FP32, "branch at " + start + " token " + j + ": |replay - alone| " + d);
          }
        }
      }
    }
  }

  /**
   * §8(c): one content token of a branch changed: rows before it and sibling rows are bit-identical,
   * every main row after the group changes.
   */
  @Test
  void serialRowsAfterGroupSeeAllBranches() {
    Case c = newCase(5, 2, 6);
    TinyModels.Packed p = c.packed();
    int pl = c.prompt().length;
    try (Model model = Model.random(TinyModels.LLAMA, 6, 2);
        Engine engine = new Engine(model, options(p.special(), c.eos()))) {
      float[] before = engine.replay(c.prompt(), p.ids(), true).logits();
      int perturbed = 0;
      for (RandomSamples.Group g : p.sample().groups()) {
        List<Integer> titles = titleLengths(p.ids(), p.special(), g.para());
        for (int k = 0; k < g.branches().size(); k++) {
          RandomSamples.Branch b = g.branches().get(k);
          if (b.length() - 2 <= titles.get(k)) continue; // no content: only the header
          int victim = b.start() + b.length() - 2; // last content token
          int[] ids = p.ids().clone();
          ids[victim] = plain(p.special(), (ids[victim] + 1) % 200, c.eos(), ids[victim]);
          float[] after = engine.replay(c.prompt(), ids, true).logits();
          int branch = p.branchId()[b.start()], group = p.groupId()[b.start()];
          for (int i = 0; i < p.length(); i++) {
            double d = rowDiff(before, pl + i, after, pl + i, TinyModels.VOCAB);
            boolean sibling = p.groupId()[i] == group && p.branchId()[i] != branch;
            if (i < victim || sibling) assertEquals(0.0, d, "row " + i + " must not see token " + victim);
            if (i >= g.paraEnd() && p.groupId()[i] < 0) assertTrue(d > TOL_FP32, "main row " + i + " must change: " + d);
          }
          perturbed++;
          break;
        }
      }
      assertTrue(perturbed > 0, "the sample needs a branch with content");
    }
  }

  /** Token counts of the titles in the title list that ends right before {@code <|para|>} at {@code para}. */
  private static List<Integer> titleLengths(int[] ids, SpecialTokenIds st, int para) {
    List<Integer> lengths = new ArrayList<>();
    for (int i = para - 1; i >= 0 && ids[i] == st.titleEnd(); ) {
      int n = 0;
      while (ids[i - 1 - n] != st.title()) n++;
      lengths.add(0, n);
      i -= n + 2;
    }
    return lengths;
  }

  /** §8(d): random weights, many seeds and sampler settings: every output parses; tags = layout. */
  @Test
  void generatedOutputsParseUnderTheGrammar() {
    int vocab = 20;
    SpecialTokenIds st = new SpecialTokenIds(3, 4, 5, 6, 7, 8);
    int eos = 9;
    ModelConfig config = new ModelConfig("qwen2", vocab, 32, 48, 2, 4, 2, 8, 4096, 1e-6, 10000, false, true);
    int[] prompt = {12, 13, 14};
    int withGroups = 0, eosStops = 0;
    try (Model model = Model.random(config, 11, 1);
        SampleLayouter layouter = new SampleLayouter(st, vocab)) {
      for (BranchSampling bs : BranchSampling.values()) {
        EngineOptions opts = EngineOptions.defaults(st, new int[] {eos}, new int[] {10, 11}).withLimits(3, 4, 12)
            .withBranchSampling(bs);
        try (Engine engine = new Engine(model, opts)) {
          float[] temperatures = {0f, 0.7f, 1f, 2.5f};
          for (int seed = 0; seed < 40; seed++) {
            Sampling s = new Sampling(temperatures[seed % 4], seed % 3 == 0 ? 0 : 6, seed % 2 == 0 ? 1f : 0.8f, seed);
            DecodeResult r = engine.generate(prompt, s, 50);
            int[] response = r.responseIds();
            SampleLayout layout = layouter.layout(response); // throws MalformedSampleException if not §1
            int[] pos = layout.positions(PositionMode.SAME_SEQ);
            for (int t = 0; t < response.length; t++) {
              assertEquals(prompt.length + pos[t], r.positions()[prompt.length + t], "position of token " + t);
              assertEquals(layout.groupId()[t], r.groupIds()[prompt.length + t]);
              assertEquals(layout.branchId()[t], r.branchIds()[prompt.length + t]);
            }
            assertFalse(Arrays.stream(response).anyMatch(id -> id == eos), "EOS never in the output");
            assertEquals(0, r.droppedTitles());
            assertTrue(r.stopReason() == StopReason.EOS || r.stopReason() == StopReason.BUDGET, r.stopReason().name());
            withGroups += layout.groupCount() > 0 ? 1 : 0;
            eosStops += r.stopReason() == StopReason.EOS ? 1 : 0;
          }
        }
      }
    }
    assertTrue(withGroups >= 10 && eosStops >= 3, "too few interesting runs: groups " + withGroups + ", EOS " + eosStops);
  }

  @Test
  void serialModeRunsOneForwardPerTokenAndReportsTimings() {
    Case c = newCase(8, 2, 4);
    try (Model model = Model.random(TinyModels.QWEN2, 2, 2);
        Engine engine = new Engine(model, options(c.packed().special(), c.eos()))) {
      DecodeResult serial = engine.serial(c.prompt(), c.packed().ids());
      DecodeResult replay = engine.replay(c.prompt(), c.packed().ids());
      assertEquals(c.packed().length(), serial.forwardPasses());
      assertArrayEquals(new long[] {c.packed().length()}, serial.stepsByActiveBranches());
      assertFalse(replay.hasLogits());
      long[] steps = replay.stepsByActiveBranches();
      assertEquals(replay.forwardPasses(), Arrays.stream(steps).sum());
      assertTrue(steps.length > 2, "parallel steps must be bucketed by active branches");
      long branchTokens = 0;
      for (int k = 1; k < steps.length; k++) branchTokens += k * steps[k];
      assertEquals(replay.branchTokens(), branchTokens);
      assertEquals(replay.serialNs() + replay.parallelNs(), Arrays.stream(replay.nsByActiveBranches()).sum());
      assertTrue(replay.forwardPasses() < serial.forwardPasses());
    }
  }

  @Test
  void rejectsBadInputsWithClearExceptions() {
    Case c = newCase(9, 1, 3);
    SpecialTokenIds st = c.packed().special();
    int[] response = c.packed().ids();
    Model model = Model.random(TinyModels.QWEN2, 1, 1);
    Engine engine = new Engine(model, options(st, c.eos()));
    try {
      assertThrows(IllegalArgumentException.class, () -> engine.replay(new int[0], response));
      assertThrows(IllegalArgumentException.class, () -> engine.replay(c.prompt(), new int[] {TinyModels.VOCAB}));
      assertThrows(IllegalArgumentException.class, () -> engine.generate(c.prompt(), Sampling.greedy(), 0));
      assertThrows(IllegalArgumentException.class, () -> new Sampling(-1f, 0, 1f, 0));
      assertThrows(IllegalArgumentException.class, () -> new Sampling(1f, 0, 0f, 0));
      int[] truncated = Arrays.copyOf(response, c.packed().sample().groups().get(0).para() + 2); // inside a branch
      MalformedSampleException m = assertThrows(MalformedSampleException.class, () -> engine.replay(c.prompt(), truncated));
      assertEquals(GrammarRule.UNTERMINATED, m.rule());
      // Producible only with longer titles / more branches than the limits allow.
      try (Engine strict = new Engine(model, options(st, c.eos()).withLimits(1, 2, 2048))) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> strict.replay(c.prompt(), response));
        assertTrue(e.getMessage().contains("logit grammar"), e.getMessage());
      }
      int[] eosInText = response.clone();
      eosInText[0] = c.eos();
      IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> engine.replay(c.prompt(), eosInText));
      assertTrue(e.getMessage().contains("EOS"), e.getMessage());
      assertThrows(IllegalArgumentException.class, () -> EngineOptions.defaults(st, new int[] {st.para()}, new int[0]));
      assertThrows(IllegalArgumentException.class,
          () -> new Engine(model, EngineOptions.defaults(st, new int[] {TinyModels.VOCAB + 1}, new int[0])));
      model.close();
      assertThrows(IllegalStateException.class, () -> engine.replay(c.prompt(), response));
    } finally {
      engine.close();
      model.close();
    }
    assertThrows(IllegalStateException.class, () -> engine.serial(c.prompt(), response));
  }
}
