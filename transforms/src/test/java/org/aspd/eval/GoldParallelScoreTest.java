package org.aspd.eval;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.aspd.eval.GoldParallelScore.GoldRow;
import org.aspd.eval.GoldParallelScore.Metrics;
import org.aspd.eval.GoldParallelScore.Report;
import org.junit.jupiter.api.Test;
import org.aspd.testing.SharedDatasets;

class GoldParallelScoreTest {
  private static final double EPS = 1e-9;

  private static String group(String... bodies) {
    StringBuilder out = new StringBuilder("<branchgroup>\n");
    for (int i = 0; i < bodies.length; i++) {
      out.append("<branch title=\"T").append(i).append("\">\n").append(bodies[i]).append("\n</branch>\n");
    }
    return out.append("</branchgroup>").toString();
  }

  /** Gold: answer 1 parallel with branches x, y; answer 2 serial. */
  private static final List<GoldRow> GOLD = List.of(
      new GoldRow(1, "generic", true, "Intro\n\n" + group("- x item body", "- y item body") + "\n\nEnd."),
      new GoldRow(2, "math", false, "Serial derivation text."));

  @Test
  void handMadeCaseMatchesHandComputedNumbers() {
    Map<Integer, String> predictions = Map.of(
        1, "Intro\n\n" + group("- x item body", "- z item body") + "\n\nEnd.",
        2, "Serial " + group("derivation", "text."));
    Metrics m = GoldParallelScore.score(GOLD, predictions);
    // Decisions: answer 1 TP, answer 2 FP -> P = 1/2, R = 1/1, F1 = 2/3.
    assertEquals(0.5, m.decisionPrecision(), EPS);
    assertEquals(1.0, m.decisionRecall(), EPS);
    assertEquals(2.0 / 3.0, m.decisionF1(), EPS);
    // Branches: gold {x, y}; predicted {x, z} + {derivation, text.} -> TP 1, P = 1/4, R = 1/2, F1 = 1/3.
    assertEquals(1, m.branchTp());
    assertEquals(4, m.predictedBranches());
    assertEquals(2, m.goldBranches());
    assertEquals(0.25, m.branchPrecision(), EPS);
    assertEquals(0.5, m.branchRecall(), EPS);
    assertEquals(1.0 / 3.0, m.branchF1(), EPS);
  }

  @Test
  void missingPredictionIsSerialAndEmptySetsScoreZero() {
    Metrics m = GoldParallelScore.score(GOLD, Map.of());
    assertEquals(0, m.tp());
    assertEquals(1, m.fn());
    assertEquals(0.0, m.decisionF1(), EPS);
    assertEquals(0.0, m.branchF1(), EPS);
  }

  @Test
  void bodiesAreNormalisedAsTheReadmeSays() {
    String rewrite = "<branch title=\"Cost\">\n  Cost: cheap\n   and   fast \n</branch>"
        + "<branch title=\"X\">Title: header line\nbody  text</branch>";
    assertEquals(Set.of("cheap and fast", "body text"), GoldParallelScore.branches(rewrite));
    assertEquals("a b c", GoldParallelScore.norm("\u00a0a\t b\n\nc  "));
  }

  @Test
  void reproductionIgnoresTagsAndWhitespaceOnly() {
    String original = "Intro\n\n- x item body\n- y item body\n\nEnd.";
    assertTrue(GoldParallelScore.reproduces(GOLD.get(0).rewrite(), original));
    assertTrue(GoldParallelScore.reproduces("", original));
    assertFalse(GoldParallelScore.reproduces(GOLD.get(0).rewrite(), original.replace("End.", "Fin.")));
  }

  @Test
  void reportSplitsByCategoryAndLeavesOutMergedLists() {
    List<GoldRow> gold = List.of(GOLD.get(0), new GoldRow(7, "generic", true, group("- a one", "- b two")));
    Map<Integer, String> predictions = Map.of(1, GOLD.get(0).rewrite(), 7, "no groups");
    Report r = GoldParallelScore.report(gold, predictions, Map.of());
    assertEquals(2.0 / 4.0, r.overall().branchRecall(), EPS);
    assertEquals(1.0, r.withoutMergedLists().branchF1(), EPS);
    assertEquals(Set.of("generic"), r.perCategory().keySet());
    assertTrue(GoldParallelScore.table(r).contains("w/o merged lists"));
  }

  @Test
  void goldAgainstItselfScoresOneEverywhere() {
    Optional<Path> file = SharedDatasets.resolve("vicuna-bench/gold-parallel/vicuna-gpt4o.jsonl");
    assumeTrue(file.isPresent(), "shared datasets absent");
    List<GoldRow> gold = GoldParallelScore.readGold(file.get());
    assertEquals(80, gold.size());
    Map<Integer, String> predictions = new HashMap<>();
    gold.forEach(g -> predictions.put(g.questionId(), g.rewrite()));
    Report r = GoldParallelScore.report(gold, predictions, Map.of());
    for (Metrics m : List.of(r.overall(), r.withoutMergedLists())) {
      assertEquals(1.0, m.decisionF1(), EPS);
      assertEquals(1.0, m.branchPrecision(), EPS);
      assertEquals(1.0, m.branchRecall(), EPS);
    }
    assertEquals(52, r.overall().tp());
    assertEquals(351, r.overall().goldBranches());
  }
}
