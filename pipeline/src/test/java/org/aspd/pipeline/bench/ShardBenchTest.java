package org.aspd.pipeline.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.List;
import java.util.Map;
import org.aspd.decoding.Engine;
import org.aspd.decoding.EngineOptions;
import org.aspd.decoding.Model;
import org.aspd.decoding.ModelConfig;
import org.aspd.decoding.SampleLayout;
import org.aspd.decoding.SampleLayouter;
import org.aspd.decoding.SpecialTokenIds;
import org.junit.jupiter.api.Test;

/** The bench core on hand-made rows and a tiny random model: counts, failures and the JSON shape (no timings asserted). */
class ShardBenchTest {
  private static final int VOCAB = 64;
  private static final SpecialTokenIds ST = new SpecialTokenIds(0, 1, 2, 3, 4, 5);
  private static final int SEP = 6; // ": "

  /** "s s <title>A</title><title>B</title><para><branch>A: a a a</branch><branch>B: b</branch></para> t". */
  private static final int[] PARALLEL = {10, 11, 2, 20, 3, 2, 21, 3, 4, 0, 20, SEP, 30, 31, 32, 1, 0, 21, SEP, 33, 1, 5, 12};

  private static ShardBench.Row row(String id, int[] response) {
    try (SampleLayouter layouter = new SampleLayouter(ST, VOCAB)) {
      SampleLayout layout = layouter.layout(response);
      return new ShardBench.Row(id, new int[] {7, 8}, response, layout.groupId(), layout.branchId(),
          layout.groupCount() > 0, 1.0);
    }
  }

  @Test
  void benchesRowsAndRecordsFailures() throws Exception {
    // Steps_ASPD = 11 main tokens + longest branch 7 = 18 (of 23 tokens).
    assertEquals(18, ShardBench.stepsAspd(row("p", PARALLEL).groupIds(), row("p", PARALLEL).branchIds()));
    try (Model model = Model.random(ModelConfig.small(VOCAB), 1, 1);
        Engine engine = new Engine(model, EngineOptions.defaults(ST, new int[] {9}, new int[] {SEP}))) {
      ShardBench bench = new ShardBench(engine);
      bench.add(row("parallel", PARALLEL));
      bench.add(row("serial", new int[] {10, 11, 12, 13}));
      int[] noSeparator = PARALLEL.clone();
      noSeparator[18] = 40; // branch B's header lacks ": "
      bench.add(row("bad", noSeparator));
      assertEquals(2, bench.benchedRows());
      assertEquals(1, bench.failedRows());
      Map<String, Object> report = bench.report(Map.of("model", "tiny"));
      JsonNode json = new ObjectMapper().readTree(new ObjectMapper().writeValueAsString(report));
      JsonNode first = json.get("rows").get(0);
      assertEquals(18, first.get("steps_aspd").asLong());
      assertEquals(18, first.get("forward_passes_replay").asLong());
      assertEquals(23, first.get("forward_passes_serial").asLong());
      assertEquals(23.0 / 18, first.get("theoretical_speedup_packed").asDouble(), 1e-9);
      assertEquals(18 + 4, json.get("dataset").get("steps_aspd").asLong());
      assertEquals(18 + 4, json.get("dataset").get("forward_passes_replay").asLong());
      JsonNode steps = json.get("dataset").get("steps_by_active_branches");
      assertEquals(List.of(11L + 4, 2L, 5L), List.of(steps.get(0).asLong(), steps.get(1).asLong(), steps.get(2).asLong()));
      assertTrue(json.get("failed").get(0).get("reason").asText().contains("branch header"), json.get("failed").toString());
      assertTrue(json.get("dataset").has("mean_realized_speedup"));
    }
  }

  @Test
  void rowsWhoseLabelsDisagreeWithTheirIdsFail() throws Exception {
    ShardBench.Row good = row("good", PARALLEL);
    ShardBench.Row shortLabels = new ShardBench.Row("short", good.prompt(), PARALLEL,
        java.util.Arrays.copyOf(good.groupIds(), 11), good.branchIds(), true, 1.0);
    int[] allMain = new int[PARALLEL.length];
    java.util.Arrays.fill(allMain, -1); // the branches labelled as main text: Steps_ASPD 23, the replay takes 18
    ShardBench.Row wrongLabels = new ShardBench.Row("wrong", good.prompt(), PARALLEL, allMain, good.branchIds(), true, 1.0);
    try (Model model = Model.random(ModelConfig.small(VOCAB), 1, 1);
        Engine engine = new Engine(model, EngineOptions.defaults(ST, new int[] {9}, new int[] {SEP}))) {
      ShardBench bench = new ShardBench(engine);
      bench.add(shortLabels);
      bench.add(wrongLabels);
      assertEquals(0, bench.benchedRows());
      JsonNode failed = new ObjectMapper().readTree(new ObjectMapper().writeValueAsString(
          bench.report(Map.of("model", "tiny")))).get("failed");
      assertEquals("short", failed.get(0).get("id").asText());
      assertEquals("group_ids has 11 entries and branch_ids 23, input_ids 23", failed.get(0).get("reason").asText());
      assertEquals("wrong", failed.get(1).get("id").asText());
      assertEquals("the replay took 18 forward passes but the row's group_ids/branch_ids give Steps_ASPD 23",
          failed.get(1).get("reason").asText());
      assertEquals(0, new ObjectMapper().readTree(new ObjectMapper().writeValueAsString(
          bench.report(Map.of()))).get("dataset").get("steps_aspd").asLong(), "failed rows add no steps");
    }
  }
}
