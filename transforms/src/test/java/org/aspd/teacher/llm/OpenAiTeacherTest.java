package org.aspd.teacher.llm;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.List;
import org.aspd.teacher.Verdict;
import org.aspd.teacher.llm.config.Provider;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The teacher against a real local server speaking OpenAI's chat-completions protocol. */
class OpenAiTeacherTest {
  @TempDir Path cache;
  private final FakeTime time = new FakeTime();
  private final UsageLedger ledger = new UsageLedger();

  static FakeLlmServer.Reply byPrompt(FakeLlmServer.Request r, FakeLlmServer s) {
    return switch (r.prompt()) {
      case "rewrite" -> s.chat("PARALLEL: yes\n<<<ANNOTATED>>>\n" + Fixtures.ANNOTATED + "\n<<<END>>>");
      case "independence" -> s.verdict("pass", "branches stand alone");
      case "format" -> s.verdict("fail", "bold lost");
      default -> s.verdict("pass", "same answer");
    };
  }

  @Test
  void eachPromptGetsItsAnswerAndJudgesUseJsonMode() throws Exception {
    try (FakeLlmServer server = FakeLlmServer.openAi(OpenAiTeacherTest::byPrompt);
        LlmTeacher t = Fixtures.teacher(Fixtures.config(server, cache, Provider.OPENAI), time, ledger)) {
      assertEquals(List.of(Fixtures.ANNOTATED, Fixtures.ANNOTATED), t.rewrite(Fixtures.sample(), Fixtures.ANSWER, 2));
      assertEquals(Verdict.pass("branches stand alone"), t.judgeIndependence(Fixtures.query(), 0));
      assertEquals(Verdict.fail("bold lost"), t.judgeFormat(Fixtures.sample(), Fixtures.ANSWER, 0));
      assertEquals(Verdict.pass("same answer"), t.judgeAnswer(Fixtures.sample(), Fixtures.ANSWER, 0));

      List<FakeLlmServer.Request> got = server.received();
      assertEquals(5, got.size(), "two rewrite candidates and three judges, nothing more");
      FakeLlmServer.Request rewrite = got.get(0);
      assertEquals("/v1/chat/completions", rewrite.path());
      assertEquals("test-model", rewrite.body().path("model").asText());
      assertEquals(0.7, rewrite.body().path("temperature").asDouble());
      assertEquals("Bearer " + Fixtures.SECRET, rewrite.header("Authorization"));
      assertTrue(rewrite.lastUser().contains(Fixtures.ANSWER));
      assertTrue(rewrite.body().path("response_format").isMissingNode(), "the rewrite is free text");
      for (FakeLlmServer.Request judge : got.subList(2, 5)) {
        assertEquals("json_object", judge.body().path("response_format").path("type").asText());
      }
      assertTrue(got.get(2).lastUser().contains("[2] title: Coffee"));
      assertTrue(got.get(2).lastUser().contains("User: Tea or coffee?"), "judges see the conversation");
      UsageLedger.Line rewrites = ledger.snapshot().get("rewrite/openai:test-model");
      assertEquals(2, rewrites.calls());
      assertEquals(200, rewrites.inputTokens());
      assertEquals(40, rewrites.outputTokens());
    }
  }

  @Test
  void versionCarriesEveryPromptHash() throws Exception {
    try (FakeLlmServer server = FakeLlmServer.openAi(OpenAiTeacherTest::byPrompt);
        LlmTeacher t = Fixtures.teacher(Fixtures.config(server, cache, Provider.OPENAI), time, ledger)) {
      String rewriteHash = org.aspd.teacher.llm.prompt.PromptTemplate.load("rewrite").version().substring(0, 12);
      assertTrue(t.version().startsWith("llm-teacher/1 "));
      assertTrue(t.version().contains("rewrite=" + rewriteHash), t.version());
      assertEquals("openai:test-model", t.name());
      assertEquals(64, t.maxConcurrency());
    }
  }
}
