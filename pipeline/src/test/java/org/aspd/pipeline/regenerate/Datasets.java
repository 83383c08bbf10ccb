package org.aspd.pipeline.regenerate;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Stream;
import org.apache.avro.Schema;
import org.apache.avro.generic.GenericDatumWriter;
import org.apache.avro.generic.GenericRecord;
import org.apache.avro.io.BinaryEncoder;
import org.apache.avro.io.EncoderFactory;
import org.aspd.pipeline.write.Schemas;
import org.aspd.pipeline.write.ShardReader;

/**
 * Test inputs built from the bundled Vicuna Bench gpt-4o answers (real answers, some parallel, some
 * short), written as flat JSONL, plus readers for what a release holds.
 */
final class Datasets {
  private static final ObjectMapper JSON = new ObjectMapper();

  private Datasets() {}

  /** id → answer record ({id, prompt, response, category, model}) for the first {@code n} questions. */
  static Map<String, ObjectNode> vicuna(int n) throws IOException {
    Path bench = Path.of(System.getProperty("aspd.home", "..")).resolve("datasets/vicuna-bench");
    Map<Integer, JsonNode> questions = new HashMap<>();
    for (String line : Files.readAllLines(bench.resolve("question.jsonl"), StandardCharsets.UTF_8)) {
      JsonNode q = JSON.readTree(line);
      questions.put(q.get("question_id").asInt(), q);
    }
    Map<String, ObjectNode> out = new LinkedHashMap<>();
    for (String line : Files.readAllLines(bench.resolve("model_answer/gpt-4o.jsonl"), StandardCharsets.UTF_8)) {
      if (out.size() == n) {
        break;
      }
      JsonNode a = JSON.readTree(line);
      int qid = a.get("question_id").asInt();
      ObjectNode r = JSON.createObjectNode();
      r.put("id", "q" + qid);
      r.put("prompt", questions.get(qid).get("turns").get(0).asText());
      r.put("response", a.get("choices").get(0).get("turns").get(0).asText());
      r.put("category", questions.get(qid).get("category").asText());
      r.put("model", "gpt-4o");
      out.put("q" + qid, r);
    }
    return out;
  }

  /** Writes the records as JSONL, with {@code extraLines} (e.g. a malformed line) at the end. */
  static void writeJsonl(Path file, Iterable<ObjectNode> records, String... extraLines) throws IOException {
    StringBuilder text = new StringBuilder();
    for (ObjectNode r : records) {
      text.append(JSON.writeValueAsString(r)).append('\n');
    }
    for (String extra : extraLines) {
      text.append(extra).append('\n');
    }
    Files.createDirectories(file.getParent());
    Files.writeString(file, text, StandardCharsets.UTF_8);
  }

  static Path writeSpec(Path file, String yaml) throws IOException {
    Files.createDirectories(file.getParent());
    Files.writeString(file, yaml, StandardCharsets.UTF_8);
    return file;
  }

  static String latest(Path root) throws IOException {
    return Files.readString(root.resolve("LATEST")).strip();
  }

  static Path latestRelease(Path root) throws IOException {
    return root.resolve("releases").resolve(latest(root));
  }

  /** Rows of a release by id, as Avro binary (what "byte for byte" is checked on); fails on a duplicate id. */
  static Map<String, byte[]> rowBytes(Path release) throws IOException {
    Schema schema = Schemas.shardRow();
    GenericDatumWriter<GenericRecord> writer = new GenericDatumWriter<>(schema);
    Map<String, byte[]> rows = new LinkedHashMap<>();
    ShardReader.forEach(release.resolve("data").toFile(), r -> {
      java.io.ByteArrayOutputStream bytes = new java.io.ByteArrayOutputStream();
      BinaryEncoder enc = EncoderFactory.get().binaryEncoder(bytes, null);
      writer.write(r, enc);
      enc.flush();
      if (rows.put(r.get("id").toString(), bytes.toByteArray()) != null) {
        throw new AssertionError("duplicate id " + r.get("id") + " in " + release);
      }
    });
    return rows;
  }

  static List<JsonNode> deadLetters(Path release) throws IOException {
    List<JsonNode> out = new ArrayList<>();
    try (Stream<Path> files = Files.list(release.resolve("dead_letters"))) {
      for (Path f : files.filter(p -> p.toString().endsWith(".jsonl")).toList()) {
        for (String line : Files.readAllLines(f, StandardCharsets.UTF_8)) {
          if (!line.isBlank()) {
            out.add(JSON.readTree(line));
          }
        }
      }
    }
    return out;
  }

  static JsonNode manifest(Path release) throws IOException {
    return JSON.readTree(release.resolve("manifest.json").toFile());
  }

  static Set<String> releaseNames(Path root) throws IOException {
    Set<String> names = new TreeSet<>();
    Path releases = root.resolve("releases");
    if (Files.isDirectory(releases)) {
      try (Stream<Path> dirs = Files.list(releases)) {
        dirs.forEach(d -> names.add(d.getFileName().toString()));
      }
    }
    return names;
  }

  /** Path → SHA-256 of every file under {@code dir}: to prove a release was not touched. */
  static Map<String, String> treeHashes(Path dir) throws IOException {
    Map<String, String> out = new java.util.TreeMap<>();
    try (Stream<Path> files = Files.walk(dir)) {
      for (Path f : files.filter(Files::isRegularFile).toList()) {
        try (InputStream in = Files.newInputStream(f)) {
          out.put(dir.relativize(f).toString(), Sha256.of(in));
        }
      }
    }
    return out;
  }
}
