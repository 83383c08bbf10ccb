package org.aspd.stages;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import org.apache.beam.sdk.Pipeline;
import org.apache.beam.sdk.options.PipelineOptionsFactory;
import org.apache.beam.sdk.transforms.Create;
import org.apache.beam.sdk.transforms.DoFn;
import org.apache.beam.sdk.transforms.ParDo;
import org.apache.beam.sdk.values.PCollectionTuple;
import org.aspd.format.AspdText;
import org.aspd.model.DeadLetter;
import org.aspd.model.Sample;
import org.aspd.model.ShardRow;
import org.junit.jupiter.api.Test;

/** The four stages as one composite on the DirectRunner, with a scripted teacher. */
class AspdStagesTest {
  private static final String ITEMS = "Here are the options you can consider today:\n\n"
      + "1. **Walking**: a gentle way to move every day and clear your head outside.\n\n"
      + "2. **Cycling**: faster than walking and easy on the knees for most people.\n\n"
      + "3. **Swimming**: works the whole body and keeps the joints free of impact.\n\n"
      + "Pick the one you enjoy.";
  private static final String ONE_GROUP = "Here are the options you can consider today:\n\n<branchgroup>"
      + "<branch title=\"Walking\">1. **Walking**: a gentle way to move every day and clear your head outside.</branch>"
      + "<branch title=\"Cycling\">2. **Cycling**: faster than walking and easy on the knees for most people.</branch>"
      + "<branch title=\"Swimming\">3. **Swimming**: works the whole body and keeps the joints free of impact.</branch>"
      + "</branchgroup>\n\nPick the one you enjoy.";
  private static final String SMALLER_GROUP = "Here are the options you can consider today:\n\n"
      + "1. **Walking**: a gentle way to move every day and clear your head outside.\n\n<branchgroup>"
      + "<branch title=\"Cycling\">2. **Cycling**: faster than walking and easy on the knees for most people.</branch>"
      + "<branch title=\"Swimming\">3. **Swimming**: works the whole body and keeps the joints free of impact.</branch>"
      + "</branchgroup>\n\nPick the one you enjoy.";

  static final List<ShardRow> ROWS = Collections.synchronizedList(new ArrayList<>());
  static final List<DeadLetter> FAILED = Collections.synchronizedList(new ArrayList<>());

  private static Sample sample(String id, String answer) {
    return new Sample(id, "test.jsonl:" + id, "m", "c", "", List.of(), "Which sport?", answer);
  }

  private static StageConfig config(int minTokens) {
    StageConfig d = StageConfig.defaults();
    return new StageConfig(3, 3, 3, 3, 3, 3, 3, minTokens, 200, StageConfig.OverLimit.DROP, 10, 8, 10, 32, 0.02, false, d.tokenizer());
  }

  @Test
  void selectsByDpFallsBackToSerialAndDeadLettersFailures() {
    ROWS.clear();
    FAILED.clear();
    String longAnswer = "word ".repeat(300);
    ScriptedTeacher.Script script = new ScriptedTeacher.Script(Map.of(
        "best", List.of(SMALLER_GROUP, ONE_GROUP, "not <branch markup"),
        "dependent", List.of(ONE_GROUP),
        "none", List.of("", ""),
        "boom", List.of(ONE_GROUP)),
        List.of("Walking"), List.of("boom"), false);
    List<Sample> samples = List.of(sample("best", ITEMS.replace("Walking", "Hiking").replace("walking", "hiking")),
        sample("dependent", ITEMS), sample("none", ITEMS), sample("boom", ITEMS), sample("short", "Yes."),
        sample("long", longAnswer));
    // "best" uses Hiking so its full group is independent; both candidates are eligible and the
    // one with more branch content (higher DP) must win although it comes second.
    ScriptedTeacher.Script bestScript = new ScriptedTeacher.Script(Map.of(
        "best", List.of(SMALLER_GROUP.replace("Walking", "Hiking").replace("walking", "hiking"),
            ONE_GROUP.replace("Walking", "Hiking").replace("walking", "hiking"), "not <branch markup"),
        "dependent", script.rewrites().get("dependent"), "none", script.rewrites().get("none"),
        "boom", script.rewrites().get("boom")), List.of("Walking"), List.of("boom"), false);

    Pipeline p = Pipeline.create(PipelineOptionsFactory.create());
    PCollectionTuple out = p.apply(Create.of(samples))
        .apply(new AspdStages(bestScript, "test-1", config(20)));
    out.get(AspdStages.ROWS).apply(ParDo.of(new CollectRows()));
    out.get(AspdStages.FAILURES).apply(ParDo.of(new CollectFailures()));
    p.run().waitUntilFinish();

    assertEquals(samples.size(), ROWS.size() + FAILED.size(), "rows in = rows out + dead letters");
    ShardRow best = row("best");
    assertEquals("parallel", best.status());
    assertEquals(1, best.chosenCandidate(), "the higher-DP candidate wins over the first one");
    assertEquals(3, best.response().groups().get(0).size());
    assertEquals(best.sample().answer(), best.response().plainText());
    assertEquals("annotation:unbalanced", best.candidates().get(2).fate());

    ShardRow dependent = row("dependent");
    assertEquals("serial_fallback:independence", dependent.status());
    assertEquals(-1, dependent.chosenCandidate());
    assertEquals(ITEMS, dependent.aspdText());
    assertTrue(dependent.candidates().get(0).independence().startsWith("fail 0/3"), dependent.candidates().toString());

    assertEquals("serial_fallback:not_parallel", row("none").status());
    assertEquals("serial_short", row("short").status());
    assertEquals(2, FAILED.size(), FAILED.toString());
    DeadLetter boom = failure("boom");
    assertEquals("Rewrite", boom.stage());
    assertEquals("teacher_error", boom.reason());
    assertTrue(boom.input().contains("\"answer\""), "the dead letter keeps the input");
    assertEquals("over_token_limit", failure("long").reason());
  }

