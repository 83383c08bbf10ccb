package org.aspd.teacher.llm;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.List;
import java.util.Map;
import org.aspd.teacher.TeacherException;
import org.aspd.teacher.Verdict;
import org.aspd.teacher.llm.config.Provider;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Transport faults injected by the server: each is retried (fake time, so back-offs cost nothing),
 * and a call that keeps failing becomes a TeacherException naming stage and reason.
 */
class ProviderFaultsTest {
  private static final String PASS = "{\"verdict\": \"pass\", \"reason\": \"ok\"}";

  @TempDir Path cache;
  private final FakeTime time = new FakeTime();

  private LlmTeacher teacher(FakeLlmServer server) {
    return Fixtures.teacher(Fixtures.config(server, cache, Provider.OPENAI), time, new UsageLedger());
  }

  /** First request gets {@code first}, every later one a pass verdict. */
  private static FakeLlmServer.Script firstThen(FakeLlmServer.Reply first) {
    return (r, s) -> r.number() == 1 ? first : s.chat(PASS);
  }

  @Test
  void retryAfterInSecondsIsHonouredOn429() throws Exception {
    try (FakeLlmServer server = FakeLlmServer.openAi(firstThen(
            FakeLlmServer.status(429, "{\"error\":{\"message\":\"slow down\"}}", Map.of("Retry-After", "7"))));
        LlmTeacher t = teacher(server)) {
      assertEquals(Verdict.pass("ok"), t.judgeFormat(Fixtures.sample(), Fixtures.ANSWER, 0));
      assertEquals(2, server.requests());
      assertEquals(List.of(7_000_000_000L), time.sleeps(), "exactly the wait the server asked for");
    }
  }

  @Test
  void retryAfterAsHttpDateIsHonoured() throws Exception {
    String at = DateTimeFormatter.RFC_1123_DATE_TIME.format(
        ZonedDateTime.ofInstant(java.time.Instant.ofEpochMilli(time.currentTimeMillis() + 8_000), ZoneOffset.UTC));
    try (FakeLlmServer server = FakeLlmServer.openAi(firstThen(
            FakeLlmServer.status(429, "{}", Map.of("Retry-After", at))));
        LlmTeacher t = teacher(server)) {
      assertEquals(Verdict.pass("ok"), t.judgeAnswer(Fixtures.sample(), Fixtures.ANSWER, 0));
      assertEquals(List.of(8_000_000_000L), time.sleeps());
    }
  }

  @Test
  void serverErrorsAreRetriedThenReportedWithStage() throws Exception {
    try (FakeLlmServer server = FakeLlmServer.openAi((r, s) -> FakeLlmServer.status(500, "{\"error\":\"boom\"}", Map.of()));
        LlmTeacher t = teacher(server)) {
      TeacherException e = assertThrows(TeacherException.class,
          () -> t.judgeFormat(Fixtures.sample(), Fixtures.ANSWER, 0));
      assertEquals(3, server.requests(), "maxAttempts = 3");
      assertTrue(e.getMessage().contains("llm format call"), e.getMessage());
      assertTrue(e.getMessage().contains("HTTP 500"), e.getMessage());
      assertEquals(2, time.sleeps().size(), "a back-off before each retry");
    }
  }

  @Test
  void badRequestIsNotRetried() throws Exception {
    try (FakeLlmServer server = FakeLlmServer.openAi((r, s) -> FakeLlmServer.status(400, "{\"error\":\"bad\"}", Map.of()));
        LlmTeacher t = teacher(server)) {
      TeacherException e = assertThrows(TeacherException.class, () -> t.judgeIndependence(Fixtures.query(), 0));
      assertEquals(1, server.requests());
      assertTrue(e.getMessage().contains("not retryable"), e.getMessage());
    }
  }

  @Test
  void aServerSlowerThanTheTimeoutIsRetried() throws Exception {
    try (FakeLlmServer server = FakeLlmServer.openAi(firstThen(new FakeLlmServer.Hang()));
        LlmTeacher t = Fixtures.teacher(Fixtures.config(server, cache, Provider.OPENAI)
            .mapStages(m -> m.withTimeoutSeconds(0.3)), time, new UsageLedger())) {
      assertEquals(Verdict.pass("ok"), t.judgeAnswer(Fixtures.sample(), Fixtures.ANSWER, 0));
      assertEquals(2, server.requests());
    }
  }

