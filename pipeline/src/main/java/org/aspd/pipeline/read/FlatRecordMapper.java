package org.aspd.pipeline.read;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.List;
import org.aspd.model.Sample;
import org.aspd.model.Turn;

/**
 * Maps a flat record, one question and one answer: {@code prompt|instruction|question} with
 * {@code response|output|answer}, including Alpaca's {@code {instruction, input, output}} and the
 * AlpacaEval {@code {instruction, output, generator, dataset}} records. Earlier turns may come as
 * {@code history}: {@code [{role, content}]} (as earlier dead letters of aspd hold them) or
 * LLaMA-Factory's {@code [[user, assistant], ...]} pairs.
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
    String system = systemPrompt(record);
    List<Turn> history = history(record);
    if (system.isEmpty() && !history.isEmpty() && history.get(0).role().equals("system")) {
      // A leading system turn is the system prompt, as in a chat record's messages.
      system = history.get(0).content();
      history = history.subList(1, history.size());
    }
    return new Sample(
        Fields.id(record, fallbackId),
        source,
        Fields.metadata(record, Fields.MODEL),
        Fields.metadata(record, Fields.CATEGORY),
        system,
        history,
        question,
        answer);
  }

  private static List<Turn> history(JsonNode record) throws BadRecord {
    JsonNode h = record.get("history");
    if (h == null || h.isNull() || (h.isTextual() && h.textValue().isEmpty()) || (h.isArray() && h.isEmpty())) {
      return List.of(); // "history": "" or [] in exports that always write the key
    }
    if (!h.isArray() || h.isEmpty() || !h.get(0).isArray()) {
      return ChatRecordMapper.turns(record, "history");
    }
    List<Turn> turns = new ArrayList<>();
    for (int i = 0; i < h.size(); i++) {
      JsonNode pair = h.get(i);
      if (!pair.isArray() || pair.size() != 2 || !pair.get(0).isTextual() || !pair.get(1).isTextual()) {
        throw new BadRecord(Reason.NOT_A_STRING, "history[" + i + "] is not a [user, assistant] pair of strings");
      }
      turns.add(new Turn("user", pair.get(0).textValue()));
      turns.add(new Turn("assistant", pair.get(1).textValue()));
    }
    return turns;
  }

  static String systemPrompt(JsonNode record) throws BadRecord {
    String system = Fields.optionalText(record, "system");
    return system == null ? "" : system;
  }
}
