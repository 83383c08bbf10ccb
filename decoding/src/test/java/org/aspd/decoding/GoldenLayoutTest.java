package org.aspd.decoding;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.api.Test;

import java.util.stream.Stream;

/** §5 mask matrix and §6 position table on the toy sequence, from Java through JNI. */
class GoldenLayoutTest {
  static Stream<Object[]> assignments() {
    return Stream.of(
        new Object[] {new SpecialTokenIds(151665, 151666, 151667, 151668, 151669, 151670), 152064},
        new Object[] {new SpecialTokenIds(7, 3, 11, 2, 5, 0), 64});
  }

  @ParameterizedTest
  @MethodSource("assignments")
  void toyLabelsPositionsAndMaskMatchTheMethodDoc(SpecialTokenIds st, int vocab) throws Exception {
    GoldenToy g = GoldenToy.load();
    try (SampleLayouter layouter = new SampleLayouter(st, vocab)) {
      SampleLayout layout = layouter.layout(g.ids(st));
      assertEquals(26, layout.length());
      assertEquals(1, layout.groupCount());
      assertArrayEquals(g.groupId, layout.groupId());
      assertArrayEquals(g.branchId, layout.branchId());
      for (PositionMode mode : PositionMode.values()) {
        assertArrayEquals(g.positions.get(mode), layout.positions(mode), mode.name());
      }
      boolean[][] mask = layout.mask();
      assertEquals(26, g.mask.size());
      for (int i = 0; i < 26; i++) {
        for (int j = 0; j < 26; j++) {
          boolean want = g.mask.get(i).charAt(j) == '1';
          assertEquals(want, mask[i][j], "mask(" + i + "," + j + ")");
          assertEquals(want, layout.visible(i, j), "visible(" + i + "," + j + ")");
        }
      }
    }
  }

  /** §5 pitfall: passing the para ids as branch markers must fail loudly, not give a causal mask. */
  @Test
  void paraIdsUsedAsBranchMarkersAreRejected() throws Exception {
    GoldenToy g = GoldenToy.load();
    SpecialTokenIds real = new SpecialTokenIds(151665, 151666, 151667, 151668, 151669, 151670);
    SpecialTokenIds swapped = new SpecialTokenIds(151669, 151670, 151667, 151668, 151665, 151666);
    try (SampleLayouter layouter = new SampleLayouter(swapped, 152064)) {
      MalformedSampleException e = assertThrows(MalformedSampleException.class, () -> layouter.layout(g.ids(real)));
      assertEquals(11, e.tokenIndex());
      assertEquals(GrammarRule.TEXT_BETWEEN_TITLES_AND_PARA, e.rule());
    }
  }
}
