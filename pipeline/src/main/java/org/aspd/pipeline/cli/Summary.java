package org.aspd.pipeline.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.File;
import java.io.IOException;
import java.io.PrintStream;

/** The few numbers a user wants after a run, read back from {@code stats.json}. */
final class Summary {
  private Summary() {}

  static void print(String outputDir, PrintStream out) {
    File stats = new File(outputDir, "stats.json");
    try {
      JsonNode s = new ObjectMapper().readTree(stats);
      out.printf("rows %d (parallel %d), dead letters %d%n", s.get("samples_total").asLong(),
          s.get("samples_parallel").asLong(), s.get("dead_letters").asLong());
      out.printf("PPD %.1f%%  DP %.3f  ABN %.2f  APE %.3f  theoretical speed-up %.3f%n",
          100 * s.get("ppd").asDouble(), s.get("dp").asDouble(), s.get("abn").asDouble(),
          s.get("ape").asDouble(), s.get("theoretical_speedup_mean").asDouble());
      out.printf("shards: %s  card: %s%n", new File(outputDir, "data"), new File(outputDir, "README.md"));
    } catch (IOException e) {
      out.println("no stats.json in " + outputDir + " (" + e.getMessage() + ")");
    }
  }
}
