package org.aspd.pipeline.read;

import static org.aspd.pipeline.read.Fixtures.write;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.aspd.model.DeadLetter;
import org.aspd.model.Sample;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A syntax error inside a JSON array (AlpacaEval's layout) costs its element only. Before, every
 * record after it went into one dead letter cut at 1 MiB: in a 2 MB file with the error at record
 * 1, about 190 valid records appeared nowhere.
 */
class JsonArrayRecoveryTest {
  @TempDir Path dir;

  private static String record(int i) {
    return "{\"instruction\": \"q" + i + " [x] {y} \\\"quoted, with ] and }\\\"\", \"output\": \"a" + i + "\"}";
  }

  @Test
  void aBrokenElementIsOneDeadLetterAndTheRecordsAfterItAreRead() throws Exception {
    List<String> elements = new ArrayList<>();
    for (int i = 0; i < 400; i++) elements.add(record(i));
    elements.set(1, "{\"instruction\": \"q1\", \"output\": oops}"); // a bare word: not JSON
    elements.set(7, "{\"instruction\": \"q7\" \"output\": \"a7\"}"); // a missing comma inside
    String big = "x".repeat(5000);
    for (int i = 10; i < 400; i++) elements.set(i, elements.get(i).replace("\"a" + i + "\"", "\"a" + i + big + "\""));
    // a missing comma between two elements: both are whole, so both are read
    String text = "[\n  " + String.join(",\n  ", elements.subList(0, 20)) + "\n  " + String.join(",\n  ",
        elements.subList(20, 400)) + "\n]\n";
    write(dir, "outputs.json", text);

    ReadRun run = ReadRun.of(dir.resolve("outputs.json").toString());
    assertEquals(List.of(Reason.MALFORMED_JSON, Reason.MALFORMED_JSON), run.reasons(), run.failures.toString());
    assertEquals(398, run.samples.size(), "every other record is read");
    assertEquals("q399 [x] {y} \"quoted, with ] and }\"", run.sample("outputs.json#399").question());
    assertEquals("q20 [x] {y} \"quoted, with ] and }\"", run.sample("outputs.json#20").question());
    DeadLetter first = run.failures.stream().filter(f -> f.source().endsWith("#1")).findFirst().orElseThrow();
    assertEquals("{\"instruction\": \"q1\", \"output\": oops}", first.input(), "the element alone, not the rest of the file");
    assertTrue(first.detail().contains("the records after it are read"), first.detail());
    assertTrue(run.failures.stream().anyMatch(f -> f.source().endsWith("#7")), run.failures.toString());
    // The progress estimate counts such a file as the job reads it (it had stopped at the first error: 2 of 400).
    assertEquals(400, InputFormats.countRecords(List.of(dir.resolve("outputs.json").toString())));
  }

  @Test
  void aFileCutInsideAnElementStillDeadLettersTheRest() throws Exception {
    write(dir, "cut.json", "[" + record(0) + ", " + record(1) + ", {\"instruction\": \"q2\", \"out");
    ReadRun run = ReadRun.of(dir.resolve("cut.json").toString());
    assertEquals(List.of("q0 [x] {y} \"quoted, with ] and }\"", "q1 [x] {y} \"quoted, with ] and }\""),
        run.samples.stream().map(Sample::question).sorted().toList());
    assertEquals(List.of(Reason.MALFORMED_JSON), run.reasons());
    assertTrue(run.failures.get(0).input().startsWith(", {\"instruction\": \"q2\""), run.failures.get(0).input());
    assertEquals(3, InputFormats.countRecords(List.of(dir.resolve("cut.json").toString())));
  }
}
