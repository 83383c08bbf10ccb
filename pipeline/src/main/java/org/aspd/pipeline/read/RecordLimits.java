package org.aspd.pipeline.read;

import java.io.IOException;
import java.io.Serializable;
import java.util.HashMap;
import java.util.List;
import org.aspd.model.DeadLetter;
import org.aspd.model.Sample;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * How many records each input unit contributes under {@code --limit N}: the first N records of the
 * inputs, in the order of the paths and of the sorted files within each. Planned where the pipeline
 * is built, by reading the units in that order until N records are seen (so the plan costs about
 * reading N records); the job then reads each unit up to its share, on any worker, and the units
 * after the N-th record not at all. A path that cannot be listed here contributes nothing; the job
 * dead-letters it as without a limit.
 */
final class RecordLimits implements Serializable {
  private static final Logger LOG = LoggerFactory.getLogger(RecordLimits.class);

  /** Every unit read whole. */
  static final RecordLimits NONE = new RecordLimits(null);

  /** Unit key to its share; null for no limit. Units missing from it contribute nothing. */
  private final HashMap<String, Long> shares;

  private RecordLimits(HashMap<String, Long> shares) {
    this.shares = shares;
  }

  /** @param paths the input paths, each given once (a unit's share is keyed by its path and its own) */
  static RecordLimits plan(List<String> paths, long limit) {
    HashMap<String, Long> shares = new HashMap<>();
    long remaining = limit;
    int units = 0;
    for (String path : paths) {
      List<InputUnit> expanded;
      try {
        expanded = InputExpander.expand(path).units();
      } catch (IOException | RuntimeException e) {
        continue;
      }
      for (InputUnit unit : expanded) {
        units++;
        if (remaining == 0) continue;
        long read = SampleFileReader.read(unit.withLimit(remaining), DISCARD);
        shares.put(key(path, unit), read);
        remaining -= read;
      }
    }
    LOG.info("--limit {}: {} records from {} of {} input files", limit, limit - remaining,
        shares.values().stream().filter(n -> n > 0).count(), units);
    return new RecordLimits(shares);
  }

  /**
   * The share of a unit of an input path: {@link InputUnit#NO_LIMIT} without a limit, 0 for a unit not
   * read. Keyed by the path too, so a file under two paths (a folder and the file in it) is planned
   * and read as the two units it is.
   */
  long of(String path, InputUnit unit) {
    if (shares == null) return InputUnit.NO_LIMIT;
    return shares.getOrDefault(key(path, unit), 0L);
  }

  private static String key(String path, InputUnit unit) {
    return path + "\u0000" + unit.path() + "\u0000" + unit.questionPath();
  }

  private static final RecordSink DISCARD = new RecordSink() {
    @Override
    public void sample(Sample sample) {}

    @Override
    public void failure(DeadLetter failure) {}
  };
}
