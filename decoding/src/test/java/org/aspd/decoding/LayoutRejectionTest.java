package org.aspd.decoding;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Malformed samples and bad configuration, each rejected with its rule and token index. */
class LayoutRejectionTest {
  private static final SpecialTokenIds ST = new SpecialTokenIds(100, 101, 102, 103, 104, 105);
  private static final int VOCAB = 200;
  private int[] toy;

  @BeforeEach
  void loadToy() throws Exception {
    toy = GoldenToy.load().ids(ST);
  }

  private static MalformedSampleException rejected(int[] ids, GrammarRule rule, int index) {
    try (SampleLayouter layouter = new SampleLayouter(ST, VOCAB)) {
      MalformedSampleException e = assertThrows(MalformedSampleException.class, () -> layouter.layout(ids));
      assertEquals(rule, e.rule(), e.getMessage());
      assertEquals(index, e.tokenIndex(), e.getMessage());
      assertTrue(e.getMessage().contains("token " + index), e.getMessage());
      return e;
    }
  }

  @Test
  void paraWithoutClose() {
    rejected(Arrays.copyOf(toy, 23), GrammarRule.UNTERMINATED, 23);
  }

  @Test
  void branchRunStartedByTitle() {
    toy[12] = ST.title();
    rejected(toy, GrammarRule.BRANCH_RUN_NOT_STARTED, 12);
  }

  @Test
  void oneBranchGroup() {
    int[] ids = {1, ST.title(), 2, ST.titleEnd(), ST.para(), ST.branch(), 2, 3, ST.branchEnd(), ST.paraEnd(), 4};
    rejected(ids, GrammarRule.TOO_FEW_BRANCHES, 9);
  }

  @Test
  void tokenIdOutOfRangeIsCaughtInJava() {
    toy[15] = VOCAB;
    rejected(toy, GrammarRule.TOKEN_ID_OUT_OF_RANGE, 15);
  }

  @Test
  void negativeTokenId() {
    toy[3] = -1;
    rejected(toy, GrammarRule.NEGATIVE_TOKEN_ID, 3);
  }

  @Test
  void nestedBranch() {
    toy[15] = ST.branch();
    rejected(toy, GrammarRule.NESTED_MARKER, 15);
  }

  @Test
  void headerNotRepeatingTitle() {
    toy[19] = toy[13];
    rejected(toy, GrammarRule.HEADER_MISMATCH, 19);
  }

  @Test
  void headerWithoutItsSeparatorWhenTheSeparatorIsGiven() {
    int[] separator = {toy[14]};
    try (SampleLayouter layouter = new SampleLayouter(ST, VOCAB, separator)) {
      assertEquals(1, layouter.layout(toy).groupCount());
      int[] noSeparator = toy.clone();
      noSeparator[20] = toy[15];
      MalformedSampleException e = assertThrows(MalformedSampleException.class, () -> layouter.layout(noSeparator));
      assertEquals(GrammarRule.HEADER_MISMATCH, e.rule(), e.getMessage());
      assertEquals(20, e.tokenIndex());
    }
    assertThrows(IllegalArgumentException.class, () -> new SampleLayouter(ST, VOCAB, new int[] {ST.para()}));
    assertThrows(IllegalArgumentException.class, () -> new SampleLayouter(ST, VOCAB, new int[] {VOCAB}));
  }

  @Test
  void adjacentGroups() {
    int[] ids = Arrays.copyOf(toy, 24 + 19);
    System.arraycopy(toy, 5, ids, 24, 19); // a second group right after <|/para|>
    rejected(ids, GrammarRule.ADJACENT_GROUPS, 24);
  }

  @Test
  void specialIdsMustBeDistinctNonNegativeAndInVocab() {
    assertThrows(IllegalArgumentException.class, () -> new SpecialTokenIds(1, 2, 3, 4, 5, 1));
    assertThrows(IllegalArgumentException.class, () -> new SpecialTokenIds(1, 2, 3, 4, 5, -6));
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> new SampleLayouter(ST, 105));
    assertTrue(e.getMessage().contains("105"), e.getMessage());
    assertThrows(IllegalArgumentException.class, () -> new SampleLayouter(ST, 0));
  }

  @Test
  void closedLayouterRefusesWork() {
    SampleLayouter layouter = new SampleLayouter(ST, VOCAB);
    layouter.close();
    layouter.close(); // idempotent
    assertThrows(IllegalStateException.class, () -> layouter.layout(toy));
  }
}
