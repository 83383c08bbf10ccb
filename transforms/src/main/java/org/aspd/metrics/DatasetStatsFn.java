package org.aspd.metrics;

import org.apache.beam.sdk.transforms.Combine;

/**
 * Combines stats events into one {@link DatasetStats}; the accumulator grows only with the number
 * of distinct sources, models and categories, never with the number of rows.
 */
public class DatasetStatsFn extends Combine.CombineFn<StatsEvent, DatasetStats, DatasetStats> {
  @Override
  public DatasetStats createAccumulator() {
    return new DatasetStats();
  }

  @Override
  public DatasetStats addInput(DatasetStats acc, StatsEvent input) {
    acc.add(input);
    return acc;
  }

  @Override
  public DatasetStats mergeAccumulators(Iterable<DatasetStats> accumulators) {
    DatasetStats merged = new DatasetStats();
    for (DatasetStats a : accumulators) {
      merged.merge(a);
    }
    return merged;
  }

  @Override
  public DatasetStats extractOutput(DatasetStats acc) {
    return acc;
  }
}
