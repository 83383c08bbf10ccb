package org.aspd.pipeline.read;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.aspd.model.Sample;
import org.aspd.model.Turn;

/**
 * Maps a chat record: OpenAI {@code messages: [{role, content}]} or ShareGPT
 * {@code conversations: [{from, value}]}. The final assistant turn is the answer, the user turn
 * right before it the question, a leading system message the system prompt, the rest history.
 */
final class ChatRecordMapper {
  private ChatRecordMapper() {}

  static boolean isChat(JsonNode record) {
    return Fields.firstPresent(record, "messages", "conversations") != null;
  }

  static Sample map(JsonNode record, String source, String fallbackId) throws BadRecord {
    List<Turn> turns = turns(record, Fields.firstPresent(record, "messages", "conversations"));
    String system = FlatRecordMapper.systemPrompt(record);
    int first = 0;
    if (!turns.isEmpty() && turns.get(0).role().equals("system")) {
      system = turns.get(0).content();
      first = 1;
    }
    int last = turns.size() - 1;
    if (last < first || !turns.get(last).role().equals("assistant")) {
      throw new BadRecord(
          Reason.NO_ASSISTANT_TURN,
          last < first
              ? "conversation has no user or assistant turn"
              : "conversation ends with a '" + turns.get(last).role() + "' turn, not an assistant turn");
    }
    if (last - 1 < first || !turns.get(last - 1).role().equals("user")) {
      throw new BadRecord(
          Reason.NO_USER_TURN, "the final assistant turn does not follow a user turn");
    }
    return new Sample(
        Fields.id(record, fallbackId),
        source,
        Fields.metadata(record, Fields.MODEL),
        Fields.metadata(record, Fields.CATEGORY),
        system,
        turns.subList(first, last - 1),
        turns.get(last - 1).content(),
        Fields.answer(turns.get(last).content()));
  }

  /** The turns of a list of messages in {@code record.field}, roles normalised. */
  static List<Turn> turns(JsonNode record, String field) throws BadRecord {
    JsonNode messages = record.get(field);
    if (!messages.isArray()) {
      throw new BadRecord(Reason.NOT_A_STRING, "field '" + field + "' is not a list of messages");
    }
    List<Turn> turns = new ArrayList<>();
    for (int i = 0; i < messages.size(); i++) {
      turns.add(turn(messages.get(i), field, i));
    }
    return turns;
  }

  private static Turn turn(JsonNode message, String field, int index) throws BadRecord {
    if (!message.isObject()) {
      throw new BadRecord(Reason.NOT_AN_OBJECT, field + "[" + index + "] is not an object");
    }
    String where = field + "[" + index + "].";
    String role = withContext(where, () -> Fields.requiredText(message, "role", "role", "from"));
    JsonNode parts = message.get("content");
    String content = parts != null && parts.isArray() ? withContext(where, () -> textOfParts(parts))
        : withContext(where, () -> Fields.requiredText(message, "content", "content", "value"));
    return new Turn(role(role), content);
  }

  /**
   * OpenAI's content parts, {@code [{"type": "text", "text": "..."}]}: their texts joined with a
   * newline, as vLLM and the OpenAI server join them for the model. A part that is not text (an
   * image) is an error: the answer would lose it.
   */
  private static String textOfParts(JsonNode parts) throws BadRecord {
    StringBuilder text = new StringBuilder();
    for (int i = 0; i < parts.size(); i++) {
      JsonNode part = parts.get(i);
      String type = part.path("type").asText("");
      if (!part.isObject() || !type.equals("text") || !part.path("text").isTextual()) {
        throw new BadRecord(Reason.NOT_A_STRING, "content[" + i + "] is " + (type.isEmpty() ? "not a text part"
            : type.equals("text") ? "a text part without a text string" : "a '" + type + "' part, not text"));
      }
      text.append(i == 0 ? "" : "\n").append(part.get("text").textValue());
    }
    if (parts.isEmpty()) {
      throw new BadRecord(Reason.MISSING_FIELD, "content is an empty list of parts");
    }
    return text.toString();
  }

  /** ShareGPT speaks of human/gpt; unknown roles (tool, function) are kept as written. */
  private static String role(String raw) {
    String role = raw.toLowerCase(Locale.ROOT);
    switch (role) {
      case "user":
      case "human":
        return "user";
      case "assistant":
      case "gpt":
      case "bot":
      case "model":
      case "chatgpt":
        return "assistant";
      case "system":
        return "system";
      default:
        return raw;
    }
  }

  private interface TextField {
    String get() throws BadRecord;
  }

  private static String withContext(String where, TextField field) throws BadRecord {
    try {
      return field.get();
    } catch (BadRecord e) {
      throw new BadRecord(e.reason(), where + e.getMessage());
    }
  }
}
