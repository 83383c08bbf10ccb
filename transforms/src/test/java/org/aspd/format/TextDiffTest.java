package org.aspd.format;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** The bounded Myers diff against an LCS computed by dynamic programming, on random edits. */
class TextDiffTest {
  @Test
  void hunksRebuildTheRewriteAlongAShortestScript() {
    Random rng = new Random(5);
    for (int round = 0; round < 2000; round++) {
      String a = random(rng, rng.nextInt(40));
      String b = mutate(rng, a, rng.nextInt(6));
      int shortest = a.length() + b.length() - 2 * lcs(a, b);
      List<TextDiff.Hunk> hunks = TextDiff.diff(a, b, 1000);
      assertNotNull(hunks);
      StringBuilder rebuilt = new StringBuilder();
      int at = 0;
      int edits = 0;
      for (TextDiff.Hunk h : hunks) {
        assertTrue(h.sourceStart() >= at, "hunks in order");
        // between hunks the texts agree
        rebuilt.append(a, at, h.sourceStart()).append(h.rewrite(b));
        edits += (h.sourceEnd() - h.sourceStart()) + (h.rewriteEnd() - h.rewriteStart());
        at = h.sourceEnd();
      }
      rebuilt.append(a.substring(at));
      assertEquals(b, rebuilt.toString(), a + " -> " + b);
      assertEquals(shortest, edits, a + " -> " + b);
      if (shortest > 0) {
        assertNull(TextDiff.diff(a, b, shortest - 1), "over the bound");
        assertNotNull(TextDiff.diff(a, b, shortest));
      }
    }
  }

  @Test
  void equalAndEmptyTexts() {
    assertEquals(List.of(), TextDiff.diff("same", "same", 0));
    assertEquals(List.of(new TextDiff.Hunk(0, 0, 0, 3)), TextDiff.diff("", "abc", 3));
    assertEquals(List.of(new TextDiff.Hunk(0, 3, 0, 0)), TextDiff.diff("abc", "", 3));
    assertEquals(List.of(new TextDiff.Hunk(4, 5, 4, 4)), TextDiff.diff("ends.\n\nNext", "ends\n\nNext", 4));
  }

  private static String random(Random rng, int n) {
    StringBuilder s = new StringBuilder();
    for (int i = 0; i < n; i++) s.append("ab c.\n".charAt(rng.nextInt(6)));
    return s.toString();
  }

  private static String mutate(Random rng, String a, int edits) {
    StringBuilder s = new StringBuilder(a);
    for (int e = 0; e < edits; e++) {
      int op = rng.nextInt(3);
      if (op == 0 || s.length() == 0) s.insert(rng.nextInt(s.length() + 1), "xyab".charAt(rng.nextInt(4)));
      else if (op == 1) s.deleteCharAt(rng.nextInt(s.length()));
      else s.setCharAt(rng.nextInt(s.length()), "xyab".charAt(rng.nextInt(4)));
    }
    return s.toString();
  }

  private static int lcs(String a, String b) {
    int[][] t = new int[a.length() + 1][b.length() + 1];
    for (int i = 1; i <= a.length(); i++) {
      for (int j = 1; j <= b.length(); j++) {
        t[i][j] = a.charAt(i - 1) == b.charAt(j - 1) ? t[i - 1][j - 1] + 1 : Math.max(t[i - 1][j], t[i][j - 1]);
      }
    }
    return t[a.length()][b.length()];
  }
}
