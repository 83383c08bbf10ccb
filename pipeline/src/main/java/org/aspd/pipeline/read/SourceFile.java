package org.aspd.pipeline.read;

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
 * filesystem (gs://, s3://, hdfs://) read the same way.
 */
record SourceFile(String path) {
  ResourceId resource() {
    return FileSystems.matchNewResource(path, false);
  }

  /** The last path segment; derived ids use it so they do not depend on where the data lives. */
  String name() {
    String name = resource().getFilename();
    return name == null ? path : name;
  }

  ReadableByteChannel channel() throws IOException {
    return FileSystems.open(resource());
  }

  InputStream open() throws IOException {
    return Channels.newInputStream(channel());
  }

  /**
   * Up to {@code maxBytes} bytes from {@code offset}, decoded leniently: the raw text of a dead
   * letter when a file cannot be parsed record by record.
   */
  String text(long offset, int maxBytes) throws IOException {
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
