package org.aspd.pipeline.read;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URISyntaxException;
import java.nio.file.Path;
import java.util.List;
import org.aspd.model.DeadLetter;
import org.aspd.model.Sample;
import org.aspd.model.Turn;
import org.junit.jupiter.api.Test;

/**
 * Parquet as Hugging Face datasets and pandas write it (pyarrow; files made by
 * {@code src/test/resources/parquet/make_fixtures.py}): chat columns are standard LIST columns, text
 * may be BINARY. Both read like the same data in JSON.
 */
class ParquetInputTest {
  private static String fixture(String name) throws URISyntaxException {
    return Path.of(ParquetInputTest.class.getResource("/parquet/" + name).toURI()).toString();
  }

  @Test
  void chatListColumnsReadLikeChatJsonl() throws Exception {
    for (String file : List.of("chat-messages.parquet", "chat-messages-legacy.parquet")) {
      ReadRun run = ReadRun.of(fixture(file));
      assertEquals(List.of(), run.failures, file);
      Sample s = run.sample("c1");
      assertEquals("Be brief.", s.system(), file);
      assertEquals(List.of(new Turn("user", "Name two teas."), new Turn("assistant", "Green and black.")), s.history());
      assertEquals("Und auf Deutsch? 中文?", s.question());
      assertEquals("Grüner und schwarzer Tee. 绿茶和红茶。", s.answer());
    }
    Sample sharegpt = ReadRun.of(fixture("sharegpt.parquet")).sample("s1");
    assertEquals(List.of("Say hi.", "Hi! 👋"), List.of(sharegpt.question(), sharegpt.answer()));
  }

  /** BINARY text was decoded as Latin-1 (中文问题 came out as ä¸­æ–‡é—®é¢˜); bytes that are not UTF-8 were kept. */
  @Test
  void binaryTextIsUtf8AndBytesThatAreNotAreADeadLetter() throws Exception {
    ReadRun run = ReadRun.of(fixture("binary-text.parquet"));
    Sample s = run.sample("u1");
    assertEquals(List.of("中文问题", "答案 😀"), List.of(s.question(), s.answer()));
    assertEquals(1, run.samples.size());
    DeadLetter bad = run.failures.get(0);
    assertEquals(Reason.INVALID_UTF8, bad.reason());
    assertTrue(bad.detail().contains("column response"), bad.detail());
    assertTrue(bad.source().endsWith("binary-text.parquet#1"), bad.source());
  }
}
