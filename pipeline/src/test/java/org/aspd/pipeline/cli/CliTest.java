package org.aspd.pipeline.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.aspd.format.AspdText;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code aspd run}, {@code stats} and {@code export} as a user calls them. */
class CliTest {
  @TempDir
  Path dir;

  @Test
  void runThenStatsThenExport() throws Exception {
    Path out = dir.resolve("out");
    // No --input: the bundled default dataset, found through aspd.home as the launcher sets it.
    assertEquals(0, AspdCli.execute("run", "--output", out.toString()));
    assertTrue(Files.isRegularFile(out.resolve("stats.json")));

    String stats = captureStdout(() -> assertEquals(0, AspdCli.execute("stats", out.toString())));
    assertTrue(stats.contains("rows 80"), stats);
    assertTrue(stats.contains("PPD"), stats);

    Path jsonl = dir.resolve("export.jsonl");
    assertEquals(0, AspdCli.execute("export", out.toString(), "--format", "jsonl", "--out", jsonl.toString()));
    List<String> lines = Files.readAllLines(jsonl, StandardCharsets.UTF_8);
    assertEquals(80, lines.size());
    ObjectMapper json = new ObjectMapper();
    int parallel = 0;
    for (String line : lines) {
      JsonNode n = json.readTree(line);
      assertEquals(4, n.size(), "fields id, parallel, aspd_text, original: " + line);
      assertEquals(n.get("original").asText(), AspdText.deTag(n.get("aspd_text").asText()));
      parallel += n.get("parallel").asBoolean() ? 1 : 0;
    }
    assertEquals(json.readTree(out.resolve("stats.json").toFile()).get("samples_parallel").asInt(), parallel);

    assertEquals(2, AspdCli.execute("stats", dir.resolve("missing").toString()));
    assertEquals(2, AspdCli.execute("export", out.toString(), "--format", "csv"));
  }

  @Test
  void badSettingsAreOneLineAndExitTwoBeforeAnyRowIsRead() {
    Path out = dir.resolve("never");
    String missing = captureStderr(() -> assertEquals(2,
        AspdCli.execute("run", "--output", out.toString(), "--tokenizer=" + dir.resolve("no-model"))));
    assertTrue(missing.contains("aspd: unknown tokenizer") && missing.contains("no tokenizer.json at"), missing);
    assertTrue(!missing.contains("\tat "), "no stack trace: " + missing);
    String candidates = captureStderr(() -> assertEquals(2,
        AspdCli.execute("run", "--output", out.toString(), "--candidates=0")));
    assertTrue(candidates.contains("aspd: candidates must be >= 1"), candidates);
    assertTrue(!Files.exists(out.resolve("data")), "nothing written");
    // After --input's paths, a pass-through setting is a setting, not one more input path.
    String afterInput = captureStderr(() -> assertEquals(2, AspdCli.execute("run", "--input",
        dir.toString(), "--candidates=0", "--output", out.toString())));
    assertTrue(afterInput.contains("aspd: candidates must be >= 1"), afterInput);
  }

  private static String captureStderr(Runnable r) {
    return capture(r, System.err, System::setErr);
  }

  private static String captureStdout(Runnable r) {
    return capture(r, System.out, System::setOut);
  }

  private static String capture(Runnable r, PrintStream old, java.util.function.Consumer<PrintStream> set) {
    ByteArrayOutputStream buf = new ByteArrayOutputStream();
    set.accept(new PrintStream(buf, true, StandardCharsets.UTF_8));
    try {
      r.run();
    } finally {
      set.accept(old);
    }
    return buf.toString(StandardCharsets.UTF_8);
  }
}
