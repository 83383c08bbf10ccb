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
    } catch (IOException e) {
      out.println("no stats.json in " + outputDir + " (" + e.getMessage() + ")");
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
