package org.aspd.pipeline.read;

import java.io.EOFException;
import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.util.Locale;

/**
 * Follows the frames of Zstandard data as the decoder reads it (RFC 8878: frame header, block
 * headers, checksum; skippable frames) and fails when the data ends inside a frame. zstd-jni reports
 * a truncated file only when the break falls in a later read of its input than the end of the frame
 * before; otherwise the broken frame's tail is dropped without a word (seen with zstd-jni 1.5.0 to
 * 1.5.7 on a file of two frames cut in the second). Headers are parsed; content is counted, not decoded.
 */
final class ZstdFrameCheck extends FilterInputStream {
  private static final int FRAME_MAGIC = 0xFD2FB528;
  private static final int SKIPPABLE_MAGIC = 0x184D2A50; // low four bits free

  /** What the next bytes are. CHECKSUM is only entered: it becomes SKIP of 4 bytes. */
  private enum Part { MAGIC, DESCRIPTOR, BLOCK_HEADER, SKIPPABLE_SIZE, CHECKSUM, SKIP }

  private Part part = Part.MAGIC;
  /** Bytes of the current header field read so far, and their little-endian value. */
  private int fieldBytes;
  private long field;
  /** Bytes to pass (header fields not needed, block content, checksum), then {@code afterSkip}. */
  private long skip;
  private Part afterSkip;
  private boolean checksum;

  ZstdFrameCheck(InputStream in) {
    super(in);
  }

  @Override
  public int read() throws IOException {
    byte[] one = new byte[1];
    return read(one, 0, 1) <= 0 ? -1 : one[0] & 0xFF;
  }

  @Override
  public int read(byte[] b, int off, int len) throws IOException {
    int n = in.read(b, off, len);
    if (n < 0) {
      if (part != Part.MAGIC || fieldBytes != 0) {
        throw new EOFException("the zstd data ends inside a frame: the file is truncated");
      }
      return n;
    }
    for (int i = off, end = off + n; i < end; ) {
      if (part == Part.SKIP) {
        int take = (int) Math.min(skip, end - i);
        i += take;
        skip -= take;
        if (skip == 0) enter(afterSkip);
      } else {
        header(b[i++] & 0xFF);
      }
    }
    return n;
  }

  @Override
  public long skip(long n) throws IOException {
    byte[] buffer = new byte[(int) Math.min(Math.max(n, 1), 8192)];
    long skipped = 0;
    for (int r; skipped < n && (r = read(buffer, 0, (int) Math.min(buffer.length, n - skipped))) >= 0; ) {
      skipped += r;
    }
    return skipped;
  }

  @Override
  public boolean markSupported() {
    return false;
  }

  private void header(int value) throws IOException {
    field |= (long) value << (8 * fieldBytes++);
    switch (part) {
      case MAGIC -> {
        if (fieldBytes < 4) return;
        int magic = (int) field;
        if (magic == FRAME_MAGIC) {
          enter(Part.DESCRIPTOR);
        } else if ((magic & 0xFFFFFFF0) == SKIPPABLE_MAGIC) {
          enter(Part.SKIPPABLE_SIZE);
        } else {
          throw new IOException(String.format(Locale.ROOT, "corrupt zstd data: 0x%08X where a frame starts", magic));
        }
      }
      case DESCRIPTOR -> {
        int d = (int) field;
        boolean singleSegment = (d & 0x20) != 0;
        checksum = (d & 0x04) != 0;
        int window = singleSegment ? 0 : 1;
        int dictionary = new int[] {0, 1, 2, 4}[d & 3];
        int contentSize = (d >>> 6) == 0 ? (singleSegment ? 1 : 0) : 1 << (d >>> 6);
        skipThen(window + dictionary + contentSize, Part.BLOCK_HEADER);
      }
      case BLOCK_HEADER -> {
        if (fieldBytes < 3) return;
        boolean last = (field & 1) != 0;
        int type = (int) (field >>> 1) & 3;
        if (type == 3) throw new IOException("corrupt zstd data: a block of the reserved type");
        long content = type == 1 ? 1 : field >>> 3; // an RLE block stores its one byte
        skipThen(content, !last ? Part.BLOCK_HEADER : checksum ? Part.CHECKSUM : Part.MAGIC);
      }
      case SKIPPABLE_SIZE -> {
        if (fieldBytes < 4) return;
        skipThen(field, Part.MAGIC);
      }
      default -> throw new IllegalStateException(part.name());
    }
  }

  private void skipThen(long bytes, Part then) {
    if (bytes == 0) {
      enter(then);
    } else {
      skip = bytes;
      afterSkip = then;
      part = Part.SKIP;
    }
  }

  private void enter(Part p) {
    fieldBytes = 0;
    field = 0;
    if (p == Part.CHECKSUM) {
      skipThen(4, Part.MAGIC);
    } else {
      part = p;
    }
  }
}
