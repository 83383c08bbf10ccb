package org.aspd.pipeline.read;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.github.luben.zstd.ZstdOutputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.zip.GZIPOutputStream;
import org.apache.commons.compress.compressors.bzip2.BZip2CompressorOutputStream;
import org.aspd.model.DeadLetter;
import org.aspd.model.Sample;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * gzip, bzip2 and Zstandard inputs read as their content, in directories and named directly,
 * multi-member files included; a truncated one keeps the records before its break; archives that
 * are not read and compressed Parquet get a dead letter that says so.
 */
class CompressedInputTest {
  private static final int FIRST_MEMBER = 300;
  private static final int RECORDS = 2000;

  @TempDir Path dir;

  private interface Compressor {
    OutputStream wrap(OutputStream out) throws IOException;
  }

  private static final Map<String, Compressor> FORMATS = Map.of(
      ".gz", GZIPOutputStream::new,
      ".bz2", BZip2CompressorOutputStream::new,
      ".zst", ZstdOutputStream::new);

  private static List<String> lines(int from, int to) {
    List<String> lines = new ArrayList<>();
    for (int i = from; i < to; i++) {
      lines.add(String.format("{\"id\":\"r%04d\",\"prompt\":\"Question %d?\",\"response\":\"Answer %d: %s\"}", i, i, i,
          Integer.toHexString(i * 2654435761L > 0 ? (int) (i * 2654435761L) : i).repeat(1 + i % 7)));
    }
    return lines;
  }

  /** The records {@code [from, to)} as one compressed member (a gzip member, a bzip2 stream, a zstd frame). */
  private static byte[] member(Compressor compressor, int from, int to) throws IOException {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    try (OutputStream out = compressor.wrap(bytes)) {
      out.write((String.join("\n", lines(from, to)) + "\n").getBytes(StandardCharsets.UTF_8));
    }
    return bytes.toByteArray();
  }

  private static byte[] concat(byte[] a, byte[] b) {
    byte[] both = Arrays.copyOf(a, a.length + b.length);
    System.arraycopy(b, 0, both, a.length, b.length);
    return both;
  }

  private static List<String> ids(ReadRun run) {
    return run.samples.stream().map(Sample::id).sorted().toList();
  }

  private static List<String> expectedIds(int from, int to) {
    List<String> ids = new ArrayList<>();
    for (int i = from; i < to; i++) ids.add(String.format("r%04d", i));
    return ids;
  }

  @Test
  void compressedFilesOfTwoMembersReadAsTheirContentInAFolderAndNamedDirectly() throws Exception {
    for (Map.Entry<String, Compressor> f : FORMATS.entrySet()) {
      byte[] file = concat(member(f.getValue(), 0, FIRST_MEMBER), member(f.getValue(), FIRST_MEMBER, RECORDS));
      Path folder = dir.resolve("folder" + f.getKey());
      Fixtures.writeBytes(folder, "answers.jsonl" + f.getKey(), file);
      Path unnamed = Fixtures.writeBytes(dir, "plain-name" + f.getKey() + ".jsonl", file); // told by its bytes

      for (String input : List.of(folder.toString(), unnamed.toString())) {
        ReadRun run = ReadRun.of(input);
        assertEquals(List.of(), run.failures, f.getKey() + " " + input);
        assertEquals(expectedIds(0, RECORDS), ids(run), f.getKey() + " " + input);
      }
      ReadRun run = ReadRun.of(folder.toString());
      Sample last = run.sample(String.format("r%04d", RECORDS - 1));
      assertEquals(lines(RECORDS - 1, RECORDS).get(0).replaceAll(".*\"response\":\"", "").replace("\"}", ""), last.answer());
      assertEquals(folder.resolve("answers.jsonl" + f.getKey()) + ":" + RECORDS, last.source(), "line numbers of the content");
    }
  }

  @Test
  void aTruncatedFileKeepsTheRecordsBeforeItsBreakAndDeadLettersTheRest() throws Exception {
    for (Map.Entry<String, Compressor> f : FORMATS.entrySet()) {
      byte[] second = member(f.getValue(), FIRST_MEMBER, RECORDS);
      byte[] file = concat(member(f.getValue(), 0, FIRST_MEMBER), Arrays.copyOf(second, second.length / 2));
      Path truncated = Fixtures.writeBytes(dir, "cut" + f.getKey(), file);

      ReadRun run = ReadRun.of(truncated.toString());

      List<String> ids = ids(run);
      int kept = ids.size();
      assertEquals(expectedIds(0, kept), ids, f.getKey() + ": the records kept are the file's first ones");
      assertTrue(kept < RECORDS, f.getKey());
      // Every record of the complete first member comes out, up to the documented salvage bound:
      // a decoder failing mid-read may drop one read's worth (gzip drops nothing).
      int lostBytes = lines(Math.min(kept, FIRST_MEMBER), FIRST_MEMBER).stream().mapToInt(l -> l.length() + 1).sum();
      int allowed = f.getKey().equals(".gz") ? 0 : Compressed.SALVAGE_READ_BYTES + lines(0, FIRST_MEMBER).stream()
          .mapToInt(String::length).max().orElseThrow();
      assertTrue(lostBytes <= allowed, f.getKey() + ": " + kept + " records kept, " + lostBytes + " bytes of the first member lost");
      assertEquals(1, run.failures.size(), f.getKey() + " " + run.failures);
      // The progress estimate counts what the job reads (it said 1 record for a cut file).
      long estimate = InputFormats.countRecords(List.of(truncated.toString()));
      assertTrue(Math.abs(estimate - (kept + 1)) <= 1, f.getKey() + ": estimate " + estimate + ", read " + (kept + 1));
      DeadLetter broken = run.failures.get(0);
      assertEquals(Reason.UNREADABLE_FILE, broken.reason());
      assertTrue(broken.detail().startsWith("cannot read the file after " + kept + " records"), broken.detail());
    }
  }

