package org.aspd.pipeline.read;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.List;
import org.aspd.model.Sample;
import org.aspd.model.Turn;
import org.junit.jupiter.api.Test;

class RecordMapperTest {
  private static Sample map(String json) throws Exception {
    return RecordMapper.map(Json.MAPPER.readTree(json), "f.jsonl:1", "f.jsonl:1");
  }

  private static String reason(String json) throws Exception {
    JsonNode node = Json.MAPPER.readTree(json);
    return assertThrows(BadRecord.class, () -> RecordMapper.map(node, "s", "fallback")).reason();
  }

  @Test
  void flatRecordKeepsAnswerVerbatimAndReadsMetadataAliases() throws Exception {
    Sample s = map("{\"id\":7,\"prompt\":\"Q\",\"response\":\"  A <|para|> <branch>x</branch>\\n\","
        + "\"generator\":\"gpt-4\",\"dataset\":\"vicuna\",\"system\":\"Be brief.\"}");
    assertEquals(new Sample("7", "f.jsonl:1", "gpt-4", "vicuna", "Be brief.", List.of(), "Q",
        "  A <|para|> <branch>x</branch>\n"), s);
  }

  /** A lone surrogate was written as "?"; now the record says where it is. */
  @Test
  void aLoneSurrogateIsADeadLetterAndAPairIsText() throws Exception {
    BadRecord e = assertThrows(BadRecord.class,
        () -> RecordMapper.map(Json.MAPPER.readTree("{\"prompt\":\"Q\",\"response\":\"ok \\ud800 no\"}"), "s", "f"));
    assertEquals(Reason.INVALID_UTF8, e.reason());
    assertEquals("answer holds a lone surrogate \\uD800 at character 3, which UTF-8 cannot store", e.getMessage());
    assertEquals("ok \uD83D\uDE00", map("{\"prompt\":\"Q\",\"response\":\"ok \\ud83d\\ude00\"}").answer());
  }

  @Test
  void aNullFieldIsNamedAsNullNotAsMissing() throws Exception {
    BadRecord e = assertThrows(BadRecord.class,
        () -> RecordMapper.map(Json.MAPPER.readTree("{\"prompt\":\"Q\",\"response\":null}"), "s", "f"));
    assertEquals("the answer field 'response' is null", e.getMessage());
  }

  @Test
  void alpacaJoinsNonEmptyInputToTheInstruction() throws Exception {
    assertEquals("Do it\n\nwith this", map("{\"instruction\":\"Do it\",\"input\":\"with this\",\"output\":\"done\"}").question());
    assertEquals("Do it", map("{\"instruction\":\"Do it\",\"input\":\"\",\"output\":\"done\"}").question());
    assertEquals("f.jsonl:1", map("{\"instruction\":\"Do it\",\"output\":\"done\"}").id());
  }

  @Test
  void openAiChatSplitsSystemHistoryQuestionAndAnswer() throws Exception {
    Sample s = map("{\"model\":\"m\",\"messages\":[{\"role\":\"system\",\"content\":\"sys\"},"
        + "{\"role\":\"user\",\"content\":\"q1\"},{\"role\":\"assistant\",\"content\":\"a1\"},"
        + "{\"role\":\"user\",\"content\":\"q2\"},{\"role\":\"assistant\",\"content\":\"a2\"}]}");
    assertEquals("sys", s.system());
    assertEquals(List.of(new Turn("user", "q1"), new Turn("assistant", "a1")), s.history());
    assertEquals("q2", s.question());
    assertEquals("a2", s.answer());
    assertEquals("m", s.model());
  }

  @Test
  void openAiContentPartsAreTheirTextsAndAnImagePartIsADeadLetter() throws Exception {
    // Dead-lettered as not_a_string before: the form the OpenAI API and many Hugging Face sets use.
    Sample s = map("{\"messages\":[{\"role\":\"user\",\"content\":[{\"type\":\"text\",\"text\":\"q\"}]},"
        + "{\"role\":\"assistant\",\"content\":[{\"type\":\"text\",\"text\":\"first\"},"
        + "{\"type\":\"text\",\"text\":\"second\"}]}]}");
    assertEquals("q", s.question());
    assertEquals("first\nsecond", s.answer());
    assertEquals(Reason.NOT_A_STRING, reason("{\"messages\":[{\"role\":\"user\",\"content\":[{\"type\":\"image_url\","
        + "\"image_url\":{\"url\":\"x\"}}]},{\"role\":\"assistant\",\"content\":\"a\"}]}"));
  }

  @Test
  void shareGptRolesAreMapped() throws Exception {
    Sample s = map("{\"id\":\"c1\",\"conversations\":[{\"from\":\"human\",\"value\":\"hi\"},{\"from\":\"gpt\",\"value\":\"hello\"}]}");
    assertEquals("c1", s.id());
    assertEquals("hi", s.question());
    assertEquals("hello", s.answer());
    assertTrue(s.history().isEmpty());
  }

  @Test
  void badRecordsGetReasons() throws Exception {
    assertEquals(Reason.NO_ASSISTANT_TURN, reason("{\"messages\":[{\"role\":\"user\",\"content\":\"q\"}]}"));
    assertEquals(Reason.NO_ASSISTANT_TURN, reason("{\"messages\":[]}"));
    assertEquals(Reason.NO_USER_TURN, reason("{\"messages\":[{\"role\":\"assistant\",\"content\":\"a\"}]}"));
    assertEquals(Reason.MISSING_FIELD, reason("{\"prompt\":\"q\"}"));
    assertEquals(Reason.MISSING_FIELD, reason("{\"input\":\"q\",\"vanilla\":{}}"));
    assertEquals(Reason.NOT_A_STRING, reason("{\"prompt\":\"q\",\"response\":42}"));
    assertEquals(Reason.NOT_A_STRING, reason("{\"prompt\":[\"q\"],\"response\":\"a\"}"));
    assertEquals(Reason.EMPTY_ANSWER, reason("{\"prompt\":\"q\",\"response\":\"\"}"));
    assertEquals(Reason.EMPTY_ANSWER, reason("{\"prompt\":\"q\",\"response\":\" \\n\"}"));
    assertEquals(Reason.NOT_AN_OBJECT, reason("[1]"));
  }
}
