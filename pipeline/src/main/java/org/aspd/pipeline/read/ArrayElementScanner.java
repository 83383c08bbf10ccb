package org.aspd.pipeline.read;

import java.io.ByteArrayOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;

/**
 * Finds the next element of a JSON array by bracket depth, strings and escapes respected, without
 * parsing it: where a reader resumes after an element that does not parse. UTF-8 never puts an
 * ASCII byte inside a multi-byte character, so the structure is read byte by byte.
 */
final class ArrayElementScanner {
  /** Bytes of an element's text kept (for its dead letter and a second parse); the scan goes on past it. */
  private static final int MAX_KEPT = 4 * DeadLetters.MAX_INPUT_CHARS;

  /**
   * @param start byte offset of the element
   * @param end byte offset just after it
   * @param resumeAt where reading goes on: the next element, or after the array's "]"
   * @param arrayEnded whether the array closed right after the element
   */
  record Element(long start, long end, long resumeAt, boolean arrayEnded, String text) {}

  private ArrayElementScanner() {}

  /**
   * The element after byte {@code from} (just after the last good record, before its comma); null
   * when there is none: the array ends there, or the file ends inside the element.
   */
  static Element next(SourceFile file, long from) throws IOException {
    try (InputStream raw = file.open()) {
      try {
        raw.skipNBytes(from);
      } catch (EOFException e) {
        return null;
      }
      Reader in = new Reader(raw, from);
      int c = in.skipWhitespace();
      if (c == ',') {
        in.read();
        c = in.skipWhitespace();
      }
      if (c < 0 || c == ']') return null;
      long start = in.position;
      ByteArrayOutputStream text = new ByteArrayOutputStream();
      int depth = 0;
      boolean inString = false;
      boolean escaped = false;
      while (true) {
        c = in.peek();
        if (c < 0) return null; // the file ends inside the element
        if (!inString && depth == 0 && (c == ',' || c == ']') && in.position > start) break;
        in.read();
        if (text.size() < MAX_KEPT) text.write(c);
        if (inString) {
          if (escaped) escaped = false;
          else if (c == '\\') escaped = true;
          else if (c == '"') inString = false;
        } else if (c == '"') {
          inString = true;
        } else if (c == '{' || c == '[') {
          depth++;
        } else if (c == '}' || c == ']') {
          depth--;
          if (depth <= 0) break; // the element's own closing bracket
        }
      }
      long end = in.position;
      c = in.skipWhitespace();
      boolean arrayEnded = c == ']' || c < 0;
      if (c == ',' || c == ']') in.read();
      return new Element(start, end, in.position, arrayEnded, text.toString(StandardCharsets.UTF_8));
    }
  }

  /** One byte of look-ahead over a stream, with the absolute offset of the next byte. */
  private static final class Reader {
    private final InputStream in;
    private long position;
    private int peeked = -2;

    Reader(InputStream in, long position) {
      this.in = in;
      this.position = position;
    }

    int peek() throws IOException {
      if (peeked == -2) peeked = in.read();
      return peeked;
    }

    int read() throws IOException {
      int c = peek();
      peeked = -2;
      if (c >= 0) position++;
      return c;
    }

    int skipWhitespace() throws IOException {
      int c = peek();
      while (c == ' ' || c == '\n' || c == '\r' || c == '\t') {
        read();
        c = peek();
      }
      return c;
    }
  }
}
