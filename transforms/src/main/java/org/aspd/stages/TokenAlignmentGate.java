package org.aspd.stages;

import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.aspd.format.AnnotationException;
import org.aspd.format.Branch;
import org.aspd.format.Group;
import org.aspd.format.Item;
import org.aspd.format.Response;
import org.aspd.format.SerialText;
import org.aspd.format.SourceAligner;
import org.aspd.format.TextDiff;
import org.aspd.model.IntegrityEdit;
import org.aspd.tokens.AspdTokenizer;

/**
 * Token alignment (method §3 stage 1), run when exact integrity fails: a rewrite whose text differs
 * from the source by at most the edit budget in tokens, none of them touching a digit, a code span
 * or a URL, passes with its edits recorded ({@code integrity=edited}).
 *
 * <p>Ours: the rewrite's structure is projected onto the source. Its branch and group boundaries
 * are carried through the alignment, and every piece takes the source's own text, so the row holds
 * the original answer byte for byte (nothing added, dropped or changed) and the edits are kept as a
 * record of what the rewriter did, not applied.
 */
final class TokenAlignmentGate {
  private TokenAlignmentGate() {}

  /** The aligned response (plain text = the source) and the edits that were undone. */
  record Result(Response response, List<IntegrityEdit> edits) {}

  private static final String PIECE_SEPARATOR = "\n\n";
  private static final Pattern URL =
      Pattern.compile("(?i)\\b(?:https?|ftp)://[^\\s<>()\\[\\]]+|\\bwww\\.[^\\s<>()\\[\\]]+");
  private static final Pattern FENCE = Pattern.compile("(?s)(```|~~~).*?(?:\\1|\\z)");
  private static final Pattern INLINE_CODE = Pattern.compile("`[^`\\n]+`");

  /** min(max, floor(fraction x answer tokens)): method §3 {@code integrity.editBudget}. */
  static int budget(StageConfig config, int answerTokens) {
    return (int) Math.min(config.editBudgetMax(), Math.floor(config.editBudgetFraction() * answerTokens));
  }

  /**
   * @throws AnnotationException {@code edit_budget} (more edits than the budget),
   *     {@code edit_protected} (an edit touches a digit, code span or URL), {@code edit_at_boundary}
   *     (where a boundary falls in the source cannot be told)
   */
  static Result apply(List<Item> scanned, String source, int budget, AspdTokenizer tok) throws AnnotationException {
    List<Piece> pieces = pieces(scanned);
    StringBuilder r = new StringBuilder();
    int[] starts = new int[pieces.size() + 1];
    for (int p = 0; p < pieces.size(); p++) {
      // Pieces are whitespace-separated in the source, most often by a blank line: joined the same
      // way, words at a boundary stay apart and the boundary itself is no edit.
      if (p > 0) r.append(PIECE_SEPARATOR);
      starts[p] = r.length();
      r.append(pieces.get(p).core);
    }
    starts[pieces.size()] = r.length();
    String rewrite = r.toString();
    // Room for the whitespace the rewrite moves at each boundary, and for a few characters per token edit.
    int maxChars = 16 * (pieces.size() + 1) + 24 * budget;
    List<TextDiff.Hunk> hunks = TextDiff.diff(source, rewrite, maxChars);
    if (hunks == null) {
      throw new AnnotationException("edit_budget",
          "the rewrite differs from the source in more than " + maxChars + " characters (budget " + budget + " token edits)");
    }
    List<int[]> protectedSpans = protectedSpans(source);
    List<TextDiff.Hunk> edits = new ArrayList<>();
    for (TextDiff.Hunk h : hunks) {
      if (h.source(source).isBlank() && h.rewrite(rewrite).isBlank()) continue; // boundary whitespace
      checkUnprotected(h, source, rewrite, protectedSpans);
      edits.add(h);
    }
    int[] cut = sourceBoundaries(starts, hunks, source, rewrite);
    List<IntegrityEdit> recorded = record(edits, source, rewrite, cut, pieces, tok);
    int total = recorded.stream().mapToInt(IntegrityEdit::tokenEdits).sum();
    if (total > budget) {
      throw new AnnotationException("edit_budget",
          "the rewrite makes " + total + " token edits to the source (budget " + budget + ")");
    }
    return new Result(SourceAligner.align(rebuild(scanned, source, cut), source), recorded);
  }

