package org.aspd.pipeline.read;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.zip.CRC32;
import java.util.zip.Deflater;
import java.util.zip.GZIPOutputStream;
import org.junit.jupiter.api.Test;

/**
 * {@link GzipMembers}: members as the JDK writes them and one with every optional header field;
 * the content decodes whole; a cut anywhere fails, except between members, and everything
 * delivered before the failure is a prefix of the content.
 */
class GzipMembersTest {
  private record Member(byte[] bytes, byte[] content) {}

  private static byte[] text(int lines, long seed) {
    Random random = new Random(seed);
    StringBuilder s = new StringBuilder();
    for (int i = 0; i < lines; i++) s.append("{\"id\":").append(i).append(",\"v\":").append(random.nextLong()).append("}\n");
    return s.toString().getBytes(StandardCharsets.UTF_8);
  }

  private static Member jdk(byte[] content) throws IOException {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    try (GZIPOutputStream z = new GZIPOutputStream(out)) {
      z.write(content);
    }
    return new Member(out.toByteArray(), content);
  }

  /** A member with FEXTRA, FNAME, FCOMMENT and FHCRC set, as gzip tools may write it. */
  private static Member everyHeaderField(byte[] content) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    out.writeBytes(new byte[] {0x1f, (byte) 0x8b, 8, 4 | 8 | 16 | 2, 0, 0, 0, 0, 0, 3});
    out.writeBytes(new byte[] {5, 0, 'a', 'b', 'c', 'd', 'e'}); // FEXTRA: length 5
    out.writeBytes("answers.jsonl\0".getBytes(StandardCharsets.US_ASCII));
    out.writeBytes("a comment\0".getBytes(StandardCharsets.US_ASCII));
    out.writeBytes(new byte[] {0x12, 0x34}); // FHCRC (not checked by gzip readers either)
    Deflater deflater = new Deflater(Deflater.DEFAULT_COMPRESSION, true);
    deflater.setInput(content);
    deflater.finish();
    byte[] buffer = new byte[4096];
    while (!deflater.finished()) out.write(buffer, 0, deflater.deflate(buffer));
    deflater.end();
    CRC32 crc = new CRC32();
    crc.update(content);
    for (long v : new long[] {crc.getValue(), content.length}) {
      for (int i = 0; i < 4; i++) out.write((int) (v >>> (8 * i)) & 0xFF);
    }
    return new Member(out.toByteArray(), content);
  }

  /** What the reader delivers, and the exception that ended it (null at a clean end). */
  private record Read(byte[] delivered, IOException failure) {}

  private static Read read(byte[] data) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    try (InputStream in = new GzipMembers(new ByteArrayInputStream(data))) {
      byte[] buffer = new byte[1 << 16];
      for (int n; (n = in.read(buffer)) > 0; ) out.write(buffer, 0, n);
      return new Read(out.toByteArray(), null);
    } catch (IOException e) {
      return new Read(out.toByteArray(), e);
    }
  }

  @Test
  void membersDecodeWholeAndACutFailsAfterDeliveringEveryByteBeforeIt() throws IOException {
    List<Member> members = List.of(jdk(text(3000, 1)), everyHeaderField(text(50, 2)), jdk(new byte[0]), jdk(text(400, 3)));
    ByteArrayOutputStream all = new ByteArrayOutputStream();
    ByteArrayOutputStream content = new ByteArrayOutputStream();
    List<Integer> boundaries = new ArrayList<>();
    List<byte[]> contentAt = new ArrayList<>();
    for (Member m : members) {
      all.writeBytes(m.bytes());
      content.writeBytes(m.content());
      boundaries.add(all.size());
      contentAt.add(content.toByteArray());
    }
    byte[] data = all.toByteArray();
    Read whole = read(data);
    assertEquals(null, whole.failure());
    assertArrayEquals(content.toByteArray(), whole.delivered());

    Random random = new Random(5);
    List<Integer> cuts = new ArrayList<>();
    for (int b : boundaries) for (int d = -12; d <= 12; d++) cuts.add(b + d);
    for (int i = 0; i < 300; i++) cuts.add(1 + random.nextInt(data.length - 1));
    byte[] full = content.toByteArray();
    for (int cut : cuts) {
      if (cut <= 0 || cut >= data.length) continue;
      Read r = read(Arrays.copyOf(data, cut));
      int member = boundaries.indexOf(cut);
      if (member >= 0) {
        assertEquals(null, r.failure(), "cut between members at " + cut);
        assertArrayEquals(contentAt.get(member), r.delivered(), "cut between members at " + cut);
      } else {
        assertTrue(r.failure() != null, "cut inside a member at byte " + cut);
        assertArrayEquals(Arrays.copyOf(full, r.delivered().length), r.delivered(), "a prefix before the cut at " + cut);
      }
    }
  }

  @Test
  void garbageAfterAMemberAndAWrongChecksumAreErrors() throws IOException {
    byte[] member = jdk(text(10, 4)).bytes();
    byte[] garbage = Arrays.copyOf(member, member.length + 3);
    garbage[member.length] = 'x';
    IOException after = assertThrows(IOException.class, () -> drain(garbage));
    assertTrue(after.getMessage().contains("are not another member"), after.getMessage());
    byte[] badCrc = member.clone();
    badCrc[badCrc.length - 8] ^= 1;
    IOException crc = assertThrows(IOException.class, () -> drain(badCrc));
    assertTrue(crc.getMessage().contains("does not match its checksum or length"), crc.getMessage());
  }

  private static void drain(byte[] data) throws IOException {
    try (InputStream in = new GzipMembers(new ByteArrayInputStream(data))) {
      in.readAllBytes();
    }
  }
}
