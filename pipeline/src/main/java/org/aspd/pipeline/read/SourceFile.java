package org.aspd.pipeline.read;

import java.io.BufferedInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.channels.Channels;
import java.nio.channels.ReadableByteChannel;
import java.nio.channels.SeekableByteChannel;
import java.nio.charset.StandardCharsets;
import org.apache.beam.sdk.io.FileSystems;
import org.apache.beam.sdk.io.fs.ResourceId;

/**
 * One input file, opened through Beam's {@link FileSystems} so that local paths and any registered
 * filesystem (gs://, s3://, hdfs://) read the same way. {@link #open} decompresses a gzip, bzip2 or
 * Zstandard file ({@link Compressed}); {@link #channel} gives the bytes as they are stored.
 */
record SourceFile(String path, String idPrefix) {
  SourceFile(String path) {
    this(path, "");
  }

  /** What made-up ids of this file's records start from: its folder below the scanned one and its name. */
  String idName() {
    return idPrefix + name();
  }

  ResourceId resource() {
    return FileSystems.matchNewResource(path, false);
  }

  /** The last path segment; derived ids use it so they do not depend on where the data lives. */
  String name() {
    String name = resource().getFilename();
    return name == null ? path : name;
  }

  /** {@link #name} without a compression suffix, lower case: what the format is told by. */
  String dataName() {
    return Compressed.dataName(name());
  }

  /** The bytes as stored: Parquet reads these (it compresses its own pages, and seeks). */
  ReadableByteChannel channel() throws IOException {
    return FileSystems.open(resource());
  }

  /** The content, decompressed when the file's first bytes say it is compressed. */
  InputStream open() throws IOException {
    InputStream raw = new BufferedInputStream(Channels.newInputStream(channel()), 1 << 16);
    try {
      raw.mark(Compressed.MAGIC_BYTES);
      byte[] head = raw.readNBytes(Compressed.MAGIC_BYTES);
      raw.reset();
      return Compressed.of(head).decompress(raw);
    } catch (IOException | RuntimeException e) {
      raw.close();
      throw e;
    }
  }

  Compressed compression() throws IOException {
    try (InputStream raw = Channels.newInputStream(channel())) {
      return Compressed.of(raw.readNBytes(Compressed.MAGIC_BYTES));
    }
  }

  /**
   * Up to {@code maxBytes} bytes of the content from {@code offset}, decoded leniently: the raw text
   * of a dead letter when a file cannot be parsed record by record.
   */
  String text(long offset, int maxBytes) throws IOException {
    if (compression() != Compressed.NONE) {
      try (InputStream in = open()) {
        in.skipNBytes(offset); // no seeking in a compressed stream
        return new String(in.readNBytes(maxBytes), StandardCharsets.UTF_8);
      } catch (EOFException e) {
        return "";
      }
    }
    try (ReadableByteChannel channel = channel()) {
      long skip = offset;
      if (channel instanceof SeekableByteChannel seekable) {
        seekable.position(offset);
        skip = 0;
      }
      ByteBuffer buffer = ByteBuffer.allocate(maxBytes);
      ByteBuffer discard = ByteBuffer.allocate(1 << 16);
      while (skip > 0) {
        discard.clear().limit((int) Math.min(discard.capacity(), skip));
        int n = channel.read(discard);
        if (n < 0) {
          return "";
        }
        skip -= n;
      }
      while (buffer.hasRemaining() && channel.read(buffer) >= 0) {
        // read until full or at the end
      }
      return new String(buffer.array(), 0, buffer.position(), StandardCharsets.UTF_8);
    }
  }
}
