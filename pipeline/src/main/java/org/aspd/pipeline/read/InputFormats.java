package org.aspd.pipeline.read;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import java.io.IOException;
import java.io.InputStream;
import java.nio.channels.ReadableByteChannel;
import java.nio.channels.SeekableByteChannel;
import java.util.List;
import org.apache.parquet.hadoop.ParquetFileReader;
import org.aspd.model.DeadLetter;
import org.aspd.model.Sample;

/**
 * Plain-Java look at the inputs before a job starts: how many records they hold, for the CLI's
 * progress estimate. Counts are what {@link ReadSamples} will see as rows (samples + failures),
 * give or take broken records; nothing here parses records, so it is much cheaper than reading.
 */
public final class InputFormats {
  private InputFormats() {}

  /** Records in all {@code paths} (files, globs, directories); unreadable inputs count as 0. */
  public static long countRecords(List<String> paths) {
    long total = 0;
    for (String path : paths) {
      try {
        for (InputUnit unit : InputExpander.expand(path).units()) {
          total += countRecords(unit);
        }
      } catch (IOException | RuntimeException e) {
        // An estimate: the job itself reports the path as a dead letter.
      }
    }
    return total;
  }

  private static long countRecords(InputUnit unit) {
    SourceFile file = new SourceFile(unit.path());
    try {
      if (unit.isFastChat()) {
        return countLines(file);
      }
      return switch (FormatDetector.detect(file).format()) {
        case JSON_LINES -> countLines(file);
        case JSON_STREAM -> countStreamed(file);
        case PARQUET -> countRows(file);
        case EMPTY -> 0;
        case UNKNOWN -> 1; // one dead letter
      };
    } catch (IOException | RuntimeException e) {
      return 1; // one dead letter
    }
  }

  /**
   * Non-blank lines, by a byte scan without decoding. A compressed file cut short counts the lines
   * before the cut and one dead letter for the cut, as the job reads it (it counted as 1 record, and
   * the progress read "99 rows of 20 done").
   */
  static long countLines(SourceFile file) throws IOException {
    long lines = 0;
    boolean content = false;
    byte[] buffer = new byte[1 << 16];
    try (InputStream in = file.open()) {
      try {
        for (int n = in.read(buffer); n > 0; n = in.read(buffer)) {
          for (int i = 0; i < n; i++) {
            byte b = buffer[i];
            if (b == '\n') {
              lines += content ? 1 : 0;
              content = false;
            } else if (b != ' ' && b != '\t' && b != '\r') {
              content = true;
            }
          }
        }
      } catch (IOException cut) {
        return lines + (content ? 1 : 0) + 1;
      }
    }
    return lines + (content ? 1 : 0);
  }

  private static long countStreamed(SourceFile file) throws IOException {
    long records = 0;
    try (InputStream in = file.open();
        JsonParser parser = Json.MAPPER.getFactory().createParser(in)) {
      for (JsonToken root = parser.nextToken(); root != null; root = parser.nextToken()) {
        if (root != JsonToken.START_ARRAY) {
          parser.skipChildren();
          records++;
          continue;
        }
        for (JsonToken t = parser.nextToken(); t != null && t != JsonToken.END_ARRAY; t = parser.nextToken()) {
          parser.skipChildren();
          records++;
        }
      }
    } catch (IOException e) {
      // A syntax error: the job reads on past a broken array element, so count the way it reads.
      return countAsRead(file);
    }
    return records;
  }

  /** Samples plus dead letters, read exactly as the job reads the file (slower: every record is parsed). */
  private static long countAsRead(SourceFile file) throws IOException {
    long[] emitted = new long[1];
    JsonStreamReader.read(file, new RecordSink() {
      @Override
      public void sample(Sample s) {
        emitted[0]++;
      }

      @Override
      public void failure(DeadLetter d) {
        emitted[0]++;
      }
    });
    return emitted[0];
  }

  private static long countRows(SourceFile file) throws IOException {
    try (ReadableByteChannel channel = file.channel()) {
      if (!(channel instanceof SeekableByteChannel seekable)) {
        return 1;
      }
      try (ParquetFileReader reader = ParquetFileReader.open(new ChannelInputFile(seekable))) {
        return reader.getRecordCount();
      }
    }
  }
}
