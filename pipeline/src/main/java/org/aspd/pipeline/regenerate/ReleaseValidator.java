package org.aspd.pipeline.regenerate;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.avro.Schema;
import org.apache.avro.SchemaBuilder;
import org.apache.avro.generic.GenericRecord;
import org.apache.hadoop.conf.Configuration;
import org.apache.parquet.avro.AvroParquetReader;
import org.apache.parquet.avro.AvroReadSupport;
import org.apache.parquet.hadoop.ParquetReader;
import org.apache.parquet.hadoop.util.HadoopInputFile;
import org.aspd.pipeline.write.ShardFooter;
import org.aspd.pipeline.write.WriteShards;

/**
 * Checks a partial release before it gets a manifest: exactly the expected shards and nothing else
 * in {@code data/}; every shard readable to the last row; every row in the shard its id hashes to;
 * ids unique; and the counts add up — rows + dead letters = input records, unchanged samples =
 * carried rows (each exactly once), rows = computed rows + carried rows, and {@code stats.json}
 * agrees. Any failure stops the publication with every broken check listed.
 */
final class ReleaseValidator {
  /** One shard as the manifest lists it. */
  record Shard(String name, long rows, long bytes, String sha256) {}

  /** What a valid release holds. */
  record Result(List<Shard> shards, Set<String> rowIds, Set<String> deadLetterIds, long deadLetters,
      Map<String, Long> counts, JsonNode stats) {
    long rows() {
      return rowIds.size();
    }
  }

  static final class InvalidReleaseException extends IOException {
    InvalidReleaseException(String message) {
      super(message);
    }
  }

  private ReleaseValidator() {}

  static Result validate(Path release, int numShards) throws IOException {
    List<String> problems = new ArrayList<>();
    Map<String, Long> counts = counts(release);
    List<Shard> shards = new ArrayList<>();
    Set<String> ids = new HashSet<>();
    Path data = release.resolve("data");
    Set<String> expected = new HashSet<>();
    for (int s = 0; s < numShards; s++) {
      String name = WriteShards.shardName(s, numShards);
      expected.add(name);
      Path shard = data.resolve(name);
      if (!Files.isRegularFile(shard)) {
        problems.add("shard " + name + " is missing");
        continue;
      }
      shards.add(readShard(shard, s, numShards, ids, problems));
    }
    try (DirectoryStream<Path> entries = Files.newDirectoryStream(data)) {
      for (Path e : entries) {
        if (!expected.contains(e.getFileName().toString())) {
          problems.add("unexpected " + e + " in data/ (a shard write did not finish)");
        }
      }
    }
    Set<String> deadIds = new HashSet<>();
    long dead = deadLetters(release.resolve("dead_letters"), deadIds);
    JsonNode stats = new ObjectMapper().readTree(release.resolve("stats.json").toFile());

    long rows = ids.size();
    check(problems, rows + dead == counts.get("samples_read") + counts.get("read_failures"),
        "rows " + rows + " + dead letters " + dead + " != input records " + counts.get("samples_read") + " + "
            + counts.get("read_failures"));
    check(problems, counts.get("unchanged_samples").equals(counts.get("carried_rows")),
        "unchanged samples " + counts.get("unchanged_samples") + " != carried rows " + counts.get("carried_rows"));
    check(problems, rows == counts.get("computed_rows") + counts.get("carried_rows"),
        "rows " + rows + " != computed " + counts.get("computed_rows") + " + carried " + counts.get("carried_rows"));
    check(problems, dead == counts.get("read_failures") + counts.get("duplicate_ids") + counts.get("stage_failures"),
        "dead letters " + dead + " != read failures + duplicate ids + stage failures " + counts);
    check(problems, stats.path("samples_total").asLong(-1) == rows && stats.path("dead_letters").asLong(-1) == dead,
        "stats.json counts " + stats.path("samples_total") + " rows and " + stats.path("dead_letters")
            + " dead letters, the release " + rows + " and " + dead);
    if (!problems.isEmpty()) {
      throw new InvalidReleaseException("release " + release + " failed validation:\n  - " + String.join("\n  - ", problems));
    }
    return new Result(List.copyOf(shards), ids, deadIds, dead, counts, stats);
  }

