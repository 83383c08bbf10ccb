package org.aspd.pipeline.read;

import static org.aspd.pipeline.read.Fixtures.write;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.zip.GZIPOutputStream;
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
  void aCompressedArrayRecoversTheSameWayFromOneDecompressedCopy() throws Exception {
    List<String> elements = new ArrayList<>();
    for (int i = 0; i < 300; i++) elements.add(record(i));
    for (int i = 5; i < 300; i += 50) elements.set(i, "{\"instruction\": \"q" + i + "\", \"output\": oops}");
    byte[] text = ("[\n  " + String.join(",\n  ", elements) + "\n]\n").getBytes(StandardCharsets.UTF_8);
    write(dir, "plain/outputs.json", new String(text, StandardCharsets.UTF_8));
    ByteArrayOutputStream gz = new ByteArrayOutputStream();
    try (GZIPOutputStream out = new GZIPOutputStream(gz)) {
      out.write(text);
    }
    Fixtures.writeBytes(dir, "gz/outputs.json.gz", gz.toByteArray());
    // Cut inside the last elements: the records before the cut are read, the break is a dead letter.
    byte[] whole = gz.toByteArray();
    Fixtures.writeBytes(dir, "cut/outputs.json.gz", Arrays.copyOf(whole, whole.length - 40));
    long spoolsBefore = spools();

    ReadRun plain = ReadRun.of(dir.resolve("plain").toString());
    ReadRun compressed = ReadRun.of(dir.resolve("gz").toString());
    ReadRun cut = ReadRun.of(dir.resolve("cut").toString());

    assertEquals(294, plain.samples.size());
    assertEquals(plain.samples.stream().map(Sample::id).sorted().toList(),
        compressed.samples.stream().map(x -> x.id().replace(".json.gz#", ".json#")).sorted().toList());
    assertEquals(plain.failures.stream().map(f -> f.id() + " " + f.input()).sorted().toList(),
        compressed.failures.stream().map(f -> f.id().replace(".json.gz#", ".json#") + " " + f.input()).sorted().toList());
    assertEquals(6, compressed.failures.size());
    assertTrue(cut.samples.size() >= 280 && cut.samples.size() < 294, "read up to the cut: " + cut.samples.size());
    assertTrue(cut.failures.size() >= 7, "6 broken elements and the cut: " + cut.failures);
    assertEquals(spoolsBefore, spools(), "every decompressed copy is deleted");
  }

  private static long spools() throws IOException {
    try (var files = Files.list(Path.of(System.getProperty("java.io.tmpdir")))) {
      return files.filter(f -> f.getFileName().toString().startsWith("aspd-spool-")).count();
    }
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
