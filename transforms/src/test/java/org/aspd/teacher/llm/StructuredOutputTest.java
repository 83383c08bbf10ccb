package org.aspd.teacher.llm;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.List;
import org.aspd.teacher.Verdict;
import org.aspd.teacher.llm.config.Provider;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Replies that arrive fine over HTTP but cannot be read: one corrective re-ask that quotes the model's
 * reply and names the problem, then UNPARSABLE (judges) or an empty candidate (rewrite), counted.
 */
class StructuredOutputTest {
  @TempDir Path cache;
  private final FakeTime time = new FakeTime();
  private final UsageLedger ledger = new UsageLedger();

  private LlmTeacher teacher(FakeLlmServer server) {
    return Fixtures.teacher(Fixtures.config(server, cache, Provider.OPENAI), time, ledger);
  }

  @Test
  void truncatedVerdictJsonIsReaskedOnce() throws Exception {
    try (FakeLlmServer server = FakeLlmServer.openAi((r, s) -> r.isReask()
            ? s.verdict("fail", "a branch uses another's result")
            : s.chat("{\"verdict\": \"pa"));
        LlmTeacher t = teacher(server)) {
      assertEquals(Verdict.fail("a branch uses another's result"), t.judgeIndependence(Fixtures.query(), 0));
      FakeLlmServer.Request reask = server.received().get(1);
      assertEquals(4, reask.messages().size(), "system, user, the model's reply, the correction");
      assertEquals("{\"verdict\": \"pa", reask.messages().get(2).path("content").asText());
      assertTrue(reask.lastUser().contains("could not be read"), reask.lastUser());
      assertEquals(2, server.requests());
    }
  }

  @Test
  void unreadableTwiceIsUnparsableNeverPassOrFail() throws Exception {
    try (FakeLlmServer server = FakeLlmServer.openAi((r, s) -> s.chat("I think it is fine."));
        LlmTeacher t = teacher(server)) {
      Verdict v = t.judgeFormat(Fixtures.sample(), Fixtures.ANSWER, 0);
      assertEquals(Verdict.Outcome.UNPARSABLE, v.outcome());
      assertTrue(v.reason().contains("verdict"), v.reason());
      assertEquals(2, server.requests());
      assertEquals(1, ledger.snapshot().get("format/openai:test-model").unparsable());
    }
  }

  @Test
  void emptyContentIsReasked() throws Exception {
    try (FakeLlmServer server = FakeLlmServer.openAi((r, s) -> r.isReask() ? s.verdict("pass", "ok") : s.chat(null));
        LlmTeacher t = teacher(server)) {
      assertEquals(Verdict.pass("ok"), t.judgeAnswer(Fixtures.sample(), Fixtures.ANSWER, 0));
      assertTrue(server.received().get(1).lastUser().contains("empty"));
    }
  }

  @Test
  void fencedJsonInProseIsReadWithoutReask() throws Exception {
    try (FakeLlmServer server = FakeLlmServer.openAi((r, s) -> s.chat(
            "<think>compare lists</think>Sure.\n```json\n{'verdict': 'PASS', 'reason': 'same items',}\n```\nDone."));
        LlmTeacher t = teacher(server)) {
      assertEquals(Verdict.pass("same items"), t.judgeFormat(Fixtures.sample(), Fixtures.ANSWER, 0));
      assertEquals(1, server.requests());
    }
  }

  @Test
  void rewriteCutOffAtTheTokenLimitIsReaskedThenGivenUpAsUnreadable() throws Exception {
    String cut = "PARALLEL: yes\n<<<ANNOTATED>>>\nTwo options:\n\n<branchgroup><branch title=\"Tea\">1. **Te";
    try (FakeLlmServer server = FakeLlmServer.openAi((r, s) -> s.chat(cut, "length"));
        LlmTeacher t = teacher(server)) {
      // null, not "": an unreadable reply is told apart from a rewriter that said "not parallel"
      assertEquals(java.util.Arrays.asList((String) null), t.rewrite(Fixtures.sample(), Fixtures.ANSWER, 1));
      assertEquals(2, server.requests());
      assertTrue(server.received().get(1).lastUser().contains("output token limit"));
      assertEquals(1, ledger.snapshot().get("rewrite/openai:test-model").unparsable());
    }
  }

  @Test
  void flagNoMeansNotParallelWithoutReask() throws Exception {
    try (FakeLlmServer server = FakeLlmServer.openAi((r, s) -> s.chat("PARALLEL: no"));
        LlmTeacher t = teacher(server)) {
      assertEquals(List.of("", ""), t.rewrite(Fixtures.sample(), Fixtures.ANSWER, 2));
      assertEquals(2, server.requests(), "one call per candidate, no re-ask");
      assertEquals(0, ledger.snapshot().get("rewrite/openai:test-model").unparsable());
    }
  }

  @Test
  void missingFlagIsReaskedAndTheCorrectedRegionUsed() throws Exception {
    String good = "PARALLEL: yes\n<<<ANNOTATED>>>\n" + Fixtures.ANNOTATED + "\n<<<END>>>";
    try (FakeLlmServer server = FakeLlmServer.openAi((r, s) -> s.chat(r.isReask() ? good : Fixtures.ANNOTATED));
        LlmTeacher t = teacher(server)) {
      assertEquals(List.of(Fixtures.ANNOTATED), t.rewrite(Fixtures.sample(), Fixtures.ANSWER, 1));
      assertTrue(server.received().get(1).lastUser().contains("PARALLEL"));
    }
  }

  @Test
  void greedyRewriterIsAskedOnceForAllCandidates() throws Exception {
    try (FakeLlmServer server = FakeLlmServer.openAi((r, s) -> s.chat("PARALLEL: no"));
        LlmTeacher t = Fixtures.teacher(Fixtures.config(server, cache, Provider.OPENAI)
            .mapStages(m -> m.withTemperature(0.0)), time, ledger)) {
      assertEquals(List.of(""), t.rewrite(Fixtures.sample(), Fixtures.ANSWER, 3));
      assertEquals(1, server.requests());
      assertTrue(t.deterministic());
    }
  }
}