  private static Shard readShard(Path shard, int index, int numShards, Set<String> ids, List<String> problems)
      throws IOException {
    long rows = 0;
    String name = shard.getFileName().toString();
    ShardFooter recount = new ShardFooter();
    try (ParquetReader<GenericRecord> reader = AvroParquetReader.<GenericRecord>builder(input(shard)).build()) {
      GenericRecord r;
      while ((r = reader.read()) != null) {
        String id = r.get("id").toString();
        rows++;
        recount.add(r);
        if (!ids.add(id)) {
          problems.add("id '" + id + "' occurs more than once");
        }
        if (WriteShards.shardOf(id, numShards) != index) {
          problems.add("id '" + id + "' is in " + name + ", not in the shard its id hashes to");
        }
      }
      Map<String, String> footer = ShardFooter.read(input(shard));
      check(problems, footer.equals(recount.metadata()),
          "shard " + name + "'s footer counts " + footer + ", its rows " + recount.metadata());
    } catch (RuntimeException e) {
      problems.add("shard " + name + " is unreadable: " + e);
    }
    try (InputStream in = Files.newInputStream(shard)) {
      return new Shard(name, rows, Files.size(shard), Sha256.of(in));
    }
  }

  /** The ids of a release's rows, reading only the id column. */
  static Set<String> rowIds(Path release) throws IOException {
    Schema idOnly = SchemaBuilder.record("ShardRow").namespace("org.aspd.schema").fields()
        .requiredString("id").endRecord();
    Set<String> ids = new HashSet<>();
    try (DirectoryStream<Path> shards = Files.newDirectoryStream(release.resolve("data"), "*.parquet")) {
      for (Path shard : shards) {
        Configuration conf = new Configuration();
        AvroReadSupport.setRequestedProjection(conf, idOnly);
        try (ParquetReader<GenericRecord> reader =
            AvroParquetReader.<GenericRecord>builder(input(shard, conf)).withConf(conf).build()) {
          GenericRecord r;
          while ((r = reader.read()) != null) {
            ids.add(r.get("id").toString());
          }
        }
      }
    }
    return ids;
  }

  /** The ids of a release's dead letters (those that have one). */
  static Set<String> deadLetterIds(Path release) throws IOException {
    Set<String> ids = new HashSet<>();
    deadLetters(release.resolve("dead_letters"), ids);
    return ids;
  }

  private static HadoopInputFile input(Path file) throws IOException {
    return input(file, new Configuration());
  }

  private static HadoopInputFile input(Path file, Configuration conf) throws IOException {
    return HadoopInputFile.fromPath(new org.apache.hadoop.fs.Path(file.toAbsolutePath().toString()), conf);
  }

  private static long deadLetters(Path dir, Set<String> ids) throws IOException {
    long n = 0;
    ObjectMapper json = new ObjectMapper();
    try (DirectoryStream<Path> files = Files.newDirectoryStream(dir, "*.jsonl")) {
      for (Path f : files) {
        for (String line : Files.readAllLines(f, StandardCharsets.UTF_8)) {
          if (!line.isBlank()) {
            n++;
            String id = json.readTree(line).path("id").asText("");
            if (!id.isEmpty()) {
              ids.add(id);
            }
          }
        }
      }
    }
    return n;
  }

  private static Map<String, Long> counts(Path release) throws IOException {
    Path file = release.resolve(RegenerationPipeline.COUNTS_FILE);
    if (!Files.isRegularFile(file)) {
      throw new InvalidReleaseException("release " + release + " has no " + file.getFileName() + ": the pipeline did not finish");
    }
    Map<String, Long> counts = new LinkedHashMap<>();
    new ObjectMapper().readTree(file.toFile()).fields().forEachRemaining(e -> counts.put(e.getKey(), e.getValue().asLong()));
    for (CountsFn.Tally t : CountsFn.Tally.values()) {
      counts.putIfAbsent(t.key(), 0L);
    }
    return counts;
  }

  private static void check(List<String> problems, boolean ok, String problem) {
    if (!ok) {
      problems.add(problem);
    }
  }
}
