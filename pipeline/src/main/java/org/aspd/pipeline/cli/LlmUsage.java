package org.aspd.pipeline.cli;

import java.io.PrintStream;
import java.util.Map;
import java.util.TreeMap;
import org.apache.beam.sdk.PipelineResult;
import org.apache.beam.sdk.metrics.MetricNameFilter;
import org.apache.beam.sdk.metrics.MetricQueryResults;
import org.apache.beam.sdk.metrics.MetricResult;
import org.apache.beam.sdk.metrics.MetricsFilter;

/**
 * What the LLM teacher spent, per stage and model, from the job's counters (namespace {@code llm},
 * kept by the teacher's usage ledger): printed after a run, so calls, cost, cache hits and unreadable
 * replies are seen, not only counted.
 */
public final class LlmUsage {
  private LlmUsage() {}

  public static void print(PipelineResult result, PrintStream out) {
    Map<String, Map<String, Long>> byModel = new TreeMap<>();
    try {
      MetricQueryResults metrics = result.metrics().queryMetrics(
          MetricsFilter.builder().addNameFilter(MetricNameFilter.inNamespace("llm")).build());
      for (MetricResult<Long> c : metrics.getCounters()) {
        String name = c.getName().getName();
        int slash = name.lastIndexOf('/');
        if (slash < 0) continue;
        byModel.computeIfAbsent(name.substring(0, slash), k -> new TreeMap<>())
            .merge(name.substring(slash + 1), value(c), Long::sum);
      }
    } catch (RuntimeException e) {
      return; // a runner without metrics: nothing to say
    }
    for (Map.Entry<String, Map<String, Long>> e : byModel.entrySet()) {
      Map<String, Long> v = e.getValue();
      out.printf(java.util.Locale.ROOT, "llm %s: %d calls paid, %d from the cache, %d tokens in, %d out, $%.4f, %d unreadable%n",
          e.getKey(), v.getOrDefault("calls", 0L), v.getOrDefault("cache_hits", 0L), v.getOrDefault("tokens_in", 0L),
          v.getOrDefault("tokens_out", 0L), v.getOrDefault("cost_micro_usd", 0L) / 1e6, v.getOrDefault("unparsable", 0L));
    }
  }

  private static long value(MetricResult<Long> c) {
    try {
      Long committed = c.getCommitted();
      return committed == null ? c.getAttempted() : committed;
    } catch (UnsupportedOperationException e) {
      return c.getAttempted();
    }
  }
}
