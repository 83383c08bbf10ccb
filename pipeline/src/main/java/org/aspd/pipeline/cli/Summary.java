package org.aspd.pipeline.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.nio.channels.Channels;
import org.apache.beam.sdk.io.FileSystems;
import org.apache.beam.sdk.io.fs.ResolveOptions.StandardResolveOptions;
import org.apache.beam.sdk.io.fs.ResourceId;

/**
 * The few numbers a user wants after a run, read back from {@code stats.json} through Beam's
 * filesystems, so an output on hdfs:// reads as a local one.
 */
final class Summary {
  private Summary() {}

  /** Dead letters of calls {@code --llm-replay} did not find ({@code *:replay_miss}); 0 when unreadable. */
  static long replayMisses(String outputDir) {
    try {
      long misses = 0;
      var reasons = stats(outputDir).path("dead_letter_reasons").fields();
      while (reasons.hasNext()) {
        var e = reasons.next();
        if (e.getKey().endsWith(":replay_miss")) misses += e.getValue().asLong();
      }
      return misses;
    } catch (IOException e) {
      return 0;
    }
  }

  static void print(String outputDir, PrintStream out) {
    ResourceId dir = FileSystems.matchNewResource(outputDir, true);
    try {
      JsonNode s = stats(outputDir);
      long skipped = s.path("files_skipped").asLong();
      out.printf("rows %d (parallel %d), dead letters %d%s%n", s.get("samples_total").asLong(),
          s.get("samples_parallel").asLong(), s.get("dead_letters").asLong(),
          skipped == 0 ? "" : ", files skipped " + skipped + " (listed in stats.json and the card)");
      out.printf("PPD %.1f%%  DP %.3f  ABN %.2f  APE %.3f  theoretical speed-up %.3f%n",
          100 * s.get("ppd").asDouble(), s.get("dp").asDouble(), s.get("abn").asDouble(),
          s.get("ape").asDouble(), s.get("theoretical_speedup_mean").asDouble());
      out.printf("shards: %s  card: %s%n", dir.resolve("data", StandardResolveOptions.RESOLVE_DIRECTORY),
          dir.resolve("README.md", StandardResolveOptions.RESOLVE_FILE));
      if (s.get("dead_letters").asLong() > 0) {
        out.println("dead letters by reason: " + topReasons(s.path("dead_letter_reasons"), 5)
            + " (each with its detail in " + dir.resolve("dead_letters", StandardResolveOptions.RESOLVE_DIRECTORY) + ")");
      }
    } catch (IOException e) {
      out.println("no stats.json in " + outputDir + " (" + e.getMessage() + ")");
    }
  }

  /** "Rewrite:teacher_error 5, ReadSamples:malformed_json 2": the most frequent first. */
  private static String topReasons(JsonNode reasons, int most) {
    java.util.List<java.util.Map.Entry<String, Long>> all = new java.util.ArrayList<>();
    reasons.fields().forEachRemaining(e -> all.add(java.util.Map.entry(e.getKey(), e.getValue().asLong())));
    all.sort(java.util.Map.Entry.<String, Long>comparingByValue().reversed().thenComparing(java.util.Map.Entry.comparingByKey()));
    StringBuilder b = new StringBuilder();
    for (int i = 0; i < Math.min(most, all.size()); i++) {
      b.append(i == 0 ? "" : ", ").append(all.get(i).getKey()).append(' ').append(all.get(i).getValue());
    }
    return all.size() > most ? b + ", and " + (all.size() - most) + " more" : b.toString();
  }

  /**
   * When no sample became a row and the teacher failed, what the first teacher failure said (an
   * unreachable server, a refused key); null otherwise. Such a run did not do its job.
   */
  static String teacherDown(String outputDir) {
    try {
      JsonNode s = stats(outputDir);
      if (s.get("samples_total").asLong() > 0) return null;
      boolean teacher = false;
      for (var it = s.path("dead_letter_reasons").fieldNames(); it.hasNext(); ) {
        teacher |= it.next().endsWith(":" + org.aspd.teacher.TeacherException.REASON);
      }
      if (!teacher) return null;
      ResourceId dir = FileSystems.matchNewResource(outputDir, true);
      ObjectMapper json = new ObjectMapper();
      for (var file : FileSystems.match(dir.resolve("dead_letters", StandardResolveOptions.RESOLVE_DIRECTORY)
          + "*.jsonl").metadata()) {
        try (java.io.BufferedReader r = new java.io.BufferedReader(new java.io.InputStreamReader(
            Channels.newInputStream(FileSystems.open(file.resourceId())), java.nio.charset.StandardCharsets.UTF_8))) {
          for (String line = r.readLine(); line != null; line = r.readLine()) {
            JsonNode d = json.readTree(line);
            if (d.path("reason").asText().equals(org.aspd.teacher.TeacherException.REASON)) {
              return d.path("detail").asText();
            }
          }
        }
      }
      return "see the dead letters";
    } catch (IOException | RuntimeException e) {
      return null;
    }
  }

  /** {@code stats.json} of an output folder, read through Beam's filesystems. */
  private static JsonNode stats(String outputDir) throws IOException {
    ResourceId dir = FileSystems.matchNewResource(outputDir, true);
    try (InputStream in = Channels.newInputStream(
        FileSystems.open(dir.resolve("stats.json", StandardResolveOptions.RESOLVE_FILE)))) {
      return new ObjectMapper().readTree(in);
    }
  }
}
