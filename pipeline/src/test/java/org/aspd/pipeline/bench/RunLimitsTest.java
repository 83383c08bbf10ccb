package org.aspd.pipeline.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.aspd.decoding.EngineOptions;
import org.aspd.decoding.SpecialTokenIds;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The engine limits the bench takes from a run's stats.json, and the defaults with a note where it has none. */
class RunLimitsTest {
  private static final EngineOptions DEFAULTS = EngineOptions.defaults(new SpecialTokenIds(0, 1, 2, 3, 4, 5),
      new int[0], new int[] {6});

  @TempDir
  Path dir;

  @Test
  void theRunsLimitsReplaceTheEngineDefaults() throws Exception {
    Files.writeString(dir.resolve("stats.json"),
        "{\"run\": {\"title_max_tokens\": 16, \"max_branches\": 16, \"max_tokens\": 8000}, \"samples_total\": 80}");
    ByteArrayOutputStream notes = new ByteArrayOutputStream();
    EngineOptions options = RunLimits.read(dir, DEFAULTS, new PrintStream(notes, true, StandardCharsets.UTF_8))
        .apply(DEFAULTS);
    assertEquals(16, options.titleMaxTokens());
    assertEquals(16, options.groupMaxBranches());
    assertEquals(8000, options.groupMaxSteps(), "a branch may be as long as max_tokens");
    assertEquals("", notes.toString(StandardCharsets.UTF_8));
  }

  @Test
  void missingLimitsFallBackToTheDefaultsWithANote() throws Exception {
    ByteArrayOutputStream notes = new ByteArrayOutputStream();
    EngineOptions options = RunLimits.read(dir, DEFAULTS, new PrintStream(notes, true, StandardCharsets.UTF_8))
        .apply(DEFAULTS);
    assertEquals(DEFAULTS.titleMaxTokens(), options.titleMaxTokens());
    assertEquals(DEFAULTS.groupMaxBranches(), options.groupMaxBranches());
    assertEquals(DEFAULTS.groupMaxSteps(), options.groupMaxSteps());
    String text = notes.toString(StandardCharsets.UTF_8);
    assertTrue(text.contains("no " + dir.resolve("stats.json") + "; replaying under the engine's default limits"), text);

    Files.writeString(dir.resolve("stats.json"), "{\"run\": {}}");
    notes.reset();
    RunLimits.read(dir, DEFAULTS, new PrintStream(notes, true, StandardCharsets.UTF_8));
    text = notes.toString(StandardCharsets.UTF_8);
    assertTrue(text.contains("has no run.title_max_tokens; using the engine default 8")
        && text.contains("has no run.max_branches; using the engine default 10"), text);
  }
}
