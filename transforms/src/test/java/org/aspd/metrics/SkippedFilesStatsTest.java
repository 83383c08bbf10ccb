package org.aspd.metrics;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.junit.jupiter.api.Test;

class SkippedFilesStatsTest {
  @Test
  void skippedFilesAreCountedAllAndListedUpToTheCapInPathOrderWhateverTheMergeOrder() {
    int n = DatasetStats.SKIPPED_LISTED + 50;
    DatasetStats a = new DatasetStats();
    DatasetStats b = new DatasetStats();
    for (int i = n - 1; i >= 0; i--) {
      (i % 3 == 0 ? a : b).add(StatsEvent.skippedFile(String.format(Locale.ROOT, "/in/f%04d.md (not data)", i)));
    }
    DatasetStats ab = new DatasetStats().merge(a).merge(b);
    DatasetStats ba = new DatasetStats().merge(b).merge(a);

    List<String> first = new ArrayList<>();
    for (int i = 0; i < DatasetStats.SKIPPED_LISTED; i++) {
      first.add(String.format(Locale.ROOT, "/in/f%04d.md (not data)", i));
    }
    for (DatasetStats s : List.of(ab, ba)) {
      assertEquals((long) n, s.toMap().get("files_skipped"));
      assertEquals(first, s.toMap().get("skipped_files"));
      assertEquals(0L, s.samples(), "a skipped file is neither a row");
      assertEquals(0L, s.deadLetters(), "nor a dead letter");
    }
  }

  @Test
  void aPathSkippedTwiceIsListedTwiceSoCountAndListAgree() {
    DatasetStats s = new DatasetStats();
    s.add(StatsEvent.skippedFile("/in/README.md (not data)"));
    s.add(StatsEvent.skippedFile("/in/README.md (not data)")); // --input in --input in/
    assertEquals(2L, s.toMap().get("files_skipped"));
    assertEquals(List.of("/in/README.md (not data)", "/in/README.md (not data)"), s.toMap().get("skipped_files"));
  }
}
