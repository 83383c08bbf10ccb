package org.aspd.pipeline.cli;

import java.util.concurrent.CompletableFuture;
import org.apache.beam.sdk.PipelineResult;
import org.apache.beam.sdk.metrics.MetricNameFilter;
import org.apache.beam.sdk.metrics.MetricQueryResults;
import org.apache.beam.sdk.metrics.MetricResult;
import org.apache.beam.sdk.metrics.MetricsFilter;
import org.aspd.pipeline.AspdOptions;
import org.aspd.pipeline.read.InputFormats;

/**
 * Prints progress every few seconds while a non-blocking runner works: rows finished, the rate
 * over the last interval and, once the inputs have been counted (in the background, without
 * parsing records), an ETA. Runners that block in {@code run()} have already finished when this
 * is called, so it prints nothing for them.
 */
final class Progress {
  private static final long INTERVAL_MS = 5000;

  private Progress() {}

  static void follow(PipelineResult result, AspdOptions options) {
    CompletableFuture<Long> total = CompletableFuture.supplyAsync(() -> {
      long records = InputFormats.countRecords(options.getInput());
      return options.getLimit() > 0 ? Math.min(records, options.getLimit()) : records;
    });
    long start = System.nanoTime();
    long lastDone = 0;
    long lastTime = start;
    try {
      while (!result.getState().isTerminal()) {
        PipelineResult.State state = result.waitUntilFinish(org.joda.time.Duration.millis(INTERVAL_MS));
        if (state != null && state.isTerminal()) {
          return;
        }
        long now = System.nanoTime();
        long done = finished(result);
        double rate = (done - lastDone) / Math.max((now - lastTime) / 1e9, 1e-9);
        double meanRate = done / Math.max((now - start) / 1e9, 1e-9);
        long all = total.isDone() ? total.getNow(0L) : 0;
        String of = all > 0 ? " of " + all : "";
        String eta = all > done && meanRate > 0 ? String.format(", ETA %.0f s", (all - done) / meanRate) : "";
        System.err.printf("aspd: %d rows%s done, %.0f rows/s%s%n", done, of, rate, eta);
        lastDone = done;
        lastTime = now;
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
