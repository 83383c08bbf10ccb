package org.aspd.pipeline;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.apache.avro.generic.GenericRecord;
import org.apache.beam.sdk.PipelineResult;
import org.apache.hadoop.conf.Configuration;
import org.apache.parquet.hadoop.util.HadoopInputFile;
import org.aspd.format.AspdText;
import org.aspd.pipeline.write.ShardFooter;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The whole job on the bundled default dataset (Vicuna Bench gpt-4o answers), shards read back
 * with a standard Parquet reader and checked record by record against the input.
 */
class EndToEndTest {
  @TempDir
  Path out;

  @Test
  void defaultDatasetBecomesShardsDeadLettersStatsAndCard() throws Exception {
    Path dataset = Path.of(System.getProperty("aspd.home", "..")).resolve("datasets/vicuna-bench");
    assertTrue(Files.isDirectory(dataset), "bundled dataset at " + dataset);
    assertEquals(PipelineResult.State.DONE, JobRunner.run(List.of(dataset.toString()), out));

    Map<String, GenericRecord> rows = JobRunner.rows(out);
    List<JsonNode> dead = JobRunner.deadLetters(out);
    assertEquals(80, rows.size() + dead.size(), "rows in = rows out + dead letters");
    assertEquals(80, rows.size(), "every default answer is valid: " + dead);

    Map<Integer, String> answers = gpt4oAnswers(dataset);
    int parallel = 0;
    for (GenericRecord r : rows.values()) {
      int qid = Integer.parseInt(lastNumber(JobRunner.str(r, "id")));
      String original = JobRunner.str(r, "original");
      assertEquals(answers.get(qid), original, "original answer of " + r.get("id"));
      assertEquals(original, AspdText.deTag(JobRunner.str(r, "aspd_text")), "de-tagged aspd_text of " + r.get("id"));
      boolean isParallel = (Boolean) r.get("parallel");
      assertEquals(isParallel, JobRunner.str(r, "status").equals("parallel"));
      assertEquals(isParallel, JobRunner.str(r, "aspd_text").contains("<|para|>"));
      assertEquals("gpt-4o", JobRunner.str(r, "model"));
      assertFalse(JobRunner.str(r, "category").isEmpty());
      assertTrue(JobRunner.str(r, "source").contains("gpt-4o.jsonl"));
      int n = ((List<?>) r.get("input_ids")).size();
      assertEquals(n, ((List<?>) r.get("position_ids")).size());
      assertEquals(n, ((List<?>) r.get("group_ids")).size());
      assertEquals(n, ((List<?>) r.get("branch_ids")).size());
      assertEquals((Integer) r.get("response_tokens"), n);
      assertEquals("rules", JobRunner.str(r, "teacher"));
      assertEquals(64, JobRunner.str(r, "content_hash").length());
      assertEquals(List.of(), r.get("llm_calls"), "the embedded teacher makes no LLM call");
      if (isParallel) {
        parallel++;
        assertTrue((Integer) r.get("n_groups") >= 1);
        assertTrue((Double) r.get("dp") > 0);
        assertTrue((Integer) r.get("chosen_candidate") >= 0);
      }
    }
    assertTrue(parallel >= 20, "the rules teacher finds parallel structure in most gpt-4o answers: " + parallel);

    JsonNode stats = JobRunner.stats(out);
    assertEquals(80, stats.get("samples_total").asInt());
    assertEquals(parallel, stats.get("samples_parallel").asInt());
    assertEquals((double) parallel / 80, stats.get("ppd").asDouble(), 1e-9);
    for (String key : List.of("dp", "abn", "ape", "theoretical_speedup_mean", "funnel", "by_source", "by_category")) {
      assertTrue(stats.has(key), key);
    }
    assertEquals(10, stats.get("by_category").get("generic").get("samples").asInt());
    assertTrue(stats.get("run").get("tokenizer").asText().startsWith("o200k_base"));
    String card = Files.readString(out.resolve("README.md"));
    assertTrue(card.contains("| PPD |"), card);
    // The folder's SOURCE.md is not data: passed over, and said so.
    String sourceNote = dataset.toAbsolutePath().normalize().resolve("SOURCE.md")
        + " (in FastChat folder " + dataset.toAbsolutePath().normalize() + "/, not a model answer file)";
    assertEquals(1, stats.get("files_skipped").asInt(), stats.get("skipped_files").toString());
    assertEquals(sourceNote, stats.get("skipped_files").get(0).asText());
    assertTrue(card.contains("### Files skipped") && card.contains("- " + sourceNote), card);
    for (String plot : List.of("branches_per_group.png", "dp.png", "theoretical_speedup.png")) {
      byte[] png = Files.readAllBytes(out.resolve("plots").resolve(plot));
      assertTrue(png.length > 1000 && png[1] == 'P' && png[2] == 'N' && png[3] == 'G', plot);
    }
    try (var files = Files.list(out.resolve("data"))) {
      assertTrue(files.allMatch(f -> f.getFileName().toString().matches("train-\\d{5}-of-\\d{5}\\.parquet")));
    }
    // Each shard's footer funnel counts its own rows; with no dead letter they add up to the run's.
    Map<String, Long> summed = new java.util.LinkedHashMap<>();
    try (var files = Files.list(out.resolve("data"))) {
      for (Path shard : files.sorted().toList()) {
        Map<String, String> footer = ShardFooter.read(HadoopInputFile.fromPath(
            new org.apache.hadoop.fs.Path(shard.toAbsolutePath().toString()), new Configuration()));
        JsonNode funnel = new ObjectMapper().readTree(footer.get(ShardFooter.FUNNEL));
        funnel.fields().forEachRemaining(f -> summed.merge(f.getKey(), f.getValue().asLong(), Long::sum));
        assertTrue(new ObjectMapper().readTree(footer.get(ShardFooter.STATUSES)).size() >= 1, shard.toString());
      }
    }
    Map<String, Long> runFunnel = new java.util.LinkedHashMap<>();
    stats.get("funnel").fields().forEachRemaining(f -> runFunnel.put(f.getKey(), f.getValue().asLong()));
    assertEquals(runFunnel, summed);
    assertEquals(80L, summed.get("read"));
    assertEquals((long) parallel, summed.get("parallel"));
  }

  private static String lastNumber(String id) {
    String[] parts = id.split("\\D+");
    return parts[parts.length - 1];
  }

  private static Map<Integer, String> gpt4oAnswers(Path dataset) throws Exception {
    Map<Integer, String> answers = new java.util.HashMap<>();
    ObjectMapper json = new ObjectMapper();
    for (String line : Files.readAllLines(dataset.resolve("model_answer/gpt-4o.jsonl"), StandardCharsets.UTF_8)) {
      JsonNode n = json.readTree(line);
      answers.put(n.get("question_id").asInt(), n.get("choices").get(0).get("turns").get(0).asText());
    }
    return answers;
  }
}
