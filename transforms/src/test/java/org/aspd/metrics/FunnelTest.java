package org.aspd.metrics;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class FunnelTest {
  @Test
  void aSampleDeadLetteredInAStageReachedItAndLeavesRightAfter() {
    Map<String, Long> f = Funnel.of(
        Map.of("parallel", 5L, "serial_short", 2L, "serial_fallback:independence", 1L, "serial_fallback:format", 1L),
        Map.of("ReadSamples:malformed_json", 1L, "DeduplicateIds:duplicate_id", 1L, "Prefilter:over_token_limit", 1L,
            "Rewrite:teacher_error", 2L, "VerifyIndependence:teacher_error", 1L, "CheckIntegrity:teacher_error", 1L));
    assertEquals(List.of("read", "valid_unique", "eligible_for_rewrite", "rewritten_with_valid_group",
        "independent_group", "integrity_passed", "parallel"), new ArrayList<>(f.keySet()));
    // 9 rows + 7 dead letters read; 2 leave at reading; of 14, 1 over the limit and 2 short;
    // 7 rows and 4 stage dead letters were eligible; 2 die in rewriting; 1 + 1 leave in stage 2;
    // 1 + 1 in stage 3; 5 parallel.
    assertEquals(List.of(16L, 14L, 11L, 9L, 7L, 5L, 5L), new ArrayList<>(f.values()));
  }

  @Test
  void countsNeverRiseFromOneStageToTheNext() {
    // Before, eligible counted rows only, so stage dead letters were subtracted from a count that
    // never held them: rewritten 3, then parallel 5.
    Map<String, Long> f = Funnel.of(Map.of("parallel", 5L), Map.of("Rewrite:teacher_error", 2L));
    long previous = Long.MAX_VALUE;
    for (long v : f.values()) {
      assertTrue(v <= previous, f.toString());
      previous = v;
    }
    assertEquals(5L, f.get("rewritten_with_valid_group"));
    assertEquals(7L, f.get("eligible_for_rewrite"));
  }
}
