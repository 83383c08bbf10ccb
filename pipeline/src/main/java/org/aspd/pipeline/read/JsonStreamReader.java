package org.aspd.pipeline.read;

import com.fasterxml.jackson.core.JsonParseException;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.JsonNode;
import java.io.CharConversionException;
import java.io.IOException;
import java.io.InputStream;

/**
 * Streams JSON arrays of records ({@code [{...}, {...}]}, AlpacaEval's layout) and sequences of
 * pretty-printed objects with Jackson's streaming parser: one record in memory at a time.
 *
 * <p>Unlike JSON Lines, a syntax error here leaves no safe place to resume, so the reader stops at
 * it and dead-letters the rest of the file from the last good record on.
 */
final class JsonStreamReader {
  private JsonStreamReader() {}

  /** Reads every record of {@code file} into {@code sink}; returns the number of records seen. */
  static long read(SourceFile file, RecordSink sink) throws IOException {
    String name = file.idName();
    long index = 0;
    long resumeAt = 0; // byte offset just after the last record read whole
    try (InputStream in = file.open();
        JsonParser parser = Json.MAPPER.getFactory().createParser(in)) {
      try {
        for (JsonToken root = parser.nextToken(); root != null; root = parser.nextToken()) {
          boolean array = root == JsonToken.START_ARRAY;
          JsonToken token = array ? parser.nextToken() : root;
          while (token != null && token != JsonToken.END_ARRAY) {
            JsonNode record = Json.MAPPER.readTree(parser);
            String raw = record.toString();
            RecordMapper.emit(record, file.path() + "#" + index, name + "#" + index, raw, sink);
            index++;
            resumeAt = parser.currentLocation().getByteOffset();
            token = array ? parser.nextToken() : null;
          }
          if (array && token == null) {
            throw new JsonParseException(parser, "file ends inside a JSON array");
          }
        }
      } catch (IOException e) {
        index++;
        broken(file, index - 1, resumeAt, e, sink);
      }
    }
    return index;
  }

  private static void broken(SourceFile file, long index, long resumeAt, IOException e, RecordSink sink) {
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
      input = file.text(resumeAt, DeadLetters.MAX_INPUT_CHARS);
    } catch (IOException again) {
      input = "";
    }
    sink.failure(
        DeadLetters.of(
            reason,
            "stream broken at record #" + index + ": " + String.valueOf(e.getMessage()).replace('\n', ' ')
                + "; records from here to the end of the file are not read (input is the file from byte "
                + resumeAt + ", at most " + DeadLetters.MAX_INPUT_CHARS + " bytes)",
            "",
            file.path() + "#" + index,
            input));
  }
}
