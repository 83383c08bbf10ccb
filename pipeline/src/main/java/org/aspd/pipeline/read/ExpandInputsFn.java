package org.aspd.pipeline.read;

import java.io.IOException;
import org.apache.beam.sdk.metrics.Metrics;
import org.apache.beam.sdk.transforms.DoFn;
import org.apache.beam.sdk.values.TupleTag;
import org.aspd.model.DeadLetter;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Expands each input path into reading units at run time (so a job on a cluster lists the files
 * where it runs); a path that matches nothing or cannot be listed becomes a dead letter. Under a
 * {@link RecordLimits record limit}, each unit gets its share and units past the limit are not read.
 * Files a scan passes over (hidden, not data, the same file again through a link) are listed with
 * the reason on the skipped output, for the statistics.
 */
class ExpandInputsFn extends DoFn<String, InputUnit> {
  private static final Logger LOG = LoggerFactory.getLogger(ExpandInputsFn.class);

  private final TupleTag<InputUnit> units;
  private final TupleTag<DeadLetter> failures;
  private final TupleTag<String> skippedFiles;
  private final RecordLimits limits;
  /** What each input's made-up ids start with ({@link InputExpander#idPrefixes}). */
  private final java.util.HashMap<String, String> idPrefixes;

  ExpandInputsFn(TupleTag<InputUnit> units, TupleTag<DeadLetter> failures, TupleTag<String> skippedFiles,
      RecordLimits limits, java.util.Map<String, String> idPrefixes) {
    this.units = units;
    this.failures = failures;
    this.skippedFiles = skippedFiles;
    this.limits = limits;
    this.idPrefixes = new java.util.HashMap<>(idPrefixes);
  }

  @ProcessElement
  public void processElement(@Element String path, MultiOutputReceiver out) {
    DeadLetter failure;
    try {
      InputExpander.Expansion expansion = InputExpander.expand(path);
      for (String skipped : expansion.skipped()) {
        LOG.info("skipped {}", skipped);
        Metrics.counter(ReadSamples.class, "files_skipped").inc();
        out.get(skippedFiles).output(skipped);
      }
      for (InputUnit unit : expansion.units()) {
        long limit = limits.of(path, unit);
        InputUnit named = unit.withIdsUnder(idPrefixes.getOrDefault(path, ""));
        if (limit > 0) {
          out.get(units).output(limit == InputUnit.NO_LIMIT ? named : named.withLimit(limit));
        } else {
          Metrics.counter(ReadSamples.class, "files_past_limit").inc();
        }
      }
      if (expansion.found()) {
        return;
      }
      failure = DeadLetters.of(Reason.NOT_FOUND, "no file or directory matches this path", "", path, path);
    } catch (IOException | RuntimeException e) {
      failure = DeadLetters.of(Reason.UNREADABLE_FILE, "cannot list the input: " + e, "", path, path);
    }
    LOG.warn("{}: {}", path, failure.detail());
    ReadSamples.countFailure(failure);
    out.get(failures).output(failure);
  }
}