  @Test
  void rowsCarryTokenArraysThatMatchTheText() throws Exception {
    ShardRow row = rowOf(List.of(ONE_GROUP));
    assertEquals("parallel", row.status());
    assertEquals(ITEMS, AspdText.deTag(row.aspdText()));
    assertEquals("pass 1/1 (scripted independent)", row.candidates().get(0).independence());
    assertEquals(row.metrics().responseTokens(), row.layout().length());
    assertTrue(row.metrics().theoreticalSpeedup() > 1.0, "three long branches decode faster than serial");
  }

  /** An unreadable rewrite (null from the teacher) is its own fate, not a rewriter that declined. */
  @Test
  void anUnreadableRewriteIsCountedApartFromNotParallel() {
    ShardRow row = rowOf(java.util.Arrays.asList(null, ""));
    assertEquals("serial_fallback:rewrite", row.status());
    assertEquals(List.of("rewrite:unparsable", "not_parallel"),
        row.candidates().stream().map(ShardRow.CandidateSummary::fate).toList());
    assertEquals(ITEMS, row.aspdText());
  }

  /** Method §3 stage 1: a rewrite that drops one period passes the token-alignment gate; the row keeps the source. */
  @Test
  void aSlightlyEditedRewriteKeepsTheSourceAndRecordsItsEdit() throws Exception {
    String dropsAPeriod = ONE_GROUP.replace("your head outside.</branch>", "your head outside</branch>");
    String changesADigit = ONE_GROUP.replace("3. **Swimming**", "4. **Swimming**");
    ShardRow row = rowOf(List.of(changesADigit, dropsAPeriod));
    assertEquals("parallel", row.status());
    assertEquals(1, row.chosenCandidate());
    assertEquals(ITEMS, AspdText.deTag(row.aspdText()), "the period is back: nothing changed");
    ShardRow.CandidateSummary digit = row.candidates().get(0);
    assertEquals("annotation:edit_protected", digit.fate());
    assertEquals("failed", digit.integrity());
    ShardRow.CandidateSummary chosen = row.candidates().get(1);
    assertEquals("edited", chosen.integrity());
    assertEquals(List.of(new org.aspd.model.IntegrityEdit(ITEMS.indexOf("outside."), "outside.", "outside", 1,
        "group 0 branch 0 'Walking'")), chosen.edits());
  }

  @Test
  void aConcurrentTeacherLosesAndDuplicatesNoRow() {
    ROWS.clear();
    FAILED.clear();
    List<Sample> samples = new ArrayList<>();
    Map<String, List<String>> rewrites = new java.util.HashMap<>();
    for (int i = 0; i < 16; i++) {
      samples.add(sample("c" + i, ITEMS));
      rewrites.put("c" + i, List.of(ONE_GROUP));
    }
    ScriptedTeacher.Script script = new ScriptedTeacher.Script(rewrites, List.of(), List.of(), false, 4);
    // InFlightTest proves the overlap; here every sample must come out exactly once.
    Pipeline p = Pipeline.create(PipelineOptionsFactory.create());
    PCollectionTuple out = p.apply(Create.of(samples)).apply(new AspdStages(script, "test-1", config(20)));
    out.get(AspdStages.ROWS).apply(ParDo.of(new CollectRows()));
    out.get(AspdStages.FAILURES).apply(ParDo.of(new CollectFailures()));
    p.run().waitUntilFinish();
    assertEquals(List.of(), FAILED);
    assertEquals(16, ROWS.size());
    ROWS.forEach(r -> assertEquals("parallel", r.status()));
    assertEquals(16, ROWS.stream().map(r -> r.sample().id()).distinct().count());
  }

  /** The row of sample "a" (answer ITEMS) when a deterministic teacher gives these rewrites. */
  private static ShardRow rowOf(List<String> rewrites) {
    ROWS.clear();
    FAILED.clear();
    ScriptedTeacher.Script script = new ScriptedTeacher.Script(Map.of("a", rewrites), List.of(), List.of(), true);
    Pipeline p = Pipeline.create(PipelineOptionsFactory.create());
    PCollectionTuple out = p.apply(Create.of(List.of(sample("a", ITEMS))))
        .apply(new AspdStages(script, "test-1", config(20)));
    out.get(AspdStages.ROWS).apply(ParDo.of(new CollectRows()));
    p.run().waitUntilFinish();
    return row("a");
  }

  private static ShardRow row(String id) {
    return ROWS.stream().filter(r -> r.sample().id().equals(id)).findFirst().orElseThrow(() ->
        new AssertionError("no row for " + id));
  }

  private static DeadLetter failure(String id) {
    return FAILED.stream().filter(r -> r.id().equals(id)).findFirst().orElseThrow(() ->
        new AssertionError("no dead letter for " + id));
  }

  static class CollectRows extends DoFn<ShardRow, Void> {
    @ProcessElement
    public void process(@Element ShardRow r) {
      ROWS.add(r);
    }
  }

  static class CollectFailures extends DoFn<DeadLetter, Void> {
    @ProcessElement
    public void process(@Element DeadLetter d) {
      FAILED.add(d);
    }
  }
}