  @Test
  void aServerThatNeverAnswersEndsInATimeoutError() throws Exception {
    try (FakeLlmServer server = FakeLlmServer.openAi((r, s) -> new FakeLlmServer.Hang());
        LlmTeacher t = Fixtures.teacher(Fixtures.config(server, cache, Provider.OPENAI)
            .mapStages(m -> m.withTimeoutSeconds(0.2)), time, new UsageLedger())) {
      TeacherException e = assertThrows(TeacherException.class,
          () -> t.judgeAnswer(Fixtures.sample(), Fixtures.ANSWER, 0));
      assertTrue(e.getMessage().contains("timeout"), e.getMessage());
      assertEquals(3, server.requests());
    }
  }

  /** The timeout bounds the whole exchange: headers sent, body stalled, used to hang the run forever. */
  @Test
  void aServerThatStallsInTheBodyTimesOutAndIsRetried() throws Exception {
    try (FakeLlmServer server = FakeLlmServer.openAi(firstThen(new FakeLlmServer.Stall("{\"id\":")));
        LlmTeacher t = Fixtures.teacher(Fixtures.config(server, cache, Provider.OPENAI)
            .mapStages(m -> m.withTimeoutSeconds(0.3)), time, new UsageLedger())) {
      assertEquals(Verdict.pass("ok"), t.judgeAnswer(Fixtures.sample(), Fixtures.ANSWER, 0));
      assertEquals(2, server.requests());
    }
    try (FakeLlmServer server = FakeLlmServer.openAi((r, s) -> new FakeLlmServer.Stall("{\"id\":"));
        LlmTeacher t = Fixtures.teacher(Fixtures.config(server, cache, Provider.OPENAI)
            .mapStages(m -> m.withTimeoutSeconds(0.2)), time, new UsageLedger())) {
      TeacherException e = assertThrows(TeacherException.class,
          () -> t.judgeAnswer(Fixtures.sample(), Fixtures.ANSWER, 0));
      assertTrue(e.getMessage().contains("timeout"), e.getMessage());
      assertEquals(3, server.requests());
    }
  }

  /** Dead letters said "ClosedChannelException: null" and "IndexOutOfBoundsException" for these. */
  @Test
  void refusedConnectionsAndEmptyChoicesSayWhatHappened() throws Exception {
    FakeLlmServer gone = FakeLlmServer.openAi((r, s) -> s.chat(PASS));
    gone.close(); // nothing listens at its port any more
    try (LlmTeacher t = teacher(gone)) {
      TeacherException e = assertThrows(TeacherException.class, () -> t.judgeFormat(Fixtures.sample(), Fixtures.ANSWER, 0));
      assertTrue(e.getMessage().contains("connection refused"), e.getMessage());
    }
    try (FakeLlmServer server = FakeLlmServer.openAi((r, s) -> FakeLlmServer.status(200,
            "{\"id\":\"x\",\"object\":\"chat.completion\",\"created\":1,\"model\":\"m\",\"choices\":[]}", Map.of()));
        LlmTeacher t = teacher(server)) {
      TeacherException e = assertThrows(TeacherException.class, () -> t.judgeFormat(Fixtures.sample(), Fixtures.ANSWER, 0));
      assertTrue(e.getMessage().contains("reply has no choices"), e.getMessage());
    }
  }

  @Test
  void malformedProviderJsonIsRetried() throws Exception {
    try (FakeLlmServer server = FakeLlmServer.openAi(firstThen(
            FakeLlmServer.status(200, "{\"choices\": [{\"message\": ", Map.of())));
        LlmTeacher t = teacher(server)) {
      assertEquals(Verdict.pass("ok"), t.judgeFormat(Fixtures.sample(), Fixtures.ANSWER, 0));
      assertEquals(2, server.requests());
    }
  }

  @Test
  void aTruncatedResponseBodyIsRetried() throws Exception {
    try (FakeLlmServer server = FakeLlmServer.openAi(firstThen(new FakeLlmServer.Cut("{\"id\":\"x\",\"choi")));
        LlmTeacher t = teacher(server)) {
      assertEquals(Verdict.pass("ok"), t.judgeFormat(Fixtures.sample(), Fixtures.ANSWER, 0));
      assertEquals(2, server.requests());
    }
  }

  @Test
  void aFailedCallIsNotCachedSoARerunPaysForItAgain() throws Exception {
    try (FakeLlmServer down = FakeLlmServer.openAi((r, s) -> FakeLlmServer.status(503, "{}", Map.of()));
        LlmTeacher t = teacher(down)) {
      assertThrows(TeacherException.class, () -> t.judgeFormat(Fixtures.sample(), Fixtures.ANSWER, 0));
    }
    try (java.util.stream.Stream<Path> files = java.nio.file.Files.walk(cache)) {
      assertEquals(0, files.filter(java.nio.file.Files::isRegularFile).count(), "nothing recorded for a failure");
    }
  }
}
