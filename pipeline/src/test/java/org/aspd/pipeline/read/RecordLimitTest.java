package org.aspd.pipeline.read;

import static org.aspd.pipeline.read.Fixtures.write;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.aspd.model.Sample;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code --limit N}: the first N records (samples and dead letters) in the order of the paths and of
 * the sorted files in each, whatever the format; a limit past the end reads everything.
 */
class RecordLimitTest {
  @TempDir Path dir;
  Path folder;
  Path array;

  @BeforeEach
  void inputs() throws Exception {
    folder = dir.resolve("folder");
    // Sorted within the folder: a.jsonl (4 records: 3 samples and a malformed line), b.jsonl (a line
    // holding an array of 3 records, then one more), c.parquet (2 rows).
    write(folder, "a.jsonl", "{\"id\":\"a1\",\"prompt\":\"p\",\"response\":\"r\"}", "{\"id\":\"a2\",\"prompt\":\"p\",\"response\":\"r\"}",
        "{broken", "{\"id\":\"a4\",\"prompt\":\"p\",\"response\":\"r\"}");
    write(folder, "b.jsonl", "[{\"id\":\"b1\",\"prompt\":\"p\",\"response\":\"r\"},{\"id\":\"b2\",\"prompt\":\"p\",\"response\":\"r\"},"
        + "{\"id\":\"b3\",\"prompt\":\"p\",\"response\":\"r\"}]", "{\"id\":\"b4\",\"prompt\":\"p\",\"response\":\"r\"}");
    Fixtures.parquet(folder, "c.parquet", List.of("id", "prompt", "response"),
        List.of(Map.of("id", "c1", "prompt", "p", "response", "r"), Map.of("id", "c2", "prompt", "p", "response", "r")));
    // Named after the folder, so read after it: two records, then a break.
    array = write(dir, "array.json", "[{\"id\":\"j1\",\"prompt\":\"p\",\"response\":\"r\"},",
        "{\"id\":\"j2\",\"prompt\":\"p\",\"response\":\"r\"},", "{\"id\":\"j3\", \"pro");
  }

  private static List<String> ids(ReadRun run) {
    List<String> ids = new ArrayList<>(run.samples.stream().map(Sample::id).toList());
    run.failures.stream().map(f -> "dead:" + f.source().substring(f.source().lastIndexOf('/') + 1)).forEach(ids::add);
    return ids.stream().sorted().toList();
  }

  private ReadRun read(long limit) {
    return ReadRun.of(limit, folder.toString(), array.toString());
  }

  @Test
  void theFirstNRecordsInInputOrderWhateverTheFormat() {
    assertEquals(List.of("a1", "a2", "dead:a.jsonl:3"), ids(read(3)), "a dead letter is a record");
    assertEquals(List.of("a1", "a2", "a4", "b1", "b2", "dead:a.jsonl:3"), ids(read(6)), "stops inside a line's array");
    assertEquals(List.of("a1", "a2", "a4", "b1", "b2", "b3", "b4", "c1", "dead:a.jsonl:3"), ids(read(9)),
        "then Parquet");
    // j1 and j2 are read; the break after them is past the limit, so it is no dead letter.
    assertEquals(List.of("a1", "a2", "a4", "b1", "b2", "b3", "b4", "c1", "c2", "dead:a.jsonl:3", "j1", "j2"),
        ids(read(12)));
    ReadRun all = read(1000);
    assertEquals(ids(read(0)), ids(all), "a limit past the end reads everything, as no limit does");
    assertEquals(13, all.samples.size() + all.failures.size(), "with the array's break");
    assertEquals(3, read(3).counter("files_past_limit"), "b.jsonl, c.parquet and array.json are not read");
  }

  @Test
  void aFileUnderTwoPathsIsTwoUnitsAndAPathGivenTwiceIsReadOnce() {
    String a = folder.resolve("a.jsonl").toString();
    ReadRun twice = ReadRun.of(5, a, a);
    assertEquals(List.of("a1", "a2", "a4", "dead:a.jsonl:3"), ids(twice), "a.jsonl's 4 records, once");
    ReadRun overlapping = ReadRun.of(6, a, folder.toString());
    assertEquals(6, overlapping.samples.size() + overlapping.failures.size());
    assertEquals(List.of("a1", "a1", "a2", "a2", "a4", "dead:a.jsonl:3"), ids(overlapping),
        "a.jsonl's 4 records as a file, then the first 2 again as the folder's first file");
  }

  @Test
  void aNegativeLimitIsRefused() {
    assertThrows(IllegalArgumentException.class, () -> ReadSamples.from(List.of("x")).withLimit(-1));
  }
}
