package org.aspd.eval;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.aspd.format.TagEscaper;

/**
 * Scores predicted rewrites against the hand-made gold structures of the Vicuna Bench gpt-4o
 * answers ({@code vicuna-bench/gold-parallel}), exactly as the Python in that folder's README:
 *
 * <ul>
 *   <li>decision precision/recall/F1, where a prediction is parallel iff it contains {@code
 *       <branchgroup>};
 *   <li>branch-boundary precision/recall/F1, micro-averaged: the normalised branch bodies of each
 *       answer (title header removed, whitespace collapsed) are compared as sets;
 *   <li>both per category, branch F1 without the merged-list answers, and the share of outputs
 *       whose de-tagged text reproduces the original up to whitespace.
 * </ul>
 *
 * <p>Outputs that change the content are scored as they are (the README allows either choice); the
 * reproduction share reports how many did.
 */
public final class GoldParallelScore {
  /** Answers whose gold merges a list of more than ten items into pairs (gold rule 5). */
  public static final Set<Integer> MERGED_LIST_ANSWERS = Set.of(7, 8, 10, 25, 38);

  private static final Pattern BRANCH = Pattern.compile("<branch title=\"([^\"]*)\">(.*?)</branch>", Pattern.DOTALL);
  private static final Pattern TITLE_HEADER = Pattern.compile("^Title:[^\\n]*\\n");
  private static final Pattern TAG = Pattern.compile("</?branchgroup>|<branch title=\"[^\"]*\">|</branch>");

  /** One gold line. */
  public record GoldRow(int questionId, String category, boolean parallel, String rewrite) {}

  /** Counts and the six metrics for a set of answers. */
  public record Metrics(int answers, int tp, int fp, int fn, int branchTp, int predictedBranches, int goldBranches) {
    public double decisionPrecision() {
      return tp / (double) Math.max(tp + fp, 1);
    }

    public double decisionRecall() {
      return tp / (double) Math.max(tp + fn, 1);
    }

    public double decisionF1() {
      return f1(decisionPrecision(), decisionRecall());
    }

    public double branchPrecision() {
      return branchTp / (double) Math.max(predictedBranches, 1);
    }

    public double branchRecall() {
      return branchTp / (double) Math.max(goldBranches, 1);
    }

    public double branchF1() {
      return f1(branchPrecision(), branchRecall());
    }

    private static double f1(double p, double r) {
      return p + r > 0 ? 2 * p * r / (p + r) : 0.0;
    }
  }

  /** The full breakdown the README asks for. */
  public record Report(Metrics overall, Map<String, Metrics> perCategory, Metrics withoutMergedLists,
      int reproduced, int outputs) {
    public double reproducedShare() {
      return reproduced / (double) Math.max(outputs, 1);
    }
  }

  private GoldParallelScore() {}

