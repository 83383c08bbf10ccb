package org.aspd.metrics;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Samples that reach each stage, in pipeline order (method §3.5), from the rows' statuses and the
 * dead letters by {@code Stage:reason}. A sample dead-lettered by a stage reached it, so it counts
 * there and leaves the funnel right after: every count is at most the one before. The whole run's
 * {@code stats.json} and every shard's footer use it; a shard holds rows only, so summed over the
 * shards each count is the run's less the dead letters of samples that got that far.
 */
public final class Funnel {
  /** Stages 1 to 4 and what comes after them: a dead letter there was eligible for rewriting. */
  private static final List<String> AFTER_PREFILTER =
      List.of("Rewrite", "VerifyIndependence", "CheckIntegrity", "SelectCandidate");

  private Funnel() {}

  public static Map<String, Long> of(Map<String, Long> statuses, Map<String, Long> deadLetters) {
    long rows = statuses.values().stream().mapToLong(Long::longValue).sum();
    long dead = deadLetters.values().stream().mapToLong(Long::longValue).sum();
    long deadInStages = AFTER_PREFILTER.stream().mapToLong(stage -> at(deadLetters, stage)).sum();
    Map<String, Long> f = new LinkedHashMap<>();
    f.put("read", rows + dead);
    f.put("valid_unique", rows + dead - at(deadLetters, "ReadSamples") - at(deadLetters, "DeduplicateIds"));
    long eligible = rows - count(statuses, "serial_short") - count(statuses, "serial_fallback:over_limit")
        + deadInStages;
    f.put("eligible_for_rewrite", eligible);
    long noCandidate = count(statuses, "serial_fallback:not_parallel") + count(statuses, "serial_fallback:rewrite")
        + count(statuses, "serial_fallback:annotation") + count(statuses, "serial_fallback:structure")
        + count(statuses, "serial_fallback:no_candidate");
    long rewritten = eligible - noCandidate - at(deadLetters, "Rewrite");
    f.put("rewritten_with_valid_group", rewritten);
    long independent = rewritten - count(statuses, "serial_fallback:independence") - at(deadLetters, "VerifyIndependence");
    f.put("independent_group", independent);
    long integral = independent - count(statuses, "serial_fallback:format") - count(statuses, "serial_fallback:answer")
        - at(deadLetters, "CheckIntegrity");
    f.put("integrity_passed", integral);
    f.put("parallel", count(statuses, "parallel"));
    return f;
  }

  private static long count(Map<String, Long> statuses, String status) {
    return statuses.getOrDefault(status, 0L);
  }

  private static long at(Map<String, Long> deadLetters, String stage) {
    return deadLetters.entrySet().stream().filter(e -> e.getKey().startsWith(stage + ":"))
        .mapToLong(Map.Entry::getValue).sum();
  }
}
