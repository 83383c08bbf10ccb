package org.aspd.pipeline.cli;

import java.io.File;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.aspd.eval.GoldParallelScore;
import org.aspd.format.AnnotationCodec;
import org.aspd.format.AnnotationException;
import org.aspd.format.AspdText;
import org.aspd.pipeline.write.ShardReader;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code aspd eval DIR --gold FILE}: scores the structures a run chose against hand-made reference
 * structures (decision and branch-boundary precision, recall and F1, per category), the way the
 * gold set's README defines them. A row matches a gold answer when the number at the end of its id
 * is the question's ({@code gpt-4o/17} → question 17) and its original answer is the gold's answer
 * (up to whitespace): row 17 of another answer set is not scored against question 17's structure.
 * Only matched answers are scored.
 */
@Command(name = "eval", mixinStandardHelpOptions = true,
    description = "Score a run's parallel structures against a gold set (e.g. vicuna-bench gold-parallel).")
final class EvalCommand implements Callable<Integer> {
  private static final Pattern TRAILING_NUMBER = Pattern.compile("(\\d+)$");

  @Parameters(index = "0", paramLabel = "DIR", description = "Output directory of aspd run.")
  File dir;

  @Option(names = "--gold", required = true, paramLabel = "FILE", description = "Gold JSONL (question_id, category, parallel, rewrite).")
  Path gold;

  @Override
  public Integer call() throws Exception {
    List<GoldParallelScore.GoldRow> goldRows = GoldParallelScore.readGold(gold);
    Map<Integer, GoldParallelScore.GoldRow> byQuestion = new HashMap<>();
    goldRows.forEach(g -> byQuestion.put(g.questionId(), g));
    Map<Integer, String> predictions = new HashMap<>();
    Map<Integer, String> originals = new HashMap<>();
    long[] otherAnswers = {0};
    ShardReader.forEach(new File(dir, "data"), r -> {
      Matcher m = TRAILING_NUMBER.matcher(r.get("id").toString());
      GoldParallelScore.GoldRow g = m.find() ? byQuestion.get(Integer.parseInt(m.group(1))) : null;
      if (g == null || predictions.containsKey(g.questionId())) {
        return;
      }
      String original = r.get("original").toString();
      if (!GoldParallelScore.reproduces(g.rewrite(), original)) {
        otherAnswers[0]++;
        return;
      }
      try {
        predictions.put(g.questionId(), AnnotationCodec.format(AspdText.parse(r.get("aspd_text").toString())));
      } catch (AnnotationException e) {
        throw new IllegalStateException("row " + r.get("id") + " has malformed aspd_text: " + e.getMessage(), e);
      }
      originals.put(g.questionId(), original);
    });
    List<GoldParallelScore.GoldRow> matched = goldRows.stream().filter(g -> predictions.containsKey(g.questionId())).toList();
    if (matched.isEmpty()) {
      System.err.println("aspd: no row of " + dir + " holds a gold answer" + (otherAnswers[0] > 0 ? " (" + otherAnswers[0]
          + " rows have a gold question's number in their id but another answer: another answer set?)" : ""));
      return 2;
    }
    System.out.printf("rows matched to gold answers: %d of %d%s%n", matched.size(), goldRows.size(),
        otherAnswers[0] > 0 ? "; " + otherAnswers[0] + " rows with a gold question's number hold another answer" : "");
    System.out.print(GoldParallelScore.table(GoldParallelScore.report(matched, predictions, originals)));
    return 0;
  }
}