  public static List<GoldRow> readGold(Path jsonl) {
    ObjectMapper json = new ObjectMapper();
    List<GoldRow> rows = new ArrayList<>();
    try {
      for (String line : Files.readAllLines(jsonl, StandardCharsets.UTF_8)) {
        if (line.isBlank()) {
          continue;
        }
        JsonNode n = json.readTree(line);
        rows.add(new GoldRow(n.get("question_id").asInt(), n.get("category").asText(),
            n.get("parallel").asBoolean(), n.get("rewrite").asText()));
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read gold file " + jsonl, e);
    }
    return rows;
  }

  /** Decision and branch metrics over the given gold rows; a missing prediction counts as "". */
  public static Metrics score(List<GoldRow> gold, Map<Integer, String> predictions) {
    int tp = 0;
    int fp = 0;
    int fn = 0;
    int btp = 0;
    int bp = 0;
    int bg = 0;
    for (GoldRow g : gold) {
      String pr = predictions.getOrDefault(g.questionId(), "");
      boolean pp = pr.contains("<branchgroup>");
      tp += pp && g.parallel() ? 1 : 0;
      fp += pp && !g.parallel() ? 1 : 0;
      fn += !pp && g.parallel() ? 1 : 0;
      Set<String> goldSet = branches(g.rewrite());
      Set<String> predicted = branches(pr);
      Set<String> common = new HashSet<>(goldSet);
      common.retainAll(predicted);
      btp += common.size();
      bp += predicted.size();
      bg += goldSet.size();
    }
    return new Metrics(gold.size(), tp, fp, fn, btp, bp, bg);
  }

  /**
   * Overall, per-category and merged-lists-excluded metrics, plus the reproduction share over
   * {@code originals} (question id to original answer).
   */
  public static Report report(List<GoldRow> gold, Map<Integer, String> predictions, Map<Integer, String> originals) {
    Map<String, List<GoldRow>> byCategory = new LinkedHashMap<>();
    List<GoldRow> unmerged = new ArrayList<>();
    for (GoldRow g : gold) {
      byCategory.computeIfAbsent(g.category(), c -> new ArrayList<>()).add(g);
      if (!MERGED_LIST_ANSWERS.contains(g.questionId())) {
        unmerged.add(g);
      }
    }
    Map<String, Metrics> perCategory = new LinkedHashMap<>();
    byCategory.forEach((c, rows) -> perCategory.put(c, score(rows, predictions)));
    int reproduced = 0;
    for (GoldRow g : gold) {
      String original = originals.get(g.questionId());
      if (original != null && reproduces(predictions.getOrDefault(g.questionId(), ""), original)) {
        reproduced++;
      }
    }
    return new Report(score(gold, predictions), perCategory, score(unmerged, predictions), reproduced, gold.size());
  }

  /** The normalised branch bodies of a rewrite, as the README's {@code branches()}. */
  public static Set<String> branches(String rewrite) {
    Set<String> out = new HashSet<>();
    Matcher m = BRANCH.matcher(rewrite);
    while (m.find()) {
      String title = m.group(1);
      String body = pyStrip(m.group(2));
      body = TITLE_HEADER.matcher(body).replaceFirst("");
      if (body.startsWith(title + ":")) {
        body = body.substring(title.length() + 1);
      }
      out.add(norm(body));
    }
    return out;
  }

  /**
   * True when removing the tags (and undoing tag escaping) gives the original once whitespace is
   * collapsed. An empty output stands for "not parallel", i.e. the original itself.
   */
  public static boolean reproduces(String rewrite, String original) {
    if (rewrite.isEmpty()) {
      return true;
    }
    String plain = TagEscaper.unescape(TAG.matcher(rewrite).replaceAll(""));
    return norm(plain).equals(norm(original));
  }

  /** Python's {@code ' '.join(s.split())}. */
  public static String norm(String s) {
    StringBuilder out = new StringBuilder(s.length());
    boolean pending = false;
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      if (isPythonSpace(c)) {
        pending = out.length() > 0;
      } else {
        if (pending) {
          out.append(' ');
          pending = false;
        }
        out.append(c);
      }
    }
    return out.toString();
  }

  private static String pyStrip(String s) {
    int a = 0;
    int b = s.length();
    while (a < b && isPythonSpace(s.charAt(a))) {
      a++;
    }
    while (b > a && isPythonSpace(s.charAt(b - 1))) {
      b--;
    }
    return s.substring(a, b);
  }

  /** Python's {@code str.isspace()} for one character. */
  static boolean isPythonSpace(char c) {
    return Character.isWhitespace(c) || Character.isSpaceChar(c) || c == '\u0085';
  }

  /** The metrics table as text: overall, per category, and the two extra lines. */
  public static String table(Report r) {
    StringBuilder out = new StringBuilder();
    out.append(String.format(Locale.ROOT, "%-16s %4s | %6s %6s %6s | %6s %6s %6s | %5s %5s%n", "set", "n",
        "dec-P", "dec-R", "dec-F1", "br-P", "br-R", "br-F1", "brTP", "brP/G"));
    row(out, "all", r.overall());
    r.perCategory().forEach((c, m) -> row(out, c, m));
    row(out, "w/o merged lists", r.withoutMergedLists());
    out.append(String.format(Locale.ROOT, "reproduces original: %d/%d = %.3f%n", r.reproduced(), r.outputs(),
        r.reproducedShare()));
    return out.toString();
  }

  private static void row(StringBuilder out, String name, Metrics m) {
    out.append(String.format(Locale.ROOT, "%-16s %4d | %6.3f %6.3f %6.3f | %6.3f %6.3f %6.3f | %5d %d/%d%n", name,
        m.answers(), m.decisionPrecision(), m.decisionRecall(), m.decisionF1(), m.branchPrecision(),
        m.branchRecall(), m.branchF1(), m.branchTp(), m.predictedBranches(), m.goldBranches()));
  }
}
