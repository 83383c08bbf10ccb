package org.aspd.metrics;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import org.aspd.format.Branch;
import org.aspd.format.Group;
import org.aspd.format.Response;
import org.aspd.format.SerialText;
import org.aspd.testing.ToyTokenizer;
import org.aspd.tokens.ShardLayout;
import org.junit.jupiter.api.Test;

/**
 * The method doc's toy sequence (§4–§6) with a one-token-per-character vocabulary: serial "xyz"
 * (s0 s1 s2), titles A and B, branch contents "12" (a1 a2) and "3" (c1), serial "tu" (t0 t1).
 * Response indices are the doc's minus 2 (the doc's prompt p0 p1 is not part of the response).
 */
class ToyExampleTest {
  private static final ToyTokenizer TOK = new ToyTokenizer();
  private static final Response TOY = new Response(List.of(new SerialText("xyz"),
      new Group(List.of(new Branch("A", "12"), new Branch("B", "3"))), new SerialText("tu")));

  @Test
  void metricsMatchTheMethodDoc() {
    SampleMetrics m = SampleMetrics.of(TOY, "xyz123tu", TOK);
    assertEquals(5, m.serialTokens());
    assertEquals(3, m.contentTokens());
    assertEquals(2, m.titleTokens());
    assertEquals(0.30, m.dp(), 1e-12);
    assertEquals(1.0 / 3, m.ape(), 1e-12);
    assertEquals(2.0, m.abn(), 1e-12);
    assertEquals(13, m.mainTokens());
    assertEquals(19, m.stepsAspd());
    assertEquals(24.0 / 19, m.theoreticalSpeedupPacked(), 1e-12);
    assertEquals(8.0 / 19, m.theoreticalSpeedup(), 1e-12);
    assertEquals(24, m.responseTokens());
  }

  @Test
  void layoutMatchesTheMethodDocLabelsAndSameSeqPositions() {
    ShardLayout l = ShardLayout.of(TOY, TOK);
    int title = 1002, titleEnd = 1003, para = 1004, paraEnd = 1005, branch = 1000, branchEnd = 1001;
    int sep = ToyTokenizer.SEPARATOR_ID;
    assertArrayEquals(new int[] {'x', 'y', 'z', title, 'A', titleEnd, title, 'B', titleEnd, para,
        branch, 'A', sep, '1', '2', branchEnd, branch, 'B', sep, '3', branchEnd, paraEnd, 't', 'u'}, l.inputIds());
    // Doc indices 12-17 (branch 1) and 18-22 (branch 2), minus the 2 prompt tokens.
    assertArrayEquals(new int[] {-1, -1, -1, -1, -1, -1, -1, -1, -1, -1,
        0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, -1, -1, -1}, l.groupIds());
    assertArrayEquals(new int[] {0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
        1, 1, 1, 1, 1, 1, 2, 2, 2, 2, 2, 0, 0, 0}, l.branchIds());
    // Same-Seq row of the §6 table: 0–11 | 12–17 | 12–16 | 23 | 24 | 25, minus 2.
    assertArrayEquals(new int[] {0, 1, 2, 3, 4, 5, 6, 7, 8, 9,
        10, 11, 12, 13, 14, 15, 10, 11, 12, 13, 14, 21, 22, 23}, l.positionIds());
  }

  /** Method §3.5 loss_mask: every token by default; without the engine-forced targets on request (§7, §10). */
  @Test
  void lossMaskCoversEveryTokenOrLeavesOutTheForcedOnes() {
    ShardLayout l = ShardLayout.of(TOY, TOK);
    int[] all = new int[24];
    java.util.Arrays.fill(all, 1);
    assertArrayEquals(all, l.lossMask(false));
    // forced: <|branch|> A ": " and <|branch|> B ": " (the headers), and <|/para|> (the merge)
    assertArrayEquals(new int[] {1, 1, 1, 1, 1, 1, 1, 1, 1, 1,
        0, 0, 0, 1, 1, 1, 0, 0, 0, 1, 1, 0, 1, 1}, l.lossMask(true));
  }
}
