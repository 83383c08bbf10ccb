package org.aspd.pipeline.read;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import org.apache.beam.sdk.Pipeline;
import org.apache.beam.sdk.PipelineResult;
import org.apache.beam.sdk.metrics.MetricNameFilter;
import org.apache.beam.sdk.metrics.MetricResult;
import org.apache.beam.sdk.metrics.MetricsFilter;
import org.apache.beam.sdk.options.PipelineOptionsFactory;
import org.apache.beam.sdk.transforms.DoFn;
import org.apache.beam.sdk.transforms.ParDo;
import org.apache.beam.sdk.values.PCollectionTuple;
import org.aspd.model.DeadLetter;
import org.aspd.model.Sample;

/**
 * Runs {@link ReadSamples} on the DirectRunner and collects its outputs in memory. (PAssert needs
 * JUnit 4 and Hamcrest, which this module's test classpath does not have.)
 */
final class ReadRun {
  private static final Map<String, Queue<Object>> COLLECTED = new ConcurrentHashMap<>();

  final List<Sample> samples;
  final List<DeadLetter> failures;
  final List<String> skipped;
  private final PipelineResult result;

  private ReadRun(List<Sample> samples, List<DeadLetter> failures, List<String> skipped, PipelineResult result) {
    this.samples = samples;
    this.failures = failures;
    this.skipped = skipped;
    this.result = result;
  }

  static ReadRun of(String... paths) {
    return of(0, paths);
  }

  /** @param limit {@link ReadSamples#withLimit} */
  static ReadRun of(long limit, String... paths) {
    Pipeline pipeline = Pipeline.create(PipelineOptionsFactory.fromArgs("--runner=DirectRunner").create());
    PCollectionTuple out = pipeline.apply(ReadSamples.from(List.of(paths)).withLimit(limit));
    String key = UUID.randomUUID().toString();
    out.get(ReadSamples.SAMPLES).apply("CollectSamples", ParDo.of(new CollectFn<>(key + "/samples")));
    out.get(ReadSamples.FAILURES).apply("CollectFailures", ParDo.of(new CollectFn<>(key + "/failures")));
    out.get(ReadSamples.SKIPPED).apply("CollectSkipped", ParDo.of(new CollectFn<>(key + "/skipped")));
    PipelineResult result = pipeline.run();
    result.waitUntilFinish();
    return new ReadRun(take(key + "/samples"), take(key + "/failures"), take(key + "/skipped"), result);
  }

  long counter(String name) {
    long total = 0;
    for (MetricResult<Long> c :
        result.metrics()
            .queryMetrics(MetricsFilter.builder().addNameFilter(MetricNameFilter.named(ReadSamples.class, name)).build())
            .getCounters()) {
      total += c.getAttempted();
    }
    return total;
  }

  Sample sample(String id) {
    return samples.stream().filter(s -> s.id().equals(id)).findFirst().orElseThrow(() -> new AssertionError("no sample " + id));
  }

  List<String> reasons() {
    return failures.stream().map(DeadLetter::reason).sorted().toList();
  }

  @SuppressWarnings("unchecked")
  private static <T> List<T> take(String key) {
    Queue<Object> queue = COLLECTED.remove(key);
    return queue == null ? List.of() : new ArrayList<>((Queue<T>) (Queue<?>) queue);
  }

  private static final class CollectFn<T> extends DoFn<T, Void> {
    private final String key;

    CollectFn(String key) {
      this.key = key;
    }

    @ProcessElement
    public void processElement(@Element T element) {
      COLLECTED.computeIfAbsent(key, k -> new ConcurrentLinkedQueue<>()).add(element);
    }
  }
}
