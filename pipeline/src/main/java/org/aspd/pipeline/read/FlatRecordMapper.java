package org.aspd.pipeline.read;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.List;
import org.aspd.model.Sample;

/**
 * Maps a flat record, one question and one answer: {@code prompt|instruction|question} with
 * {@code response|output|answer}, including Alpaca's {@code {instruction, input, output}} and the
 * AlpacaEval {@code {instruction, output, generator, dataset}} records.
 */
final class FlatRecordMapper {
  static final String[] QUESTION = {"prompt", "instruction", "question"};
  static final String[] ANSWER = {"response", "output", "answer"};

  private FlatRecordMapper() {}

  static Sample map(JsonNode record, String source, String fallbackId) throws BadRecord {
    String questionField = Fields.firstPresent(record, QUESTION);
    String question = Fields.requiredText(record, "question", QUESTION);
    if ("instruction".equals(questionField)) {
      // Alpaca: the input is part of the task; "prompt" already holds the full text the model saw.
      String input = Fields.optionalText(record, "input");
      if (input != null && !input.isEmpty()) {
        question = question + "\n\n" + input;
      }
    }
    String answer = Fields.answer(Fields.requiredText(record, "answer", ANSWER));
    return new Sample(
        Fields.id(record, fallbackId),
        source,
        Fields.metadata(record, Fields.MODEL),
        Fields.metadata(record, Fields.CATEGORY),
        systemPrompt(record),
        List.of(),
        question,
        answer);
  }

  static String systemPrompt(JsonNode record) throws BadRecord {
    String system = Fields.optionalText(record, "system");
    return system == null ? "" : system;
  }
}
