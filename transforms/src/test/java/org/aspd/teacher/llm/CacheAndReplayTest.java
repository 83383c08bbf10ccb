package org.aspd.teacher.llm;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.aspd.teacher.TeacherException;
import org.aspd.teacher.Verdict;
import org.aspd.teacher.llm.call.LlmRequest;
import org.aspd.teacher.llm.call.Message;
import org.aspd.teacher.llm.config.CacheSettings;
import org.aspd.teacher.llm.config.LlmStage;
import org.aspd.teacher.llm.config.LlmTeacherConfig;
import org.aspd.teacher.llm.config.Provider;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Recorded calls are answered from disk across teacher instances (runs); replay never calls out. */
class CacheAndReplayTest {
  @TempDir Path cache;
  private final FakeTime time = new FakeTime();

  private static void runAllStages(LlmTeacher t) throws TeacherException {
    t.rewrite(Fixtures.sample(), Fixtures.ANSWER, 2);
    for (int vote = 0; vote < 3; vote++) {
      t.judgeIndependence(Fixtures.query(), vote);
      t.judgeFormat(Fixtures.sample(), Fixtures.ANSWER, vote);
      t.judgeAnswer(Fixtures.sample(), Fixtures.ANSWER, vote);
    }
  }

  @Test
  void aSecondRunPaysForNothingAndVotesAreDistinctEntries() throws Exception {
    try (FakeLlmServer server = FakeLlmServer.openAi(OpenAiTeacherTest::byPrompt)) {
      LlmTeacherConfig config = Fixtures.config(server, cache, Provider.OPENAI);
      UsageLedger second = new UsageLedger();
      try (LlmTeacher first = Fixtures.teacher(config, time, new UsageLedger())) {
        runAllStages(first);
      }
      assertEquals(11, server.requests(), "2 candidates + 3 votes x 3 judges");
      assertEquals(11, entries().size());
      try (LlmTeacher rerun = Fixtures.teacher(config, time, second)) {
        runAllStages(rerun);
        assertEquals(List.of(Fixtures.ANNOTATED, Fixtures.ANNOTATED), rerun.rewrite(Fixtures.sample(), Fixtures.ANSWER, 2));
      }
      assertEquals(11, server.requests(), "no repeated request");
      assertEquals(13, second.snapshot().values().stream().mapToLong(UsageLedger.Line::cacheHits).sum());
      assertEquals(0, second.snapshot().values().stream().mapToLong(UsageLedger.Line::calls).sum());
    }
  }

  @Test
  void aCacheScopeSharesCallsBetweenServersThatTheBaseUrlKeepsApart() throws Exception {
    try (FakeLlmServer a = FakeLlmServer.openAi(OpenAiTeacherTest::byPrompt);
        FakeLlmServer b = FakeLlmServer.openAi(OpenAiTeacherTest::byPrompt)) {
      LlmTeacherConfig onA = Fixtures.config(a, cache, Provider.OPENAI);
      LlmTeacherConfig onB = Fixtures.config(b, cache, Provider.OPENAI);
      try (LlmTeacher t = Fixtures.teacher(onA, time, new UsageLedger())) {
        runAllStages(t);
      }
      try (LlmTeacher t = Fixtures.teacher(onB, time, new UsageLedger())) {
        runAllStages(t);
      }
      assertEquals(11, b.requests(), "by default another base URL is another model: asked again");

      LlmTeacherConfig scopedA = onA.mapStages(s -> s.withCacheScope("test-model-replicas"));
      LlmTeacherConfig scopedB = onB.mapStages(s -> s.withCacheScope("test-model-replicas"));
      try (LlmTeacher t = Fixtures.teacher(scopedA, time, new UsageLedger())) {
        runAllStages(t);
      }
      assertEquals(22, a.requests(), "a scope makes keys of its own: recorded once more");
      UsageLedger onReplica = new UsageLedger();
      try (LlmTeacher t = Fixtures.teacher(scopedB, time, onReplica)) {
        runAllStages(t);
      }
      assertEquals(11, b.requests(), "the replica under the same scope is not asked");
      assertEquals(11, onReplica.snapshot().values().stream().mapToLong(UsageLedger.Line::cacheHits).sum());
      LlmRequest q = new LlmRequest(LlmStage.FORMAT, scopedA.stage(LlmStage.FORMAT), "v", List.of(Message.user("x")),
          true, 0);
      assertEquals(q.cacheKey(),
          new LlmRequest(LlmStage.FORMAT, scopedB.stage(LlmStage.FORMAT), "v", List.of(Message.user("x")), true, 0)
              .cacheKey());
    }
  }

