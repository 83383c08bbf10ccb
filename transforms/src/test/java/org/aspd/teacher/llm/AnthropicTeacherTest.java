package org.aspd.teacher.llm;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.List;
import org.aspd.teacher.Verdict;
import org.aspd.teacher.llm.config.Provider;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The teacher against a real local server speaking Anthropic's Messages API. */
class AnthropicTeacherTest {
  @TempDir Path cache;

  @Test
  void judgesRelyOnThePromptBecauseAnthropicHasNoJsonMode() throws Exception {
    try (FakeLlmServer server = FakeLlmServer.anthropic(OpenAiTeacherTest::byPrompt);
        LlmTeacher t = Fixtures.teacher(Fixtures.config(server, cache, Provider.ANTHROPIC), new FakeTime(),
            new UsageLedger())) {
      assertEquals(List.of(Fixtures.ANNOTATED), t.rewrite(Fixtures.sample(), Fixtures.ANSWER, 1));
      assertEquals(Verdict.fail("bold lost"), t.judgeFormat(Fixtures.sample(), Fixtures.ANSWER, 0));

      FakeLlmServer.Request judge = server.received().get(1);
      assertEquals("/v1/messages", judge.path());
      assertEquals(Fixtures.SECRET, judge.header("x-api-key"));
      assertEquals("test-model", judge.body().path("model").asText());
      assertTrue(judge.body().path("output_config").isMissingNode(), "no schemaless JSON mode sent");
      assertEquals(2, server.requests());
    }
  }
}
