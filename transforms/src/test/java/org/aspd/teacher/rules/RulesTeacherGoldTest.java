package org.aspd.teacher.rules;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.aspd.eval.GoldParallelScore;
import org.aspd.format.AnnotationCodec;
import org.aspd.format.TagEscaper;
import org.aspd.model.Sample;
import org.junit.jupiter.api.Test;
import org.aspd.testing.SharedDatasets;

/**
 * Runs the rules teacher's first candidate on the 80 Vicuna Bench gpt-4o answers and scores it
 * against the hand-made gold (a development set: these floors guard against regressions, they are
 * not held-out results).
 */
class RulesTeacherGoldTest {
  private static final double DECISION_F1_FLOOR = 0.96;
  private static final double BRANCH_F1_FLOOR = 0.95;
  private static final double BRANCH_F1_UNMERGED_FLOOR = 0.95;

  @Test
  void firstCandidateMatchesTheGold() throws Exception {
    Optional<Path> folder = SharedDatasets.resolve("vicuna-bench");
    assumeTrue(folder.isPresent(), "shared datasets absent");
    Path base = folder.get();
    ObjectMapper json = new ObjectMapper();
    Map<Integer, String> answers = new HashMap<>();
    Map<Integer, String> questions = new HashMap<>();
    for (String line : Files.readAllLines(base.resolve("llm_judge/model_answer/gpt-4o.jsonl"))) {
      JsonNode n = json.readTree(line);
      answers.put(n.get("question_id").asInt(), n.get("choices").get(0).get("turns").get(0).asText());
    }
    for (String line : Files.readAllLines(base.resolve("llm_judge/question.jsonl"))) {
      JsonNode n = json.readTree(line);
      questions.put(n.get("question_id").asInt(), n.get("turns").get(0).asText());
    }
    List<GoldParallelScore.GoldRow> gold =
        GoldParallelScore.readGold(base.resolve("gold-parallel/vicuna-gpt4o.jsonl"));
    RulesTeacher teacher = new RulesTeacher();
    Map<Integer, String> predictions = new HashMap<>();
    for (GoldParallelScore.GoldRow g : gold) {
      String answer = answers.get(g.questionId());
      Sample sample = new Sample("vicuna-" + g.questionId(), "vicuna-bench", "gpt-4o", g.category(), "",
          List.of(), questions.get(g.questionId()), answer);
      List<String> candidates = teacher.rewrite(sample, TagEscaper.escape(answer), 3);
      String first = candidates.isEmpty() ? answer : candidates.get(0);
      assertEquals(answer, AnnotationCodec.parse(first, answer).plainText());
      predictions.put(g.questionId(), first);
    }
    GoldParallelScore.Report report = GoldParallelScore.report(gold, predictions, answers);
    System.out.println("RulesTeacher " + RulesTeacher.VERSION + " on vicuna-bench gold-parallel:\n"
        + GoldParallelScore.table(report));
    assertTrue(report.overall().decisionF1() >= DECISION_F1_FLOOR, "decision F1 " + report.overall().decisionF1());
    assertTrue(report.overall().branchF1() >= BRANCH_F1_FLOOR, "branch F1 " + report.overall().branchF1());
    assertTrue(report.withoutMergedLists().branchF1() >= BRANCH_F1_UNMERGED_FLOOR);
    assertEquals(1.0, report.reproducedShare());
  }
}
