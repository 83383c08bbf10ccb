package org.aspd.pipeline.read;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.io.InputStream;

/**
 * Reads JSON Lines one line at a time, so a broken line costs that line only. A line holding a JSON
 * array contributes each element as a record ({@code :line#index}).
 */
final class JsonLinesReader {
  private JsonLinesReader() {}

  /** Reads every line of {@code file} into {@code sink}; returns the number of records seen. */
  static long read(SourceFile file, RecordSink sink) throws IOException {
    String name = file.idName();
    long records = 0;
    try (InputStream in = file.open()) {
      Utf8Lines lines = new Utf8Lines(in);
      for (Utf8Lines.Line line = lines.next(); line != null; line = lines.next()) {
        String source = file.path() + ":" + line.number();
        String fallbackId = name + ":" + line.number();
        if (line.problem() != null) {
          records++;
          sink.failure(DeadLetters.of(line.problem(), line.detail(), fallbackId, source, line.text()));
          continue;
        }
        if (line.text().isBlank()) {
          continue; // blank lines separate nothing in JSONL; they are not records
        }
        JsonNode node = parse(line.text(), source, fallbackId, sink);
        if (node == null) {
          records++;
        } else if (node.isArray()) {
          for (int i = 0; i < node.size(); i++, records++) {
            JsonNode element = node.get(i);
            RecordMapper.emit(element, source + "#" + i, fallbackId + "#" + i, element.toString(), sink);
          }
        } else {
          records++;
          RecordMapper.emit(node, source, fallbackId, line.text(), sink);
        }
      }
    }
    return records;
  }

  /**
   * The parsed line, or null after reporting it as malformed under {@code id}: the id its position
   * gives it ("" where the id comes from inside the record), so a mended dead letter reads back as it.
   */
  static JsonNode parse(String text, String source, String id, RecordSink sink) {
    try {
      return Json.parseOne(text);
    } catch (JsonProcessingException e) {
      String where = e.getLocation() == null ? "" : " at column " + e.getLocation().getColumnNr();
      sink.failure(
          DeadLetters.of(Reason.MALFORMED_JSON, e.getOriginalMessage() + where, id, source, text));
      return null;
    }
  }
}