  /**
   * Breaks the JDK's gzip reader passes over without a word: a file cut inside the header of its
   * second member, and bytes after the last member. A small first member (less than the format
   * detector's peek) is kept too.
   */
  @Test
  void aGzipFileCutInAMemberHeaderOrFollowedByGarbageIsReportedAndKeepsItsFirstMember() throws Exception {
    byte[] first = member(FORMATS.get(".gz"), 0, 10);
    byte[] second = member(FORMATS.get(".gz"), 10, 20);
    Map<String, byte[]> files = Map.of(
        "cut-in-header.jsonl.gz", concat(first, Arrays.copyOf(second, 5)),
        "cut-in-data.jsonl.gz", concat(first, Arrays.copyOf(second, second.length / 2)),
        "garbage-after.jsonl.gz", concat(concat(first, second), "not gzip at all".getBytes(StandardCharsets.US_ASCII)));
    for (Map.Entry<String, byte[]> f : files.entrySet()) {
      ReadRun run = ReadRun.of(Fixtures.writeBytes(dir, f.getKey(), f.getValue()).toString());
      // At least the whole members before the break; a cut inside the data keeps what decodes of it.
      int whole = f.getKey().startsWith("garbage") ? 20 : 10;
      int kept = run.samples.size();
      assertTrue(kept >= whole && kept <= 20, f.getKey() + ": " + kept);
      if (!f.getKey().startsWith("cut-in-data")) assertEquals(whole, kept, f.getKey());
      assertEquals(expectedIds(0, kept), ids(run), f.getKey());
      assertEquals(1, run.failures.size(), f.getKey() + ": the break is a dead letter");
      assertEquals(Reason.UNREADABLE_FILE, run.failures.get(0).reason(), f.getKey());
      assertTrue(run.failures.get(0).detail().startsWith("cannot read the file after " + kept + " records"),
          f.getKey() + ": " + run.failures.get(0).detail());
    }
  }

  /** A FastChat folder whose question and answer files are gzipped reads as the plain folder does. */
  @Test
  void aCompressedFastChatFolderGivesTheSamplesOfThePlainOne() throws Exception {
    Path bench = Path.of(System.getProperty("aspd.home", "..")).resolve("datasets/vicuna-bench");
    Path zipped = dir.resolve("vicuna-gz");
    for (String file : List.of("question.jsonl", "model_answer/gpt-4o.jsonl")) {
      ByteArrayOutputStream gz = new ByteArrayOutputStream();
      try (OutputStream out = new GZIPOutputStream(gz)) {
        out.write(Files.readAllBytes(bench.resolve(file)));
      }
      Fixtures.writeBytes(zipped, file + ".gz", gz.toByteArray());
    }
    Map<String, String> plain = answers(ReadRun.of(bench.toString()));
    assertEquals(80, plain.size());
    for (String input : List.of(zipped.toString(), zipped.resolve("question.jsonl.gz").toString(),
        zipped.resolve("model_answer/gpt-4o.jsonl.gz").toString())) {
      ReadRun run = ReadRun.of(input);
      assertEquals(List.of(), run.failures, input);
      assertEquals(plain, answers(run), input + ": ids (gpt-4o/N), questions and answers");
    }
  }

  private static Map<String, String> answers(ReadRun run) {
    Map<String, String> byId = new java.util.TreeMap<>();
    run.samples.forEach(s -> byId.put(s.id(), s.model() + "|" + s.category() + "|" + s.question() + "|" + s.answer()));
    return byId;
  }

  @Test
  void archivesThatAreNotReadAndCompressedParquetAreDeadLettersThatSaySo() throws Exception {
    Path xz = Fixtures.writeBytes(dir, "answers.jsonl.xz", new byte[] {(byte) 0xFD, '7', 'z', 'X', 'Z', 0, 0, 4});
    Path zip = Fixtures.writeBytes(dir, "answers.zip", new byte[] {'P', 'K', 3, 4, 20, 0, 0, 0});
    Path parquet = Fixtures.parquet(dir, "t.parquet", List.of("prompt", "response"), List.of(Map.of("prompt", "p", "response", "r")));
    ByteArrayOutputStream gz = new ByteArrayOutputStream();
    try (OutputStream out = new GZIPOutputStream(gz)) {
      out.write(Files.readAllBytes(parquet));
    }
    Path gzParquet = Fixtures.writeBytes(dir, "t.parquet.gz", gz.toByteArray());

    ReadRun run = ReadRun.of(xz.toString(), zip.toString(), gzParquet.toString());

    assertEquals(List.of(), run.samples);
    List<DeadLetter> failures = run.failures.stream().sorted(Comparator.comparing(DeadLetter::source)).toList();
    assertEquals(List.of(Reason.UNKNOWN_FORMAT, Reason.UNKNOWN_FORMAT, Reason.UNKNOWN_FORMAT),
        failures.stream().map(DeadLetter::reason).toList());
    assertTrue(failures.get(0).detail().contains(": xz-compressed, which is not read (gzip, bzip2 and zstd are)"),
        failures.get(0).detail());
    assertTrue(failures.get(1).detail().contains(": a zip archive, which is not read"), failures.get(1).detail());
    assertTrue(failures.get(2).detail().contains(": Parquet compressed with GZIP, which cannot be read in place"),
        failures.get(2).detail());
    assertEquals(1, ReadRun.of(parquet.toString()).samples.size(), "the same Parquet file uncompressed reads");
  }
}
