package org.aspd.pipeline.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.BufferedWriter;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;
import org.aspd.pipeline.write.ShardReader;

/** Inputs for the cluster tests and the job's outputs read back with the standard readers. */
final class Outputs {
  private static final ObjectMapper JSON = new ObjectMapper();

  private Outputs() {}

  /** Every row of every shard as its Avro JSON text, by id; a duplicate id fails. */
  static Map<String, String> rows(Path output) throws IOException {
    Map<String, String> rows = new TreeMap<>();
    ShardReader.forEach(output.resolve("data").toFile(), r -> {
      String previous = rows.put(r.get("id").toString(), r.toString());
      if (previous != null) {
        throw new AssertionError("duplicate id in the shards of " + output + ": " + r.get("id"));
      }
    });
    return rows;
  }

  /** The same ids and, for each id, the same row, field by field. */
  static void assertSameRows(Map<String, String> expected, Map<String, String> actual, String what) {
    assertEquals(expected.keySet(), actual.keySet(), what + ": ids");
    for (Map.Entry<String, String> e : expected.entrySet()) {
      assertEquals(e.getValue(), actual.get(e.getKey()), what + ": row " + e.getKey());
    }
  }

  /** Shards in {@code data/} itself (finished ones; temporary shards live in a sub-folder). */
  static List<Path> finishedShards(Path output) throws IOException {
    Path data = output.resolve("data");
    if (!Files.isDirectory(data)) {
      return List.of();
    }
    try (Stream<Path> files = Files.list(data)) {
      return files.filter(p -> p.getFileName().toString().matches("train-.*\\.parquet")).toList();
    }
  }

  static JsonNode stats(Path output) throws IOException {
    return JSON.readTree(output.resolve("stats.json").toFile());
  }

  /**
   * Writes the bundled FastChat dataset {@code copies} times as one flat JSONL file, each copy with
   * its own ids ({@code vb<question>-c<copy>}), and returns the ids written.
   */
  static List<String> writeCopies(Path dataset, int copies, Path jsonl) throws IOException {
    Map<Integer, JsonNode> questions = new HashMap<>();
    for (JsonNode q : readJsonl(dataset.resolve("question.jsonl"))) {
      questions.put(q.path("question_id").asInt(), q);
    }
    List<JsonNode> answers = readJsonl(dataset.resolve("model_answer/gpt-4o.jsonl"));
    List<String> ids = new ArrayList<>();
    try (BufferedWriter out = Files.newBufferedWriter(jsonl, StandardCharsets.UTF_8)) {
      for (int copy = 0; copy < copies; copy++) {
        for (JsonNode a : answers) {
          JsonNode q = questions.get(a.path("question_id").asInt());
          ObjectNode record = JSON.createObjectNode();
          String id = "vb" + a.path("question_id").asInt() + "-c" + copy;
          record.put("id", id);
          record.put("prompt", q.path("turns").get(0).asText());
          record.put("response", a.path("choices").get(0).path("turns").get(0).asText());
          record.put("category", q.path("category").asText());
          record.put("model", a.path("model_id").asText());
          out.write(JSON.writeValueAsString(record));
          out.write('\n');
          ids.add(id);
        }
      }
    }
    return ids;
  }

  private static List<JsonNode> readJsonl(Path file) throws IOException {
    List<JsonNode> records = new ArrayList<>();
    for (String line : Files.readAllLines(file, StandardCharsets.UTF_8)) {
      if (!line.isBlank()) {
        records.add(JSON.readTree(line));
      }
    }
    return records;
  }
}
