package org.aspd.pipeline.read;

import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.channels.Channels;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import org.apache.beam.sdk.io.Compression;

/**
 * How an input file's bytes are compressed, told by its first bytes whatever its name: gzip, bzip2
 * or Zstandard, the ways JSON datasets are shipped. Decompression streams, so a compressed file
 * takes no more memory than a plain one; several concatenated members (gzip), streams (bzip2) or
 * frames (zstd) read as one.
 *
 * <p>A broken file (an interrupted download, bytes after the last member) fails where its data
 * ends, and what came before is kept: gzip exactly ({@link GzipMembers}); bzip2 and zstd through
 * decoders that drop what a failing read had decoded, so they are read in small pieces
 * ({@value #SALVAGE_READ_BYTES} bytes) and at most that much before the break is lost. zstd data is
 * followed frame by frame ({@link ZstdFrameCheck}) because its decoder can miss a cut.
 */
enum Compressed {
  NONE(null, new byte[0]),
  GZIP(null, new byte[] {0x1f, (byte) 0x8b}), // read by GzipMembers
  BZIP2(Compression.BZIP2, new byte[] {'B', 'Z', 'h'}),
  ZSTD(Compression.ZSTD, new byte[] {0x28, (byte) 0xb5, 0x2f, (byte) 0xfd});

  /** Bytes {@link #of} needs to see. */
  static final int MAGIC_BYTES = 4;
  /** Name suffixes a compressed data file may carry after its format's (answers.jsonl.gz). */
  static final List<String> SUFFIXES = List.of(".gz", ".gzip", ".bz2", ".zst", ".zstd");
  /** The most a bzip2 or zstd read asks for: what a break may cost before it. */
  static final int SALVAGE_READ_BYTES = 1024;

  /** Beam's decoder, for bzip2 and zstd. */
  private final Compression beam;
  private final byte[] magic;

  Compressed(Compression beam, byte[] magic) {
    this.beam = beam;
    this.magic = magic;
  }

  /** The compression whose magic number {@code head} starts with; NONE for anything else. */
  static Compressed of(byte[] head) {
    for (Compressed c : List.of(GZIP, BZIP2, ZSTD)) {
      if (head.length >= c.magic.length && Arrays.equals(head, 0, c.magic.length, c.magic, 0, c.magic.length)) {
        return c;
      }
    }
    return NONE;
  }

  /** {@code in}'s content, decompressed; {@code in} itself for NONE. */
  InputStream decompress(InputStream in) throws IOException {
    return switch (this) {
      case NONE -> in;
      case GZIP -> new GzipMembers(in);
      case BZIP2 -> new SmallReads(beamDecompressed(in));
      case ZSTD -> new SmallReads(beamDecompressed(new ZstdFrameCheck(in)));
    };
  }

  private InputStream beamDecompressed(InputStream in) throws IOException {
    return Channels.newInputStream(beam.readDecompressed(Channels.newChannel(in)));
  }

  /** Caps each read, so a decoder that fails mid-read loses at most one cap's worth of output. */
  private static final class SmallReads extends FilterInputStream {
    SmallReads(InputStream in) {
      super(in);
    }

    @Override
    public int read(byte[] b, int off, int len) throws IOException {
      return in.read(b, off, Math.min(len, SALVAGE_READ_BYTES));
    }
  }

  /** The name without a compression suffix, in lower case: {@code Answers.JSONL.gz} gives answers.jsonl. */
  static String dataName(String name) {
    return withoutSuffix(name).toLowerCase(Locale.ROOT);
  }

  /** The name without a compression suffix (told apart in any case), its own case kept. */
  static String withoutSuffix(String name) {
    String lower = name.toLowerCase(Locale.ROOT);
    for (String suffix : SUFFIXES) {
      if (lower.endsWith(suffix)) {
        return name.substring(0, name.length() - suffix.length());
      }
    }
    return name;
  }
}
