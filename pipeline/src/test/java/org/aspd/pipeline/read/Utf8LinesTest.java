package org.aspd.pipeline.read;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class Utf8LinesTest {
  private static List<Utf8Lines.Line> lines(byte[] bytes, int max) throws IOException {
    Utf8Lines reader = new Utf8Lines(new ByteArrayInputStream(bytes), max);
    List<Utf8Lines.Line> lines = new ArrayList<>();
    for (Utf8Lines.Line l = reader.next(); l != null; l = reader.next()) {
      lines.add(l);
    }
    return lines;
  }

  @Test
  void splitsOnNewlinesDropsCrAndBomKeepsLastLineWithoutNewline() throws IOException {
    byte[] bytes = "\uFEFFa\r\n\nb é\nlast".getBytes(StandardCharsets.UTF_8);
    List<Utf8Lines.Line> lines = lines(bytes, 1024);
    assertEquals(List.of("a", "", "b é", "last"), lines.stream().map(Utf8Lines.Line::text).toList());
    assertEquals(4, lines.get(3).number());
    assertNull(lines.get(2).problem());
  }

  @Test
  void reportsInvalidUtf8WithItsOffsetAndKeepsReadingTheNextLine() throws IOException {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    out.writeBytes("{\"a\":\"x".getBytes(StandardCharsets.UTF_8));
    out.write(0xC3);
    out.write(0x28); // 0xC3 needs a continuation byte; 0x28 is not one
    out.writeBytes("\"}\nok\n".getBytes(StandardCharsets.UTF_8));
    List<Utf8Lines.Line> lines = lines(out.toByteArray(), 1024);
    assertEquals(Reason.INVALID_UTF8, lines.get(0).problem());
    assertTrue(lines.get(0).detail().contains("0xC3 at byte 7"), lines.get(0).detail());
    assertTrue(lines.get(0).text().contains("\uFFFD"));
    assertEquals("ok", lines.get(1).text());
  }

  @Test
  void keepsLongLinesWholeAndReportsLinesOverTheCap() throws IOException {
    String big = "é".repeat(1_000_000) + "<|para|>"; // 2 MB of UTF-8, over chunk boundaries
    List<Utf8Lines.Line> whole = lines((big + "\nnext").getBytes(StandardCharsets.UTF_8), Utf8Lines.MAX_LINE_BYTES);
    assertEquals(big, whole.get(0).text());
    assertEquals("next", whole.get(1).text());

    List<Utf8Lines.Line> capped = lines(("x".repeat(5000) + "\nnext").getBytes(StandardCharsets.UTF_8), 1000);
    assertEquals(Reason.LINE_TOO_LONG, capped.get(0).problem());
    assertEquals(1000, capped.get(0).text().length());
    assertEquals("next", capped.get(1).text());
  }
}
