package org.aspd.pipeline.read;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.JsonNode;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;

/**
 * Decides how to read a file from its name (without a compression suffix) and its first bytes, once
 * decompressed: Parquet by extension or magic number; JSON by the first non-blank character,
 * {@code [} meaning a streamed array (whatever the extension) and {@code {} meaning JSON Lines when
 * the first line is a whole object, else a stream of pretty-printed objects.
 */
final class FormatDetector {
  enum Format {
    JSON_LINES,
    JSON_STREAM,
    PARQUET,
    EMPTY,
    UNKNOWN
  }

  /** The format and, for the log, the shape of the first record. */
  record Detection(Format format, String shape) {}

  private static final int PEEK_BYTES = 1 << 12;

  private FormatDetector() {}

  static Detection detect(SourceFile file) throws IOException {
    String name = file.dataName();
    byte[] head = head(file);
    if (name.endsWith(".parquet") || startsWith(head, "PAR1")) {
      Compressed compression = file.compression();
      return compression == Compressed.NONE ? new Detection(Format.PARQUET, "")
          : new Detection(Format.UNKNOWN, "Parquet compressed with " + compression + ", which cannot be read in place"
              + " (Parquet compresses its own pages and is read by seeking); decompress the file");
    }
    int first = firstNonBlank(head);
    if (first < 0) {
      return head.length < PEEK_BYTES
          ? new Detection(Format.EMPTY, "")
          : new Detection(Format.UNKNOWN, "no content in the first " + PEEK_BYTES + " bytes");
    }
    if (head[first] == '[') {
      return new Detection(Format.JSON_STREAM, "JSON array of " + firstStreamedShape(file));
    }
    if (head[first] != '{') {
      String archive = startsWith(head, "PK\u0003\u0004") ? "a zip archive"
          : startsWith(head, "\u00FD7zXZ\u0000") ? "xz-compressed" : null;
      return new Detection(Format.UNKNOWN, archive == null ? "starts with neither '[' nor '{'"
          : archive + ", which is not read (gzip, bzip2 and zstd are)");
    }
    JsonNode firstLine = firstLine(file);
    if (firstLine != null && firstLine.isObject()) {
      return new Detection(Format.JSON_LINES, RecordMapper.describe(firstLine));
    }
    if (name.endsWith(".jsonl") || name.endsWith(".ndjson")) {
      return new Detection(Format.JSON_LINES, "first line malformed");
    }
    return new Detection(Format.JSON_STREAM, "JSON objects spanning lines, " + firstStreamedShape(file));
  }

  /**
   * Up to {@link #PEEK_BYTES} bytes of content. A file that breaks within them (a cut compressed
   * file) is told by what came before the break; the reader then keeps those records and reports the
   * break. A break before any content is an error.
   */
  private static byte[] head(SourceFile file) throws IOException {
    ByteArrayOutputStream head = new ByteArrayOutputStream();
    try (InputStream in = file.open()) {
      byte[] buffer = new byte[PEEK_BYTES];
      for (int n; head.size() < PEEK_BYTES && (n = in.read(buffer, 0, PEEK_BYTES - head.size())) > 0; ) {
        head.write(buffer, 0, n);
      }
    } catch (IOException e) {
      if (firstNonBlank(head.toByteArray()) < 0) throw e;
    }
    return head.toByteArray();
  }

  private static JsonNode firstLine(SourceFile file) throws IOException {
    try (InputStream in = file.open()) {
      Utf8Lines lines = new Utf8Lines(in);
      for (Utf8Lines.Line line = lines.next(); line != null; line = lines.next()) {
        if (line.problem() != null) {
          return null;
        }
        if (!line.text().isBlank()) {
          try {
            return Json.parseOne(line.text());
          } catch (IOException e) {
            return null;
          }
        }
      }
    }
    return null;
  }

  private static String firstStreamedShape(SourceFile file) {
    try (InputStream in = file.open();
        JsonParser parser = Json.MAPPER.getFactory().createParser(in)) {
      JsonToken token = parser.nextToken();
      if (token == JsonToken.START_ARRAY) {
        token = parser.nextToken();
      }
      return token == null || token == JsonToken.END_ARRAY
          ? "no records"
          : RecordMapper.describe(Json.MAPPER.readTree(parser));
    } catch (IOException e) {
      return "a malformed first record";
    }
  }

  private static int firstNonBlank(byte[] head) {
    int i = startsWith(head, "\u00EF\u00BB\u00BF") ? 3 : 0; // skip a UTF-8 byte order mark
    for (; i < head.length; i++) {
      if (!Character.isWhitespace(head[i])) {
        return i;
      }
    }
    return -1;
  }

  private static boolean startsWith(byte[] head, String latin1) {
    if (head.length < latin1.length()) {
      return false;
    }
    for (int i = 0; i < latin1.length(); i++) {
      if ((head[i] & 0xFF) != latin1.charAt(i)) {
        return false;
      }
    }
    return true;
  }
}
