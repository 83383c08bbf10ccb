package org.aspd.pipeline;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.apache.avro.generic.GenericRecord;
import org.apache.beam.sdk.PipelineResult;
import org.apache.beam.sdk.options.PipelineOptionsFactory;
import org.aspd.pipeline.write.ShardReader;

/** Runs the real job in-process and reads its outputs back with standard readers. */
public final class JobRunner {
  private JobRunner() {}

  public static PipelineResult.State run(List<String> inputs, Path output, String... extra) {
    List<String> args = new ArrayList<>();
    inputs.forEach(i -> args.add("--input=" + i));
    args.add("--output=" + output);
    args.addAll(List.of(extra));
    AspdOptions options = PipelineOptionsFactory.fromArgs(args.toArray(String[]::new))
        .withValidation().as(AspdOptions.class);
    return AspdPipeline.run(options).waitUntilFinish();
  }

  /** All rows of all shards, by id (ids are unique after de-duplication). */
  public static Map<String, GenericRecord> rows(Path output) throws IOException {
    Map<String, GenericRecord> rows = new LinkedHashMap<>();
    ShardReader.forEach(output.resolve("data").toFile(), r -> {
      GenericRecord previous = rows.put(r.get("id").toString(), r);
      if (previous != null) {
        throw new AssertionError("duplicate id in shards: " + r.get("id"));
      }
    });
    return rows;
  }

  public static List<JsonNode> deadLetters(Path output) throws IOException {
    ObjectMapper json = new ObjectMapper();
    List<JsonNode> out = new ArrayList<>();
    try (Stream<Path> files = Files.list(output.resolve("dead_letters"))) {
      for (Path f : files.filter(p -> p.toString().endsWith(".jsonl")).sorted().toList()) {
        for (String line : Files.readAllLines(f, StandardCharsets.UTF_8)) {
          if (!line.isBlank()) {
            out.add(json.readTree(line));
          }
        }
      }
    }
    return out;
  }

  public static JsonNode stats(Path output) throws IOException {
    return new ObjectMapper().readTree(output.resolve("stats.json").toFile());
  }

  public static String str(GenericRecord r, String field) {
    Object v = r.get(field);
    return v == null ? null : v.toString();
  }

  public static File file(Path p) {
    return p.toFile();
  }
}
