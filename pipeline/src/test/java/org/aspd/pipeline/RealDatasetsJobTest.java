package org.aspd.pipeline;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.apache.avro.generic.GenericRecord;
import org.apache.beam.sdk.PipelineResult;
import org.aspd.format.AspdText;
import org.aspd.pipeline.read.InputFormats;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The whole job over the real public answer sets in {@code ../shared/datasets} (skipped when the
 * folder is absent): every row de-tags to its original answer exactly, and rows in = rows out +
 * dead letters.
 */
class RealDatasetsJobTest {
  @TempDir
  Path out;

  @Test
  void everyRowOfTheRealAnswerSetsDeTagsToItsOriginal() throws Exception {
    Path shared = Path.of(System.getProperty("aspd.shared.datasets", "../shared/datasets"));
    Assumptions.assumeTrue(Files.isDirectory(shared), "shared datasets absent at " + shared);
    List<String> inputs = List.of(
        shared.resolve("alpaca-eval/model_outputs").toString(),
        shared.resolve("vicuna-bench/legacy_eval_table").toString(),
        shared.resolve("vicuna-bench/llm_judge").toString(),
        shared.resolve("self-instruct-user-oriented/predictions").toString());
    long rowsIn = InputFormats.countRecords(inputs);
    // 14k rows: the DirectRunner's per-element mutation checks are for transform tests, not for this one.
    assertEquals(PipelineResult.State.DONE, JobRunner.run(inputs, out, "--numShards=4",
        "--enforceImmutability=false", "--enforceEncodability=false"));

    Map<String, GenericRecord> rows = JobRunner.rows(out);
    List<JsonNode> dead = JobRunner.deadLetters(out);
    assertEquals(rowsIn, rows.size() + dead.size(), "rows in = rows out + dead letters");
    int parallel = 0;
    for (GenericRecord r : rows.values()) {
      String original = JobRunner.str(r, "original");
      assertEquals(original, AspdText.deTag(JobRunner.str(r, "aspd_text")), "row " + r.get("id"));
      if ((Boolean) r.get("parallel")) {
        parallel++;
        assertTrue((Double) r.get("theoretical_speedup") > 0);
      }
    }
    assertTrue(parallel > 1000, "thousands of real answers have parallel structure: " + parallel);
    for (JsonNode d : dead) {
      assertTrue(!d.get("reason").asText().isBlank(), d.toString());
    }
  }
}
