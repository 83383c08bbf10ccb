package org.aspd.pipeline.read;

import java.io.IOException;
import org.aspd.model.DeadLetter;
import org.aspd.model.Sample;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Reads one {@link InputUnit} with the reader its detected format calls for, up to the unit's record
 * limit. Whatever goes wrong with the file itself becomes a dead letter here, so the caller never
 * sees an exception.
 */
final class SampleFileReader {
  private static final Logger LOG = LoggerFactory.getLogger(SampleFileReader.class);

  private SampleFileReader() {}

  /** @return the records given to {@code sink} (samples and dead letters) */
  static long read(InputUnit unit, RecordSink sink) {
    CountingSink counted = new CountingSink(sink, unit.limit());
    SourceFile file = new SourceFile(unit.path(), unit.idPrefix());
    try {
      if (unit.isFastChat()) {
        LOG.info("{}: detected FastChat answers, joined with {}", unit.path(), unit.questionPath());
        FastChatReader.read(new SourceFile(unit.questionPath()), file, unit.reportQuestionFailures(), counted);
      } else {
        readDetected(file, counted);
      }
    } catch (LimitReached e) {
      LOG.info("{}: stopped after {} records (--limit)", unit.path(), counted.count);
    } catch (IOException | RuntimeException e) {
      // RuntimeException too: Parquet and Hadoop report corrupt files with unchecked exceptions.
      if (counted.count == counted.limit) {
        return counted.count; // the break lies past the records asked for
      }
      counted.failure(
          DeadLetters.of(
              Reason.UNREADABLE_FILE,
              "cannot read the file after " + counted.count + " records: " + e,
              "",
              unit.path(),
              unit.path()));
    }
    return counted.count;
  }

  private static void readDetected(SourceFile file, RecordSink sink) throws IOException {
    FormatDetector.Detection detection = FormatDetector.detect(file);
    LOG.info(
        "{}: detected {}{}",
        file.path(),
        detection.format(),
        detection.shape().isEmpty() ? "" : ", " + detection.shape());
    switch (detection.format()) {
      case JSON_LINES -> JsonLinesReader.read(file, sink);
      case JSON_STREAM -> JsonStreamReader.read(file, sink);
      case PARQUET -> ParquetRecordReader.read(file, sink);
      case EMPTY -> LOG.warn("{}: empty file, no records", file.path());
      case UNKNOWN -> {
        String head = file.text(0, DeadLetters.MAX_INPUT_CHARS);
        sink.failure(
            DeadLetters.of(
                Reason.UNKNOWN_FORMAT,
                "not JSON Lines, a JSON array or Parquet: " + detection.shape()
                    + " (input is the file's first " + DeadLetters.MAX_INPUT_CHARS + " bytes at most)",
                "",
                file.path(),
                head));
      }
    }
  }

  /**
   * Counts what passed through, for the "after N records" of a file that breaks mid-way, and ends
   * the reading at the first record past the limit: the readers emit through mappers that turn a
   * record's exception into its dead letter, so that record's dead letter is refused too, and the
   * exception reaches {@link #read}.
   */
  private static final class CountingSink implements RecordSink {
    private final RecordSink delegate;
    private final long limit;
    private long count;

    CountingSink(RecordSink delegate, long limit) {
      this.delegate = delegate;
      this.limit = limit;
    }

    @Override
    public void sample(Sample sample) {
      admit();
      delegate.sample(sample);
    }

    @Override
    public void failure(DeadLetter failure) {
      admit();
      delegate.failure(failure);
    }

    private void admit() {
      if (count == limit) throw new LimitReached();
      count++;
    }
  }

  /** Not an error: the unit's limit is reached. Carries no stack trace; it is thrown once per file. */
  private static final class LimitReached extends RuntimeException {
    LimitReached() {
      super("record limit reached", null, false, false);
    }
  }
}