  /** A serial text or a branch of the rewrite, with its text stripped as exact integrity does. */
  private record Piece(String core, int group, int branch, String title) {
    String location() {
      return group < 0 ? "serial" : "group " + group + " branch " + branch + " '" + title + "'";
    }
  }

  private static List<Piece> pieces(List<Item> scanned) {
    List<Piece> out = new ArrayList<>();
    int g = 0;
    for (Item item : scanned) {
      if (item instanceof SerialText s) {
        out.add(new Piece(s.text().strip(), -1, 0, ""));
      } else if (item instanceof Group group) {
        for (int b = 0; b < group.size(); b++) {
          Branch branch = group.branches().get(b);
          out.add(new Piece(branch.content().strip(), g, b, branch.title()));
        }
        g++;
      }
    }
    return out;
  }

  private static List<int[]> protectedSpans(String source) {
    List<int[]> spans = new ArrayList<>();
    for (Pattern p : List.of(FENCE, INLINE_CODE, URL)) {
      Matcher m = p.matcher(source);
      while (m.find()) spans.add(new int[] {m.start(), m.end()});
    }
    return spans;
  }

  private static void checkUnprotected(TextDiff.Hunk h, String source, String rewrite, List<int[]> spans)
      throws AnnotationException {
    String from = h.source(source);
    String to = h.rewrite(rewrite);
    String why = null;
    if (from.chars().anyMatch(Character::isDigit) || to.chars().anyMatch(Character::isDigit)) {
      why = "a digit";
    } else if (to.contains("`") || to.contains("://") || to.toLowerCase(java.util.Locale.ROOT).contains("www.")) {
      why = "code or a URL";
    } else {
      for (int[] s : spans) {
        boolean touches = h.sourceStart() == h.sourceEnd()
            ? h.sourceStart() > s[0] && h.sourceStart() < s[1]
            : h.sourceStart() < s[1] && s[0] < h.sourceEnd();
        if (touches) {
          why = "a code span or URL";
          break;
        }
      }
    }
    if (why != null) {
      throw new AnnotationException("edit_protected", "the rewrite edits " + why + " at offset " + h.sourceStart()
          + ": source '" + excerpt(from) + "', rewrite '" + excerpt(to) + "'");
    }
  }

  /**
   * Where each piece starts in the source. A boundary inside an equal run maps through it; one that
   * touches a changed run goes after the longest whitespace in the run's source side (pieces are
   * whitespace-separated in the source), else to the run's edge on the boundary's side.
   */
  private static int[] sourceBoundaries(int[] starts, List<TextDiff.Hunk> hunks, String source, String rewrite)
      throws AnnotationException {
    int n = starts.length - 1;
    int[] cut = new int[n + 1];
    cut[0] = 0;
    cut[n] = source.length();
    int h = 0;
    int delta = 0; // source length minus rewrite length of the hunks passed
    for (int p = 1; p < n; p++) {
      int at = starts[p];
      while (h < hunks.size() && hunks.get(h).rewriteEnd() < at) {
        TextDiff.Hunk x = hunks.get(h++);
        delta += (x.sourceEnd() - x.sourceStart()) - (x.rewriteEnd() - x.rewriteStart());
      }
      TextDiff.Hunk touching = h < hunks.size() && hunks.get(h).rewriteStart() <= at ? hunks.get(h) : null;
      if (touching == null) {
        cut[p] = at + delta;
      } else {
        cut[p] = splitInside(touching, at, source);
      }
      if (cut[p] < cut[p - 1]) {
        throw new AnnotationException("edit_at_boundary", "the rewrite's pieces cannot be placed in order in the source near offset " + cut[p]);
      }
    }
    return cut;
  }

