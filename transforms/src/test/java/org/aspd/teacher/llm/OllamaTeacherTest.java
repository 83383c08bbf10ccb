package org.aspd.teacher.llm;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.aspd.teacher.Verdict;
import org.aspd.teacher.llm.config.Provider;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The teacher against a real local server speaking Ollama's {@code /api/chat}. */
class OllamaTeacherTest {
  @TempDir Path cache;
  private final FakeTime time = new FakeTime();

  @Test
  void judgesSendFormatJsonAndTheRewriteDoesNot() throws Exception {
    try (FakeLlmServer server = FakeLlmServer.ollama(OpenAiTeacherTest::byPrompt);
        LlmTeacher t = Fixtures.teacher(Fixtures.config(server, cache, Provider.OLLAMA), time, new UsageLedger())) {
      assertEquals(List.of(Fixtures.ANNOTATED), t.rewrite(Fixtures.sample(), Fixtures.ANSWER, 1));
      assertEquals(Verdict.pass("branches stand alone"), t.judgeIndependence(Fixtures.query(), 2));

      FakeLlmServer.Request rewrite = server.received().get(0);
      FakeLlmServer.Request judge = server.received().get(1);
      assertEquals("/api/chat", rewrite.path());
      assertFalse(rewrite.body().path("stream").asBoolean(true), "one JSON reply, not a stream");
      assertEquals(0.7, rewrite.body().path("options").path("temperature").asDouble());
      assertTrue(rewrite.body().path("format").isMissingNode() || rewrite.body().path("format").isNull());
      assertEquals("json", judge.body().path("format").asText());
      assertEquals(null, rewrite.header("Authorization"), "Ollama needs no key");
    }
  }

  @Test
  void rateLimitAndServerErrorsAreRetriedToo() throws Exception {
    try (FakeLlmServer server = FakeLlmServer.ollama((r, s) -> switch (r.number()) {
          case 1 -> FakeLlmServer.status(429, "{\"error\":\"busy\"}", Map.of("Retry-After", "3"));
          case 2 -> FakeLlmServer.status(500, "{\"error\":\"oom\"}", Map.of());
          default -> s.verdict("pass", "ok");
        });
        LlmTeacher t = Fixtures.teacher(Fixtures.config(server, cache, Provider.OLLAMA), time, new UsageLedger())) {
      assertEquals(Verdict.pass("ok"), t.judgeFormat(Fixtures.sample(), Fixtures.ANSWER, 0));
      assertEquals(3, server.requests());
      assertEquals(3_000_000_000L, time.sleeps().get(0));
    }
  }
}
