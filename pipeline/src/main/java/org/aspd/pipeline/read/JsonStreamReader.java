package org.aspd.pipeline.read;

import com.fasterxml.jackson.core.JsonParseException;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.JsonNode;
import java.io.ByteArrayInputStream;
import java.io.CharConversionException;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.SequenceInputStream;

/**
 * Streams JSON arrays of records ({@code [{...}, {...}]}, AlpacaEval's layout) and sequences of
 * pretty-printed objects with Jackson's streaming parser: one record in memory at a time.
 *
 * <p>A syntax error inside an array costs only its element: the element is found by bracket depth
 * from the last good record ({@link ArrayElementScanner}), dead-lettered (or read, when it is whole
 * and only its separator was wrong), and the stream resumes after it. Before, everything from the
 * error to the end of the file went into one dead letter cut at 1 MiB. Where no element can be
 * found (a file cut short, an error outside an array), the rest of the file is one dead letter.
 */
final class JsonStreamReader {
  /** Resumptions per file; a file that needs more is broken beyond recovery. */
  private static final int MAX_RESUMES = 10_000;
  /** How a dead letter says its input is the rest of a file, not one record. */
  static final String REST_OF_FILE = "; records from here to the end of the file are not read";

  private JsonStreamReader() {}

  /** Reads every record of {@code file} into {@code sink}; returns the number of records seen. */
  static long read(SourceFile file, RecordSink sink) throws IOException {
    try (Spool spool = new Spool(file)) {
      return read(file, spool, sink);
    }
  }

  /** {@code file} names the records; {@code spool} gives its bytes (spooled after a first error). */
  private static long read(SourceFile file, Spool spool, RecordSink sink) throws IOException {
    String name = file.idName();
    long index = 0;
    long start = 0; // byte offset where this pass starts reading
    boolean insideArray = false; // this pass resumes inside an array: its "[" is supplied
    for (int pass = 0; ; pass++) {
      long resumeAt = start; // byte offset just after the last record read whole
      boolean inArray = insideArray;
      try (InputStream in = openAt(spool.content(), start, insideArray);
          JsonParser parser = Json.MAPPER.getFactory().createParser(in)) {
        long shift = start - (insideArray ? 1 : 0); // parser offsets -> file offsets
        try {
          for (JsonToken root = parser.nextToken(); root != null; root = parser.nextToken()) {
            boolean array = root == JsonToken.START_ARRAY;
            inArray = array;
            JsonToken token = array ? parser.nextToken() : root;
            while (token != null && token != JsonToken.END_ARRAY) {
              JsonNode record = Json.MAPPER.readTree(parser);
              String raw = record.toString();
              RecordMapper.emit(record, file.path() + "#" + index, name + "#" + index, raw, sink);
              index++;
              resumeAt = shift + parser.currentLocation().getByteOffset();
              token = array ? parser.nextToken() : null;
            }
            if (array && token == null) {
              throw new JsonParseException(parser, "file ends inside a JSON array");
            }
            inArray = false;
            resumeAt = shift + parser.currentLocation().getByteOffset();
          }
          return index;
        } catch (IOException e) {
          boolean resumable = inArray && e instanceof JsonParseException && pass < MAX_RESUMES;
          ArrayElementScanner.Element bad = resumable ? ArrayElementScanner.next(spool.afterError(), resumeAt) : null;
          if (bad == null) {
            broken(file, spool.content(), index, resumeAt, e, sink);
            return index + 1;
          }
          skipElement(file, index, name, bad, e, sink);
          index++;
          start = bad.resumeAt();
          insideArray = !bad.arrayEnded();
        }
      }
    }
  }

  /** The file from {@code offset}; inside an array, behind a "[" so the rest parses as one. */
  private static InputStream openAt(SourceFile file, long offset, boolean insideArray) throws IOException {
    InputStream in = file.open();
    try {
      in.skipNBytes(offset);
    } catch (EOFException e) {
      in.close();
      throw new JsonParseException(null, "file ends at byte " + offset);
    }
    return insideArray ? new SequenceInputStream(new ByteArrayInputStream(new byte[] {'['}), in) : in;
  }

  /**
   * The element the parser stopped in: read on its own it may be a whole record whose separator was
   * the fault (a missing comma), which is kept; otherwise it is a dead letter with its own text.
   */
  private static void skipElement(SourceFile file, long index, String name, ArrayElementScanner.Element bad,
      IOException e, RecordSink sink) throws IOException {
    String text = bad.text();
    String source = file.path() + "#" + index;
    try {
      JsonNode alone = Json.parseOne(text);
      if (alone != null && alone.isObject()) {
        RecordMapper.emit(alone, source, name + "#" + index, text, sink);
        return;
      }
    } catch (JsonProcessingException | RuntimeException notWhole) {
      // a broken element: dead-lettered below
    }
    sink.failure(DeadLetters.of(Reason.MALFORMED_JSON, "record #" + index + " (bytes " + bad.start() + " to "
        + bad.end() + ") is not valid JSON: " + String.valueOf(e.getMessage()).replace('\n', ' ')
        + "; the records after it are read", name + "#" + index, source, text));
  }

  private static void broken(SourceFile file, SourceFile content, long index, long resumeAt, IOException e,
      RecordSink sink) {
    String reason;
    if (e instanceof CharConversionException || String.valueOf(e.getMessage()).contains("Invalid UTF-8")) {
      reason = Reason.INVALID_UTF8;
    } else if (e instanceof JsonProcessingException) {
      reason = Reason.MALFORMED_JSON;
    } else {
      reason = Reason.UNREADABLE_FILE;
    }
    String input;
    try {
      input = content.text(resumeAt, DeadLetters.MAX_INPUT_CHARS);
    } catch (IOException again) {
      input = "";
    }
    sink.failure(
        DeadLetters.of(
            reason,
            "stream broken at record #" + index + ": " + String.valueOf(e.getMessage()).replace('\n', ' ')
                + REST_OF_FILE + " (input is the file from byte "
                + resumeAt + ", at most " + DeadLetters.MAX_INPUT_CHARS + " bytes)",
            "",
            file.path() + "#" + index,
            input));
  }
}
