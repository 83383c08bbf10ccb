package org.aspd.pipeline.read;

import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CoderResult;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;

/**
 * Splits a byte stream into lines and decodes each line strictly as UTF-8.
 *
 * <p>Lines are split on raw {@code \n} bytes before decoding (a {@code \n} byte never occurs inside
 * a UTF-8 multi-byte sequence), so one bad byte costs one line, not the rest of the file; a
 * {@code Reader} would either replace the bad bytes silently or fail the whole stream. Memory is one
 * chunk plus the longest line, capped at {@link #MAX_LINE_BYTES}: longer lines are reported, not kept.
 */
final class Utf8Lines {
  /** Far above any real answer (a 2 MB answer is fine); below it the JVM heap is the limit. */
  static final int MAX_LINE_BYTES = 64 << 20;

  private static final int CHUNK = 1 << 16;
  private static final int SHRINK_ABOVE = 8 << 20;

  /**
   * One line. {@code problem} is null for a good line, else a {@link Reason} code with a
   * {@code detail}; a bad line's {@code text} is decoded with U+FFFD replacements and cut to the
   * first {@link DeadLetters#MAX_INPUT_CHARS} bytes when too long, for the dead letter.
   */
  record Line(long number, String text, String problem, String detail) {}

  private final InputStream in;
  private final int maxLineBytes;
  private final byte[] chunk = new byte[CHUNK];
  private final CharsetDecoder decoder =
      StandardCharsets.UTF_8
          .newDecoder()
          .onMalformedInput(CodingErrorAction.REPORT)
          .onUnmappableCharacter(CodingErrorAction.REPORT);
  private int pos;
  private int limit;
  private byte[] line = new byte[1024];
  private int lineLength;
  private long number;

  Utf8Lines(InputStream in) {
    this(in, MAX_LINE_BYTES);
  }

  Utf8Lines(InputStream in, int maxLineBytes) {
    this.in = in;
    this.maxLineBytes = maxLineBytes;
  }

  /** The next line without its terminator ({@code \n} or {@code \r\n}), or null at the end. */
  Line next() throws IOException {
    if (line.length > SHRINK_ABOVE) {
      line = new byte[1024]; // do not hold on to the buffer of one huge line for the whole file
    }
    lineLength = 0;
    long totalBytes = 0;
    boolean sawAny = false;
    while (true) {
      if (pos == limit) {
        limit = in.read(chunk);
        pos = 0;
        if (limit <= 0) {
          limit = 0;
          if (!sawAny) {
            return null;
          }
          break;
        }
      }
      sawAny = true;
      int newline = indexOfNewline(pos, limit);
      int end = newline < 0 ? limit : newline;
      append(pos, end - pos);
      totalBytes += end - pos;
      pos = newline < 0 ? limit : newline + 1;
      if (newline >= 0) {
        break;
      }
    }
    number++;
    int start = 0;
    if (number == 1 && lineLength >= 3 && (line[0] & 0xFF) == 0xEF && (line[1] & 0xFF) == 0xBB
        && (line[2] & 0xFF) == 0xBF) {
      start = 3; // a UTF-8 byte order mark is an encoding marker, not content
    }
    int length = lineLength - start;
    if (totalBytes == lineLength && length > 0 && line[start + length - 1] == '\r') {
      length--;
    }
    if (totalBytes > lineLength) {
      return new Line(
          number,
          lenient(start, Math.min(length, DeadLetters.MAX_INPUT_CHARS)),
          Reason.LINE_TOO_LONG,
          "line has " + totalBytes + " bytes, more than the " + maxLineBytes + " a reader keeps");
    }
    return decode(start, length);
  }

  private Line decode(int start, int length) {
    ByteBuffer bytes = ByteBuffer.wrap(line, start, length);
    CharBuffer chars = CharBuffer.allocate(length); // UTF-8 never decodes to more chars than bytes
    decoder.reset();
    CoderResult result = decoder.decode(bytes, chars, true);
    if (!result.isError()) {
      result = decoder.flush(chars);
    }
    if (result.isError()) {
      int offset = bytes.position() - start;
      StringBuilder hex = new StringBuilder();
      for (int i = 0; i < result.length() && start + offset + i < start + length; i++) {
        hex.append(String.format(" 0x%02X", line[start + offset + i] & 0xFF));
      }
      return new Line(
          number,
          lenient(start, Math.min(length, DeadLetters.MAX_INPUT_CHARS)),
          Reason.INVALID_UTF8,
          "malformed UTF-8 byte sequence" + hex + " at byte " + offset
              + " of the line (input shows undecodable bytes as U+FFFD)");
    }
    chars.flip();
    return new Line(number, chars.toString(), null, null);
  }

  private String lenient(int start, int length) {
    return new String(line, start, length, StandardCharsets.UTF_8);
  }

  private int indexOfNewline(int from, int to) {
    for (int i = from; i < to; i++) {
      if (chunk[i] == '\n') {
        return i;
      }
    }
    return -1;
  }

  private void append(int from, int count) {
    int keep = Math.min(count, maxLineBytes - lineLength);
    if (keep <= 0) {
      return;
    }
    if (lineLength + keep > line.length) {
      int grown = (int) Math.min((long) maxLineBytes, Math.max(lineLength + keep, 2L * line.length));
      line = java.util.Arrays.copyOf(line, grown);
    }
    System.arraycopy(chunk, from, line, lineLength, keep);
    lineLength += keep;
  }
}
