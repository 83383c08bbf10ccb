package org.aspd.teacher.llm;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import org.aspd.teacher.TeacherException;
import org.aspd.teacher.Verdict;
import org.aspd.teacher.llm.config.BreakerSettings;
import org.aspd.teacher.llm.config.LlmTeacherConfig;
import org.aspd.teacher.llm.config.Provider;
import org.aspd.teacher.llm.config.RetrySettings;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** An endpoint that keeps failing is cut off, calls fail fast, and one trial after the cool-down heals it. */
class CircuitBreakerTest {
  @TempDir Path cache;
  private final FakeTime time = new FakeTime();

  @Test
  void opensAfterConsecutiveFailuresFailsFastAndClosesAfterCoolDown() throws Exception {
    AtomicBoolean healthy = new AtomicBoolean(false);
    try (FakeLlmServer server = FakeLlmServer.openAi((r, s) -> healthy.get()
            ? s.verdict("pass", "ok") : FakeLlmServer.status(502, "{}", Map.of()))) {
      LlmTeacherConfig config = Fixtures.config(server, cache, Provider.OPENAI)
          .withRetry(new RetrySettings(1, 0L, 0L))
          .withBreaker(new BreakerSettings(3, 30.0));
      try (LlmTeacher t = Fixtures.teacher(config, time, new UsageLedger())) {
        for (int vote = 0; vote < 3; vote++) {
          int v = vote;
          TeacherException e = assertThrows(TeacherException.class,
              () -> t.judgeFormat(Fixtures.sample(), Fixtures.ANSWER, v));
          assertTrue(e.getMessage().contains("HTTP 502"), e.getMessage());
        }
        assertEquals(3, server.requests());

        TeacherException fast = assertThrows(TeacherException.class,
            () -> t.judgeFormat(Fixtures.sample(), Fixtures.ANSWER, 3));
        assertTrue(fast.getMessage().contains("circuit open"), fast.getMessage());
        assertEquals(3, server.requests(), "an open breaker sends nothing");

        healthy.set(true);
        time.advanceSeconds(31);
        assertEquals(Verdict.pass("ok"), t.judgeFormat(Fixtures.sample(), Fixtures.ANSWER, 4));
        assertEquals(Verdict.pass("ok"), t.judgeFormat(Fixtures.sample(), Fixtures.ANSWER, 5));
        assertEquals(5, server.requests());
      }
    }
  }
}
