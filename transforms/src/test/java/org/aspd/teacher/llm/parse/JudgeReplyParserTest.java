package org.aspd.teacher.llm.parse;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.aspd.teacher.Verdict;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Test;

class JudgeReplyParserTest {
  @ParameterizedTest
  @ValueSource(strings = {
      "{\"verdict\": \"pass\", \"reason\": \"independent\"}",
      "```json\n{\"verdict\": \"pass\", \"reason\": \"independent\"}\n```",
      "Here is my judgement: {\"verdict\":\"Pass\",\"reason\":\"independent\"} Hope that helps.",
      "{'verdict': 'pass', 'reason': 'independent',}",
      "{verdict: \"pass\", reason: \"independent\"}",
      "<think>branch 2 says {\"x\": 1}</think>{\"verdict\": \"pass\", \"reason\": \"independent\"}",
      "{\"notes\": {\"a\": \"}\"}, \"verdict\": \"PASS\", \"reason\": \"independent\"}"
  })
  void readsAPassWhereverItSits(String reply) {
    Parsed<Verdict> p = JudgeReplyParser.parse(reply);
    assertTrue(p.ok(), p.problem());
    assertEquals(Verdict.pass("independent"), p.value());
  }

  @Test
  void readsAFailWithoutReason() {
    assertEquals(Verdict.fail(""), JudgeReplyParser.parse("{\"verdict\": \"fail\"}").value());
  }

  @ParameterizedTest
  @ValueSource(strings = {"", "   ", "pass", "{\"verdict\": \"pa", "{\"verdict\": \"maybe\"}", "{\"result\": \"pass\"}",
      "<think>still thinking about {\"verdict\": \"pass\"}"})
  void neverGuessesAVerdict(String reply) {
    Parsed<Verdict> p = JudgeReplyParser.parse(reply);
    assertFalse(p.ok(), "read as " + p.value());
    assertFalse(p.problem().isBlank());
  }
}
