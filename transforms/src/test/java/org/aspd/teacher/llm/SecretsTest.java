package org.aspd.teacher.llm;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.stream.Stream;
import org.aspd.teacher.TeacherException;
import org.aspd.teacher.llm.config.LlmTeacherConfig;
import org.aspd.teacher.llm.config.Provider;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The key reaches the server and nothing else: not the cache, not logs, not error messages. */
class SecretsTest {
  @TempDir Path cache;

  @Test
  void keyIsSentButNeverStoredLoggedOrEchoed() throws Exception {
    ByteArrayOutputStream captured = new ByteArrayOutputStream();
    PrintStream originalErr = System.err;
    PrintStream originalOut = System.out;
    TeacherException echoed;
    try (FakeLlmServer server = FakeLlmServer.openAi((r, s) -> r.prompt().equals("answer")
            // Some providers quote the key they rejected in the error body.
            ? FakeLlmServer.status(401, "{\"error\":\"Incorrect API key provided: " + Fixtures.SECRET + "\"}", Map.of())
            : OpenAiTeacherTest.byPrompt(r, s))) {
      LlmTeacherConfig config = Fixtures.config(server, cache, Provider.OPENAI);
      System.setErr(new PrintStream(captured, true, StandardCharsets.UTF_8));
      System.setOut(new PrintStream(captured, true, StandardCharsets.UTF_8));
      try (LlmTeacher t = Fixtures.teacher(config, new FakeTime(), new UsageLedger())) {
        t.rewrite(Fixtures.sample(), Fixtures.ANSWER, 1);
        t.judgeIndependence(Fixtures.query(), 0);
        echoed = assertThrows(TeacherException.class, () -> t.judgeAnswer(Fixtures.sample(), Fixtures.ANSWER, 0));
        assertFalse(t.version().contains(Fixtures.SECRET) || t.name().contains(Fixtures.SECRET));
      } finally {
        System.setErr(originalErr);
        System.setOut(originalOut);
      }
      assertEquals("Bearer " + Fixtures.SECRET, server.received().get(0).header("Authorization"));
      assertFalse(config.toString().contains(Fixtures.SECRET), "the config names the variable only");
    }
    assertTrue(echoed.getMessage().contains("***"), echoed.getMessage());
    assertFalse(echoed.getMessage().contains(Fixtures.SECRET), echoed.getMessage());
    String logs = captured.toString(StandardCharsets.UTF_8);
    assertTrue(logs.contains("Incorrect API key provided: ***"), "the failure was logged, redacted: " + logs);
    assertFalse(logs.contains(Fixtures.SECRET));
    try (Stream<Path> files = Files.walk(cache)) {
      long checked = 0;
      for (Path f : files.filter(Files::isRegularFile).toList()) {
        assertFalse(Files.readString(f).contains(Fixtures.SECRET), f.toString());
        checked++;
      }
      assertEquals(2, checked, "the rewrite and the independence vote were recorded");
    }
  }
}
