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

  /** A 429 is back-pressure from an endpoint that is up: a run of them must not cut the endpoint off. */
  @Test
  void rateLimitingDoesNotOpenTheBreaker() throws Exception {
    try (FakeLlmServer server = FakeLlmServer.openAi((r, s) -> r.number() <= 12
            ? FakeLlmServer.status(429, "{}", Map.of("Retry-After", "1")) : s.verdict("pass", "ok"))) {
      LlmTeacherConfig config = Fixtures.config(server, cache, Provider.OPENAI)
          .withRetry(new RetrySettings(20, 0L, 5_000L))
          .withBreaker(new BreakerSettings(3, 30.0));
      try (LlmTeacher t = Fixtures.teacher(config, time, new UsageLedger())) {
        assertEquals(Verdict.pass("ok"), t.judgeFormat(Fixtures.sample(), Fixtures.ANSWER, 0));
        assertEquals(13, server.requests());
        assertTrue(time.seconds() >= 12, "each Retry-After was honoured: " + time.seconds());
      }
    }
  }

  /** A call already retrying when the endpoint goes down waits for the breaker's trial instead of failing. */
  @Test
  void aRetryThatMeetsTheOpenBreakerWaitsForItsTrial() throws Exception {
    try (FakeLlmServer server = FakeLlmServer.openAi((r, s) -> r.number() <= 3
            ? FakeLlmServer.status(502, "{}", Map.of()) : s.verdict("pass", "ok"))) {
      LlmTeacherConfig config = Fixtures.config(server, cache, Provider.OPENAI)
          .withRetry(new RetrySettings(5, 0L, 60_000L))
          .withBreaker(new BreakerSettings(3, 30.0));
      try (LlmTeacher t = Fixtures.teacher(config, time, new UsageLedger())) {
        double start = time.seconds();
        assertEquals(Verdict.pass("ok"), t.judgeFormat(Fixtures.sample(), Fixtures.ANSWER, 0));
        assertEquals(4, server.requests(), "three failures open the breaker; the fourth attempt is its trial");
        assertTrue(time.seconds() - start >= 30, "the retry waited out the cool-down: " + (time.seconds() - start));
      }
    }
  }
}
