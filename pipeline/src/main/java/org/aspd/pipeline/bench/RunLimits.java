package org.aspd.pipeline.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import org.aspd.decoding.EngineOptions;

/**
 * The grammar limits a run wrote its rows under, from {@code DIR/stats.json}'s {@code run} section
 * ({@code title_max_tokens}, {@code max_branches}, {@code max_tokens}). The engine forces
 * {@code <|/title|>} and refuses a further {@code <|title|>} at its own limits, so replaying rows
 * made with larger ones under the engine's defaults would fail valid rows.
 */
record RunLimits(int titleMaxTokens, int maxBranches, int groupMaxSteps) {

  /** The run's limits where stats.json records them; each missing one is the engine's default, with a note. */
  static RunLimits read(Path dir, EngineOptions defaults, PrintStream notes) throws IOException {
    Path stats = dir.resolve("stats.json");
    if (!Files.isRegularFile(stats)) {
      notes.println("aspd: note: no " + stats + "; replaying under the engine's default limits");
      return new RunLimits(defaults.titleMaxTokens(), defaults.groupMaxBranches(), defaults.groupMaxSteps());
    }
    JsonNode run = new ObjectMapper().readTree(stats.toFile()).path("run");
    int title = limit(run, "title_max_tokens", defaults.titleMaxTokens(), stats, notes);
    int branches = limit(run, "max_branches", defaults.groupMaxBranches(), stats, notes);
    // The pipeline bounds a branch only by max_tokens (prompt + answer), so a branch may be longer
    // than the engine's group.maxSteps; raise it there rather than fail such rows.
    int maxTokens = run.path("max_tokens").asInt(0);
    return new RunLimits(title, branches, Math.max(defaults.groupMaxSteps(), maxTokens));
  }

  EngineOptions apply(EngineOptions options) {
    return options.withLimits(titleMaxTokens, maxBranches, groupMaxSteps);
  }

  private static int limit(JsonNode run, String field, int fallback, Path stats, PrintStream notes) {
    JsonNode v = run.path(field);
    if (v.canConvertToInt() && v.isIntegralNumber()) return v.asInt();
    notes.println("aspd: note: " + stats + " has no run." + field + "; using the engine default " + fallback);
    return fallback;
  }
}
