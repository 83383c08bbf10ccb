package org.aspd.pipeline.read;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.github.luben.zstd.Zstd;
import com.github.luben.zstd.ZstdOutputStream;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * {@link ZstdFrameCheck} over the frame shapes zstd writes: single-segment frames with their content
 * size (one-shot compression), streamed frames with and without a checksum, RLE and raw blocks,
 * skippable frames. Whole data decodes to its content; data cut inside a frame fails; data cut
 * between frames reads as the frames before the cut.
 */
class ZstdFrameCheckTest {
  private record Frame(byte[] bytes, byte[] content) {}

  private static byte[] text(int lines, long seed) {
    Random random = new Random(seed);
    StringBuilder s = new StringBuilder();
    for (int i = 0; i < lines; i++) s.append("{\"id\":").append(i).append(",\"v\":").append(random.nextLong()).append("}\n");
    return s.toString().getBytes(StandardCharsets.UTF_8);
  }

  private static byte[] randomBytes(int n) {
    byte[] b = new byte[n];
    new Random(7).nextBytes(b); // incompressible: raw blocks
    return b;
  }

  private static Frame streamed(byte[] content, boolean checksum) throws IOException {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    try (ZstdOutputStream z = new ZstdOutputStream(out)) {
      z.setChecksum(checksum);
      z.write(content);
    }
    return new Frame(out.toByteArray(), content);
  }

  private static Frame skippable(int payload) {
    byte[] b = new byte[8 + payload];
    b[0] = 0x5A; b[1] = 0x2A; b[2] = 0x4D; b[3] = 0x18; // magic 0x184D2A5A, little-endian
    b[4] = (byte) payload;
    b[5] = (byte) (payload >>> 8);
    return new Frame(b, new byte[0]);
  }

  private static List<Frame> frames() throws IOException {
    byte[] small = text(40, 1);
    return List.of(
        new Frame(Zstd.compress(small, 3), small), // single segment, content size in the header
        streamed(text(9000, 2), true), // several blocks, checksum
        skippable(300),
        streamed("a".repeat(400_000).getBytes(StandardCharsets.US_ASCII), false), // RLE blocks
        streamed(randomBytes(200_000), true), // raw blocks
        new Frame(Zstd.compress(new byte[0], 3), new byte[0])); // an empty frame
  }

  private static byte[] decode(byte[] data) throws IOException {
    try (InputStream in = Compressed.ZSTD.decompress(new ByteArrayInputStream(data))) {
      return in.readAllBytes();
    }
  }

  @Test
  void everyFrameShapeDecodesWholeAndFailsWhenCutInside() throws IOException {
    List<Frame> frames = frames();
    ByteArrayOutputStream all = new ByteArrayOutputStream();
    ByteArrayOutputStream content = new ByteArrayOutputStream();
    List<Integer> boundaries = new ArrayList<>(List.of(0));
    List<byte[]> contentAt = new ArrayList<>(List.of(new byte[0]));
    for (Frame f : frames) {
      all.write(f.bytes());
      content.write(f.content());
      boundaries.add(all.size());
      contentAt.add(content.toByteArray());
    }
    byte[] data = all.toByteArray();
    assertArrayEquals(content.toByteArray(), decode(data));

    Random random = new Random(11);
    List<Integer> cuts = new ArrayList<>();
    for (int b : boundaries) for (int d = -5; d <= 5; d++) cuts.add(b + d);
    for (int i = 0; i < 300; i++) cuts.add(1 + random.nextInt(data.length - 1));
    int inside = 0;
    for (int cut : cuts) {
      if (cut <= 0 || cut >= data.length) continue;
      byte[] head = java.util.Arrays.copyOf(data, cut);
      int frame = boundaries.indexOf(cut);
      if (frame >= 0) {
        assertArrayEquals(contentAt.get(frame), decode(head), "cut between frames at " + cut);
      } else {
        inside++;
        IOException e = assertThrows(IOException.class, () -> decode(head), "cut inside a frame at byte " + cut);
        assertTrue(e.getMessage() != null, "a message for the cut at " + cut);
      }
    }
    assertTrue(inside > 300, inside + " cuts inside frames");
  }

  @Test
  void dataThatIsNotZstdIsRefused() {
    IOException e = assertThrows(IOException.class,
        () -> decode(new byte[] {0x28, (byte) 0xB5, 0x2F, (byte) 0xFD, 0, 0, 0, 0, 0, 1, 2, 3, 4, 5, 6, 7}));
    assertTrue(e.getMessage() != null);
  }
}
