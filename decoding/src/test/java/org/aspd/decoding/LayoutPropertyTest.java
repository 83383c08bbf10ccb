package org.aspd.decoding;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.Random;
import org.junit.jupiter.api.Test;

/** Random well-formed samples: labels as constructed, positions as the closed forms of §6. */
class LayoutPropertyTest {

  @Test
  void randomSamplesRecoverConstructedLabelsAndPositions() {
    Random rng = new Random(42);
    for (int round = 0; round < 200; round++) {
      int vocab = round % 2 == 0 ? 60 : 152064;
      SpecialTokenIds st = RandomSamples.specials(rng, vocab);
      RandomSamples.Sample s = RandomSamples.generate(rng, st, vocab, 4, 30);
      try (SampleLayouter layouter = new SampleLayouter(st, vocab)) {
        SampleLayout layout = layouter.layout(s.ids());
        assertArrayEquals(s.groupId(), layout.groupId(), "round " + round);
        assertArrayEquals(s.branchId(), layout.branchId(), "round " + round);
        assertEquals(s.groups().size(), layout.groupCount());
        for (PositionMode mode : PositionMode.values()) {
          int[] got = layout.positions(mode);
          for (int i = 0; i < got.length; i++) {
            assertEquals(expectedPosition(s, i, mode), got[i], "round " + round + " " + mode + " token " + i);
          }
        }
      }
    }
  }

  /** Branch rows see the prefix through <|para|> plus their own branch so far; main rows see all before. */
  @Test
  void randomSamplesMaskRowCounts() {
    Random rng = new Random(7);
    for (int round = 0; round < 20; round++) {
      SpecialTokenIds st = RandomSamples.specials(rng, 1000);
      RandomSamples.Sample s = RandomSamples.generate(rng, st, 1000, 3, 12);
      try (SampleLayouter layouter = new SampleLayouter(st, 1000)) {
        boolean[][] mask = layouter.layout(s.ids()).mask();
        for (int i = 0; i < mask.length; i++) {
          int visible = 0;
          for (boolean b : mask[i]) visible += b ? 1 : 0;
          int expected = i + 1;
          if (s.groupId()[i] >= 0) {
            RandomSamples.Group g = s.groups().get(s.groupId()[i]);
            final int row = i;
            int start = g.branches().stream().filter(b -> b.start() <= row && row < b.start() + b.length())
                .findFirst().orElseThrow().start();
            expected = g.para() + 1 + (i - start) + 1;
          }
          assertEquals(expected, visible, "round " + round + " row " + i);
        }
      }
    }
  }

  /** Main tokens shift down by what earlier groups saved; branch tokens sit after their <|para|>. */
  static int expectedPosition(RandomSamples.Sample s, int i, PositionMode mode) {
    int shift = 0;
    for (RandomSamples.Group g : s.groups()) {
      int k = g.branches().size();
      int saved = switch (mode) {
        case SAME_SEQ -> 0;
        case SAME_MAX -> g.total() - g.longest();
        case FIXED_RANGE -> g.total() - k * g.longest();
      };
      if (i >= g.paraEnd()) {
        shift += saved;
        continue;
      }
      if (i <= g.para()) break;
      for (int b = 0; b < k; b++) {
        RandomSamples.Branch br = g.branches().get(b);
        if (i < br.start() || i >= br.start() + br.length()) continue;
        int lane = mode == PositionMode.FIXED_RANGE ? b * g.longest() : 0;
        return g.para() - shift + 1 + lane + (i - br.start());
      }
    }
    return i - shift;
  }
}
