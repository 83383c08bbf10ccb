package org.aspd.pipeline.regenerate;

import org.apache.beam.sdk.coders.Coder;
import org.apache.beam.sdk.coders.CoderRegistry;
import org.apache.beam.sdk.transforms.Combine;
import org.aspd.pipeline.DuplicateIdHashesFn;

/**
 * Counts elements per {@link Tally} in one global combine: exact numbers written next to the release
 * for validation, unlike metrics, which a runner may report as attempts (retries included).
 */
final class CountsFn extends Combine.CombineFn<Integer, long[], long[]> {

  /** What is counted; each element of a counted collection contributes its tally's ordinal. */
  enum Tally {
    SAMPLES_READ, READ_FAILURES, DUPLICATE_IDS, UNCHANGED_SAMPLES, COMPUTED_SAMPLES, STAGE_FAILURES,
    COMPUTED_ROWS, PREVIOUS_ROWS, CARRIED_ROWS;

    String key() {
      return name().toLowerCase(java.util.Locale.ROOT);
    }
  }

  @Override
  public long[] createAccumulator() {
    return new long[Tally.values().length];
  }

  @Override
  public long[] addInput(long[] acc, Integer tally) {
    acc[tally]++;
    return acc;
  }

  @Override
  public long[] mergeAccumulators(Iterable<long[]> accumulators) {
    long[] sum = createAccumulator();
    for (long[] a : accumulators) {
      for (int i = 0; i < sum.length; i++) {
        sum[i] += a[i];
      }
    }
    return sum;
  }

  @Override
  public long[] extractOutput(long[] acc) {
    return acc;
  }

  @Override
  public Coder<long[]> getAccumulatorCoder(CoderRegistry registry, Coder<Integer> inputCoder) {
    return new DuplicateIdHashesFn.LongArrayCoder();
  }

  @Override
  public Coder<long[]> getDefaultOutputCoder(CoderRegistry registry, Coder<Integer> inputCoder) {
    return new DuplicateIdHashesFn.LongArrayCoder();
  }
}