  @Test
  void replayAnswersFromRecordedCallsAndFailsClearlyOnAMiss() throws Exception {
    LlmTeacherConfig recorded;
    try (FakeLlmServer server = FakeLlmServer.openAi(OpenAiTeacherTest::byPrompt)) {
      recorded = Fixtures.config(server, cache, Provider.OPENAI);
      try (LlmTeacher t = Fixtures.teacher(recorded, time, new UsageLedger())) {
        t.judgeFormat(Fixtures.sample(), Fixtures.ANSWER, 0);
      }
    } // the server is gone: replay must not need it
    LlmTeacherConfig replay = recorded.withCache(new CacheSettings(cache.toString(), true, true));
    try (LlmTeacher t = Fixtures.teacher(replay, time, new UsageLedger())) {
      assertEquals(Verdict.fail("bold lost"), t.judgeFormat(Fixtures.sample(), Fixtures.ANSWER, 0));
      TeacherException miss = assertThrows(TeacherException.class,
          () -> t.judgeFormat(Fixtures.sample(), Fixtures.ANSWER, 1));
      assertTrue(miss.getMessage().startsWith("replay miss"), miss.getMessage());
      assertTrue(miss.getMessage().contains("format"), miss.getMessage());
      assertTrue(miss.getMessage().matches("(?s).*key [0-9a-f]{64}.*"), miss.getMessage());
    }
  }

  @Test
  void noCacheAlwaysAsksAndWritesNothing() throws Exception {
    try (FakeLlmServer server = FakeLlmServer.openAi(OpenAiTeacherTest::byPrompt)) {
      LlmTeacherConfig config = Fixtures.config(server, cache, Provider.OPENAI)
          .withCache(new CacheSettings(cache.toString(), false, false));
      for (int run = 0; run < 2; run++) {
        try (LlmTeacher t = Fixtures.teacher(config, time, new UsageLedger())) {
          t.judgeAnswer(Fixtures.sample(), Fixtures.ANSWER, 0);
        }
      }
      assertEquals(2, server.requests());
      assertEquals(0, entries().size());
    }
  }

  @Test
  void aLeftoverTemporaryFileFromAKilledWorkerIsNeverRead() throws Exception {
    try (FakeLlmServer server = FakeLlmServer.openAi(OpenAiTeacherTest::byPrompt)) {
      LlmTeacherConfig config = Fixtures.config(server, cache, Provider.OPENAI);
      try (LlmTeacher t = Fixtures.teacher(config, time, new UsageLedger())) {
        t.judgeAnswer(Fixtures.sample(), Fixtures.ANSWER, 0);
      }
      Path entry = entries().get(0);
      // What a SIGKILL between write and rename leaves behind: a half temp file, never the entry name.
      Files.writeString(entry.resolveSibling(".tmp-" + entry.getFileName() + "-1.json"), "{\"key\": \"ab");
      try (LlmTeacher t = Fixtures.teacher(config, time, new UsageLedger())) {
        assertEquals(Verdict.pass("same answer"), t.judgeAnswer(Fixtures.sample(), Fixtures.ANSWER, 0));
      }
      assertEquals(1, server.requests());
      assertEquals(1, entries().size());
      String stored = Files.readString(entry);
      assertTrue(stored.contains("\"stage\":\"answer\"") && stored.contains("same answer"), stored);
      assertFalse(stored.contains(server.baseUrl()), "provenance only, no endpoint");
    }
  }

  private List<Path> entries() throws IOException {
    try (Stream<Path> files = Files.walk(cache)) {
      return files.filter(Files::isRegularFile)
          .filter(p -> !p.getFileName().toString().startsWith(".tmp-"))
          .toList();
    }
  }
}
