package org.aspd.pipeline.read;

import java.io.IOException;
import java.util.List;
import org.apache.beam.sdk.coders.SerializableCoder;
import org.apache.beam.sdk.coders.StringUtf8Coder;
import org.apache.beam.sdk.metrics.Metrics;
import org.apache.beam.sdk.transforms.Create;
import org.apache.beam.sdk.transforms.Flatten;
import org.apache.beam.sdk.transforms.PTransform;
import org.apache.beam.sdk.transforms.ParDo;
import org.apache.beam.sdk.transforms.Reshuffle;
import org.apache.beam.sdk.values.PBegin;
import org.apache.beam.sdk.values.PCollection;
import org.apache.beam.sdk.values.PCollectionList;
import org.apache.beam.sdk.values.PCollectionTuple;
import org.apache.beam.sdk.values.TupleTag;
import org.apache.beam.sdk.values.TupleTagList;
import org.aspd.model.DeadLetter;
import org.aspd.model.Sample;

/**
 * Reads serial answers from files, globs and directories (JSON Lines, OpenAI/ShareGPT chat, Alpaca,
 * AlpacaEval JSON arrays, FastChat benchmark folders, Parquet) into {@link #SAMPLES}; every record
 * that cannot become a sample, and every path or file that cannot be read, goes to
 * {@link #FAILURES} with its raw input, so rows in = samples + failures.
 *
 * <p>Counters ({@code ReadSamples} namespace): {@code samples}, {@code failures},
 * {@code failed_<reason>}, {@code files_read}, {@code files_skipped}, {@code files_past_limit}.
 */
public final class ReadSamples extends PTransform<PBegin, PCollectionTuple> {
  public static final String STAGE = DeadLetters.STAGE;
  public static final TupleTag<Sample> SAMPLES = new TupleTag<>("samples") {};
  public static final TupleTag<DeadLetter> FAILURES = new TupleTag<>("failures") {};
  /** Files a directory or glob scan passed over, each as {@code path (reason)}: not inputs, not failures. */
  public static final TupleTag<String> SKIPPED = new TupleTag<>("skipped") {};

  private static final TupleTag<InputUnit> UNITS = new TupleTag<>("units") {};

  private final List<String> paths;
  private final long limit;

  private ReadSamples(List<String> paths, long limit) {
    super(STAGE);
    this.paths = List.copyOf(paths);
    this.limit = limit;
  }

  /** Paths may be files, globs or directories on any Beam filesystem. */
  public static ReadSamples from(List<String> paths) {
    if (paths.isEmpty()) {
      throw new IllegalArgumentException("ReadSamples needs at least one input path");
    }
    if (paths.stream().anyMatch(String::isBlank)) {
      // An empty path resolves to the working directory, whose whole tree would be read.
      throw new IllegalArgumentException("an --input path is empty");
    }
    return new ReadSamples(paths, 0);
  }

  /**
   * Refuses a run none of whose inputs exists, before the job starts: it would finish "DONE" with
   * nothing but not-found dead letters. Some missing inputs are dead letters of a run that goes on.
   */
  public static void requireSomeInput(List<String> paths) {
    for (String path : paths) {
      try {
        if (InputExpander.expand(path).found()) return;
      } catch (IOException | RuntimeException e) {
        return; // unreadable, not absent: the job reports it as a dead letter
      }
    }
    throw new IllegalArgumentException("no input found: nothing matches " + String.join(", ", paths));
  }

  /**
   * Reads only the first {@code records} input records (samples and dead letters), in the order of
   * the paths and of the files within each (sorted); 0 reads everything. The shares of the files are
   * found when the pipeline is built, by reading up to that many records ({@link RecordLimits}).
   */
  public ReadSamples withLimit(long records) {
    if (records < 0) throw new IllegalArgumentException("the record limit must be 0 (none) or more, not " + records);
    return new ReadSamples(paths, records);
  }

  @Override
  public PCollectionTuple expand(PBegin begin) {
    PCollectionTuple expanded =
        begin
            // Under a limit a path given twice is read once: the shares are planned per path.
            .apply("InputPaths", Create.of(limit == 0 ? paths : paths.stream().distinct().toList())
                .withCoder(StringUtf8Coder.of()))
            .apply(
                "ExpandInputs",
                ParDo.of(new ExpandInputsFn(UNITS, FAILURES, SKIPPED,
                        limit == 0 ? RecordLimits.NONE : RecordLimits.plan(paths.stream().distinct().toList(), limit),
                        InputExpander.idPrefixes(paths)))
                    .withOutputTags(UNITS, TupleTagList.of(FAILURES).and(SKIPPED)));
    PCollectionTuple read =
        expanded
            .get(UNITS)
            .setCoder(SerializableCoder.of(InputUnit.class))
            // Spread files over workers: expansion happens on one worker per input path.
            .apply("SpreadFiles", Reshuffle.viaRandomKey())
            .apply(
                "ReadFiles",
                ParDo.of(new ReadInputFn(SAMPLES, FAILURES)).withOutputTags(SAMPLES, TupleTagList.of(FAILURES)));
    PCollection<DeadLetter> failures =
        PCollectionList.of(expanded.get(FAILURES).setCoder(deadLetterCoder()))
            .and(read.get(FAILURES).setCoder(deadLetterCoder()))
            .apply("AllFailures", Flatten.pCollections());
    return PCollectionTuple.of(SAMPLES, read.get(SAMPLES).setCoder(SerializableCoder.of(Sample.class)))
        .and(FAILURES, failures)
        .and(SKIPPED, expanded.get(SKIPPED).setCoder(StringUtf8Coder.of()));
  }

  static SerializableCoder<DeadLetter> deadLetterCoder() {
    return SerializableCoder.of(DeadLetter.class);
  }

  static void countFailure(DeadLetter failure) {
    Metrics.counter(ReadSamples.class, "failures").inc();
    Metrics.counter(ReadSamples.class, "failed_" + failure.reason()).inc();
  }
}
