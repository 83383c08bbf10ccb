package org.aspd.format;

import java.util.ArrayList;
import java.util.List;

/**
 * Myers' O(ND) difference of two strings (E. Myers, "An O(ND) Difference Algorithm and Its
 * Variations", 1986), bounded: a rewrite that is the source with a few slight edits differs in few
 * characters, and one that differs in more than the bound is refused without the quadratic cost.
 */
public final class TextDiff {
  private TextDiff() {}

  /** Source range [sourceStart, sourceEnd) was replaced by rewrite range [rewriteStart, rewriteEnd). */
  public record Hunk(int sourceStart, int sourceEnd, int rewriteStart, int rewriteEnd) {
    public String source(String s) {
      return s.substring(sourceStart, sourceEnd);
    }

    public String rewrite(String r) {
      return r.substring(rewriteStart, rewriteEnd);
    }
  }

  /**
   * The hunks that turn {@code source} into {@code rewrite}, in order, along a shortest edit
   * script; null when that script needs more than {@code maxEdits} character insertions and
   * deletions.
   */
  public static List<Hunk> diff(String source, String rewrite, int maxEdits) {
    int prefix = 0;
    int limit = Math.min(source.length(), rewrite.length());
    while (prefix < limit && source.charAt(prefix) == rewrite.charAt(prefix)) prefix++;
    int suffix = 0;
    while (suffix < limit - prefix
        && source.charAt(source.length() - 1 - suffix) == rewrite.charAt(rewrite.length() - 1 - suffix)) {
      suffix++;
    }
    String a = source.substring(prefix, source.length() - suffix);
    String b = rewrite.substring(prefix, rewrite.length() - suffix);
    boolean[][] ops = script(a, b, maxEdits);
    if (ops == null) return null;
    return hunks(ops[0], ops[1], prefix);
  }

  /**
   * Marks the characters of a that are deleted (ops[0]) and of b that are inserted (ops[1]);
   * null past maxEdits. Keeps each round's frontier (O(D^2) ints) to walk the script back.
   */
  private static boolean[][] script(String a, String b, int maxEdits) {
    int n = a.length();
    int m = b.length();
    int max = Math.min(n + m, maxEdits);
    if (n + m > 0 && Math.abs(n - m) > max) return null;
    int offset = max + 1;
    int[] v = new int[2 * max + 3];
    List<int[]> trace = new ArrayList<>();
    int found = -1;
    for (int d = 0; d <= max && found < 0; d++) {
      trace.add(v.clone());
      for (int k = -d; k <= d; k += 2) {
        int x = k == -d || (k != d && v[offset + k - 1] < v[offset + k + 1])
            ? v[offset + k + 1]
            : v[offset + k - 1] + 1;
        int y = x - k;
        while (x < n && y < m && a.charAt(x) == b.charAt(y)) {
          x++;
          y++;
        }
        v[offset + k] = x;
        if (x >= n && y >= m) {
          found = d;
          break;
        }
      }
    }
    if (found < 0) return null;
    boolean[] deleted = new boolean[n];
    boolean[] inserted = new boolean[m];
    int x = n;
    int y = m;
    for (int d = found; d > 0; d--) {
      int[] prev = trace.get(d);
      int k = x - y;
      boolean down = k == -d || (k != d && prev[offset + k - 1] < prev[offset + k + 1]);
      int prevK = down ? k + 1 : k - 1;
      int prevX = prev[offset + prevK];
      int prevY = prevX - prevK;
      while (x > prevX && y > prevY) { // back along the diagonal run to the edit
        x--;
        y--;
      }
      if (down) {
        inserted[prevY] = true;
      } else {
        deleted[prevX] = true;
      }
      x = prevX;
      y = prevY;
    }
    return new boolean[][] {deleted, inserted};
  }

  /** Maximal runs of changes between equal characters, shifted back by the common prefix. */
  private static List<Hunk> hunks(boolean[] deleted, boolean[] inserted, int shift) {
    List<Hunk> out = new ArrayList<>();
    int i = 0;
    int j = 0;
    while (i < deleted.length || j < inserted.length) {
      if (i < deleted.length && j < inserted.length && !deleted[i] && !inserted[j]) {
        i++;
        j++;
        continue;
      }
      int i0 = i;
      int j0 = j;
      while (i < deleted.length && deleted[i]) i++;
      while (j < inserted.length && inserted[j]) j++;
      if (i == i0 && j == j0) { // one side ran out while the other holds only kept characters
        throw new IllegalStateException("diff script out of step at " + i + "/" + j);
      }
      out.add(new Hunk(shift + i0, shift + i, shift + j0, shift + j));
    }
    return out;
  }
}
