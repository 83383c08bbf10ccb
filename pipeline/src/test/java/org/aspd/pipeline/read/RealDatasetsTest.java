package org.aspd.pipeline.read;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.aspd.model.DeadLetter;
import org.aspd.model.Sample;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Reads the public answer sets in shared/datasets (one pipeline for all of them, to pay the runner's
 * start-up once) and checks their counts; each test is skipped when its data set is absent.
 */
class RealDatasetsTest {
  private static final Path ROOT =
      Path.of(System.getProperty("aspd.shared.datasets", "/work/shared/datasets")).normalize();
  private static final String LLM_JUDGE = "vicuna-bench/llm_judge";
  private static final String LEGACY = "vicuna-bench/legacy_eval_table";
  private static final String ALPACA_EVAL = "alpaca-eval/model_outputs";
  private static final String GSM8K = "gsm8k-llm-responses";
  private static final String SELF_INSTRUCT = "self-instruct-user-oriented/predictions";
  private static final String EXPERTQA = "expertqa/lfqa/rand_test.jsonl";

  private static ReadRun run;

  @BeforeAll
  static void readAll() {
    List<String> present = new ArrayList<>();
    for (String set : List.of(LLM_JUDGE, LEGACY, ALPACA_EVAL, GSM8K, SELF_INSTRUCT, EXPERTQA)) {
      if (Files.exists(ROOT.resolve(set))) {
        present.add(ROOT.resolve(set).toString());
      }
    }
    run = present.isEmpty() ? null : ReadRun.of(present.toArray(String[]::new));
  }

  private static List<Sample> samples(String set) {
    assumeTrue(run != null && Files.exists(ROOT.resolve(set)), set + " is not in " + ROOT);
    return run.samples.stream().filter(s -> s.source().startsWith(ROOT.resolve(set).toString())).toList();
  }

  private static List<DeadLetter> failures(String set) {
    return run.failures.stream().filter(f -> f.source().startsWith(ROOT.resolve(set).toString())).toList();
  }

  private static Map<String, Integer> reasons(String set) {
    Map<String, Integer> reasons = new TreeMap<>();
    failures(set).forEach(f -> reasons.merge(f.reason(), 1, Integer::sum));
    return reasons;
  }

  private static void assertCountMatches(String set, int rows) {
    assertEquals(rows, samples(set).size() + failures(set).size());
    assertEquals(rows, InputFormats.countRecords(List.of(ROOT.resolve(set).toString())));
  }

  @Test
  void vicunaBenchLlmJudgeJoinsEightyGpt4oAnswers() {
    List<Sample> samples = samples(LLM_JUDGE);
    assertEquals(80, samples.size());
    assertEquals(Map.of(), reasons(LLM_JUDGE));
    // Read beside the other sets, so its ids start with its folder's name (two inputs with a
    // gpt-4.jsonl each would otherwise make the same ids).
    Sample first = samples.stream().filter(s -> s.id().equals("llm_judge/gpt-4o/1")).findFirst()
        .orElseThrow();
    assertEquals("gpt-4o", first.model());
    assertEquals("generic", first.category());
    assertEquals("How can I improve my time management skills?", first.question());
    assertTrue(first.answer().startsWith("Improving time management skills"));
    assertCountMatches(LLM_JUDGE, 80);
  }

  @Test
  void vicunaBenchLegacyTableJoinsSevenModels() {
    List<Sample> samples = samples(LEGACY);
    assertEquals(559, samples.size());
    assertEquals(Map.of(Reason.EMPTY_ANSWER, 1), reasons(LEGACY)); // llama-13b left one answer blank
    assertEquals(560, samples.stream().map(Sample::id).distinct().count() + 1);
    assertEquals("bard:20230327", samples.stream().filter(s -> s.id().equals("legacy_eval_table/bard/1"))
        .findFirst().orElseThrow().model());
    assertEquals(80, samples.stream().filter(s -> s.model().equals("alpaca-13b:v1")).count());
    assertEquals(7, samples.stream().map(Sample::model).distinct().count());
    assertCountMatches(LEGACY, 560);
  }

  @Test
  void alpacaEvalFourteenModelsOf805() {
    List<Sample> samples = samples(ALPACA_EVAL);
    assertEquals(14 * 805 - 2, samples.size());
    assertEquals(Map.of(Reason.EMPTY_ANSWER, 2), reasons(ALPACA_EVAL)); // text_davinci_003 #247, #504
    assertEquals(14, samples.stream().map(Sample::model).distinct().count());
    assertEquals(80 * 14, samples.stream().filter(s -> s.category().equals("vicuna")).count());
    assertCountMatches(ALPACA_EVAL, 14 * 805);
  }

  @Test
  void selfInstructPredictionsThreeModelsOf252() {
    List<Sample> samples = samples(SELF_INSTRUCT);
    assertEquals(3 * 252, samples.size());
    assertEquals(Map.of(), reasons(SELF_INSTRUCT));
    assertTrue(samples.stream().allMatch(s -> s.question().endsWith("Output:")), "prompt is the full prompt");
    assertCountMatches(SELF_INSTRUCT, 3 * 252);
  }

  /** Answers sit in vanilla/cot.generation[0], a layout none of the formats has: one dead letter each. */
  @Test
  void gsm8kResponsesAreDeadLetteredAsMissingFields() {
    assertEquals(0, samples(GSM8K).size());
    assertEquals(Map.of(Reason.MISSING_FIELD, 2 * 1319), reasons(GSM8K));
    assertTrue(failures(GSM8K).get(0).detail().contains("vanilla"), failures(GSM8K).get(0).detail());
    assertCountMatches(GSM8K, 2 * 1319);
  }

  /** Answers sit in answers.{system}.answer_string: one missing_field dead letter per record. */
  @Test
  void expertQaRecordsAreDeadLetteredAsMissingFields() {
    assertEquals(0, samples(EXPERTQA).size());
    assertEquals(Map.of(Reason.MISSING_FIELD, 219), reasons(EXPERTQA));
    assertCountMatches(EXPERTQA, 219);
  }
}