  private static int splitInside(TextDiff.Hunk x, int at, String source) throws AnnotationException {
    int bestEnd = -1;
    int bestLength = 0;
    int i = x.sourceStart();
    while (i < x.sourceEnd()) {
      if (!Character.isWhitespace(source.charAt(i))) {
        i++;
        continue;
      }
      int j = i;
      while (j < x.sourceEnd() && Character.isWhitespace(source.charAt(j))) j++;
      if (j - i > bestLength) {
        bestLength = j - i;
        bestEnd = j;
      }
      i = j;
    }
    if (bestEnd >= 0) return bestEnd;
    if (x.rewriteEnd() == at && x.rewriteStart() < at) return x.sourceEnd();
    if (x.rewriteStart() == at && x.rewriteEnd() > at) return x.sourceStart();
    throw new AnnotationException("edit_at_boundary", "the rewrite changes '" + excerpt(x.source(source))
        + "' right at a branch boundary (offset " + x.sourceStart() + "), so its side cannot be told");
  }

  /**
   * One record per run of edited words: both sides widened to whole words (token counts inside a
   * word depend on its neighbours), runs that share a word merged, tokens compared by Levenshtein.
   */
  private static List<IntegrityEdit> record(List<TextDiff.Hunk> edits, String source, String rewrite, int[] cut,
      List<Piece> pieces, AspdTokenizer tok) {
    List<int[]> runs = new ArrayList<>(); // {sourceStart, sourceEnd, rewriteStart, rewriteEnd}
    for (TextDiff.Hunk h : edits) {
      int[] w = {wordStart(source, h.sourceStart()), wordEnd(source, h.sourceEnd()),
          wordStart(rewrite, h.rewriteStart()), wordEnd(rewrite, h.rewriteEnd())};
      int[] last = runs.isEmpty() ? null : runs.get(runs.size() - 1);
      if (last != null && (w[0] <= last[1] || w[2] <= last[3])) {
        last[1] = Math.max(last[1], w[1]);
        last[3] = Math.max(last[3], w[3]);
      } else {
        runs.add(w);
      }
    }
    List<IntegrityEdit> out = new ArrayList<>();
    for (int[] w : runs) {
      String from = source.substring(w[0], w[1]);
      String to = rewrite.substring(w[2], w[3]);
      int piece = 0;
      while (piece + 1 < pieces.size() && cut[piece + 1] <= w[0]) piece++;
      out.add(new IntegrityEdit(w[0], from, to, levenshtein(tok.encodeText(from), tok.encodeText(to)),
          pieces.get(piece).location()));
    }
    return out;
  }

  private static int wordStart(String s, int i) {
    while (i > 0 && !Character.isWhitespace(s.charAt(i - 1))) i--;
    return i;
  }

  private static int wordEnd(String s, int i) {
    while (i < s.length() && !Character.isWhitespace(s.charAt(i))) i++;
    return i;
  }

  static int levenshtein(int[] a, int[] b) {
    int[] prev = new int[b.length + 1];
    int[] cur = new int[b.length + 1];
    for (int j = 0; j <= b.length; j++) prev[j] = j;
    for (int i = 1; i <= a.length; i++) {
      cur[0] = i;
      for (int j = 1; j <= b.length; j++) {
        cur[j] = Math.min(Math.min(prev[j] + 1, cur[j - 1] + 1), prev[j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1));
      }
      int[] t = prev;
      prev = cur;
      cur = t;
    }
    return prev[b.length];
  }

  /** The scanned structure with every piece's text taken from the source between its cuts. */
  private static List<Item> rebuild(List<Item> scanned, String source, int[] cut) {
    List<Item> out = new ArrayList<>();
    int p = 0;
    for (Item item : scanned) {
      if (item instanceof SerialText) {
        out.add(new SerialText(source.substring(cut[p], cut[p + 1])));
        p++;
      } else if (item instanceof Group group) {
        List<Branch> branches = new ArrayList<>();
        for (Branch b : group.branches()) {
          branches.add(new Branch(b.title(), source.substring(cut[p], cut[p + 1])));
          p++;
        }
        out.add(new Group(branches));
      }
    }
    return out;
  }

  private static String excerpt(String s) {
    String cut = s.length() > 40 ? s.substring(0, 40) + "…" : s;
    return cut.replace("\n", "\\n");
  }
}
