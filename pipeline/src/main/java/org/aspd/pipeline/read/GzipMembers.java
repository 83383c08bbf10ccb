package org.aspd.pipeline.read;

import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.PushbackInputStream;
import java.util.zip.CRC32;
import java.util.zip.DataFormatException;
import java.util.zip.Inflater;

/**
 * The content of a gzip file of one or more members (RFC 1952), strictly and without losing a byte:
 * each read returns as soon as the inflater gives anything, so all that decodes before a break is
 * delivered first; then the break is an exception. A break is data that ends inside a member (its
 * header, data or trailer), bytes after a member that are not another member, or a CRC or length
 * that does not match. The JDK's GZIPInputStream takes a broken or cut header after a member for the
 * end of the file, and commons-compress drops what a failing read had decoded.
 */
final class GzipMembers extends InputStream {
  private static final int BUFFER = 1 << 16;
  private static final int FHCRC = 2;
  private static final int FEXTRA = 4;
  private static final int FNAME = 8;
  private static final int FCOMMENT = 16;

  private final PushbackInputStream in;
  private final Inflater inflater = new Inflater(true); // raw deflate: the gzip framing is read here
  private final byte[] buffer = new byte[BUFFER];
  private final CRC32 crc = new CRC32();
  /** Bytes of {@link #buffer} last given to the inflater. */
  private int lastFill;
  private long memberBytes;
  private boolean inMember;
  private boolean ended;
  private int members;

  GzipMembers(InputStream in) {
    this.in = new PushbackInputStream(in, BUFFER);
  }

  @Override
  public int read() throws IOException {
    byte[] one = new byte[1];
    return read(one, 0, 1) <= 0 ? -1 : one[0] & 0xFF;
  }

  @Override
  public int read(byte[] b, int off, int len) throws IOException {
    if (len == 0) return 0;
    while (!ended) {
      if (!inMember) {
        if (!header()) {
          ended = true;
          break;
        }
        inMember = true;
      }
      int n;
      try {
        n = inflater.inflate(b, off, len);
      } catch (DataFormatException e) {
        throw new IOException("corrupt gzip data in member " + members + ": " + e.getMessage(), e);
      }
      if (n > 0) {
        crc.update(b, off, n);
        memberBytes += n;
        return n;
      }
      if (inflater.finished()) {
        int remaining = inflater.getRemaining();
        if (remaining > 0) in.unread(buffer, lastFill - remaining, remaining); // the next member's start
        trailer();
        inflater.reset();
        inMember = false;
      } else if (inflater.needsInput()) {
        lastFill = in.read(buffer, 0, buffer.length);
        if (lastFill < 0) throw new EOFException("the gzip data ends inside member " + members + ": the file is truncated");
        inflater.setInput(buffer, 0, lastFill);
      } else if (inflater.needsDictionary()) {
        throw new IOException("corrupt gzip data in member " + members + ": a preset dictionary");
      }
    }
    return -1;
  }

  @Override
  public void close() throws IOException {
    inflater.end();
    in.close();
  }

  /** Reads a member header; false at the end of the file (no byte where a member could start). */
  private boolean header() throws IOException {
    int first = in.read();
    if (first < 0) {
      if (members == 0) throw new EOFException("empty gzip data");
      return false;
    }
    members++;
    int second = in.read();
    if (first != 0x1f || second != 0x8b) {
      throw new IOException(members == 1 ? "not gzip data"
          : "bytes after gzip member " + (members - 1) + " are not another member: the file is corrupt");
    }
    int method = must(in.read());
    int flags = must(in.read());
    if (method != 8) throw new IOException("gzip member " + members + " uses compression method " + method + ", not deflate");
    skip(6); // modification time, extra flags, operating system
    if ((flags & FEXTRA) != 0) skip(must(in.read()) | must(in.read()) << 8);
    if ((flags & FNAME) != 0) while (must(in.read()) != 0) {}
    if ((flags & FCOMMENT) != 0) while (must(in.read()) != 0) {}
    if ((flags & FHCRC) != 0) skip(2);
    crc.reset();
    memberBytes = 0;
    return true;
  }

  private void trailer() throws IOException {
    long expectedCrc = 0;
    long expectedSize = 0;
    for (int i = 0; i < 4; i++) expectedCrc |= (long) must(in.read()) << (8 * i);
    for (int i = 0; i < 4; i++) expectedSize |= (long) must(in.read()) << (8 * i);
    if (expectedCrc != crc.getValue() || expectedSize != (memberBytes & 0xFFFFFFFFL)) {
      throw new IOException("gzip member " + members + " does not match its checksum or length: the file is corrupt");
    }
  }

  private void skip(int n) throws IOException {
    for (int i = 0; i < n; i++) must(in.read());
  }

  private int must(int b) throws EOFException {
    if (b < 0) throw new EOFException("the gzip data ends inside member " + members + ": the file is truncated");
    return b;
  }
}
