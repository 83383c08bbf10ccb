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
 * gold set's README defines them. Rows are matched to gold answers by the number at the end of
 * their id ({@code gpt-4o/17} → question 17).
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
    Map<Integer, String> predictions = new HashMap<>();
    Map<Integer, String> originals = new HashMap<>();
    ShardReader.forEach(new File(dir, "data"), r -> {
      Matcher m = TRAILING_NUMBER.matcher(r.get("id").toString());
      if (!m.find()) {
        return;
      }
      int qid = Integer.parseInt(m.group(1));
      try {
        predictions.put(qid, AnnotationCodec.format(AspdText.parse(r.get("aspd_text").toString())));
      } catch (AnnotationException e) {
        throw new IllegalStateException("row " + r.get("id") + " has malformed aspd_text: " + e.getMessage(), e);
      }
      originals.put(qid, r.get("original").toString());
    });
    long matched = goldRows.stream().filter(g -> predictions.containsKey(g.questionId())).count();
    if (matched == 0) {
      System.err.println("aspd: no row of " + dir + " matches a gold question id");
      return 2;
    }
    System.out.printf("rows matched to gold answers: %d of %d%n", matched, goldRows.size());
    System.out.print(GoldParallelScore.table(GoldParallelScore.report(goldRows, predictions, originals)));
    return 0;
  }
}
