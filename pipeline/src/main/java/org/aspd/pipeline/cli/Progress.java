package org.aspd.pipeline.cli;

import org.apache.beam.sdk.PipelineResult;
import org.apache.beam.sdk.metrics.MetricNameFilter;
import org.apache.beam.sdk.metrics.MetricQueryResults;
import org.apache.beam.sdk.metrics.MetricResult;
import org.apache.beam.sdk.metrics.MetricsFilter;
import org.aspd.pipeline.AspdOptions;

/**
 * Prints progress every few seconds while a non-blocking runner works: rows finished, rate and,
 * when the input size is known, an ETA. Runners that block in {@code run()} have already finished
 * when this is called, so it prints nothing for them.
 */
final class Progress {
  private static final long INTERVAL_MS = 5000;

  private Progress() {}

  static void follow(PipelineResult result, AspdOptions options) {
    long total = InputSize.estimate(options.getInput());
    long start = System.nanoTime();
    try {
      while (!result.getState().isTerminal()) {
        PipelineResult.State state = result.waitUntilFinish(org.joda.time.Duration.millis(INTERVAL_MS));
        if (state != null && state.isTerminal()) {
          return;
        }
        long done = finished(result);
        double seconds = (System.nanoTime() - start) / 1e9;
        double rate = done / Math.max(seconds, 1e-9);
        String eta = total > 0 && rate > 0 && done < total
            ? String.format(", ETA %.0f s", (total - done) / rate) : "";
        String of = total > 0 ? " of ~" + total : "";
        System.err.printf("aspd: %d rows%s done (%.0f rows/s)%s%n", done, of, rate, eta);
      }
    } catch (UnsupportedOperationException e) {
      // A runner without live metrics: nothing to report until the end.
    }
  }

  private static long finished(PipelineResult result) {
    MetricQueryResults metrics = result.metrics().queryMetrics(MetricsFilter.builder()
        .addNameFilter(MetricNameFilter.inNamespace("SelectCandidate")).build());
    long sum = 0;
    for (MetricResult<Long> c : metrics.getCounters()) {
      sum += c.getAttempted();
    }
    return sum;
  }
}
