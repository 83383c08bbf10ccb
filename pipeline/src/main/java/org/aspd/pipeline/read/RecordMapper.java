package org.aspd.pipeline.read;

import com.fasterxml.jackson.databind.JsonNode;
import org.aspd.model.Sample;

/**
 * Turns one parsed record into a sample, choosing chat or flat mapping by the record's own keys:
 * files mixing both shapes still read, and the format a file was detected as is only for the log.
 */
final class RecordMapper {
  private RecordMapper() {}

  static Sample map(JsonNode record, String source, String fallbackId) throws BadRecord {
    if (!record.isObject()) {
      throw new BadRecord(Reason.NOT_AN_OBJECT, "record is a JSON " + record.getNodeType() + ", not an object");
    }
    return checkedText(ChatRecordMapper.isChat(record)
        ? ChatRecordMapper.map(record, source, fallbackId)
        : FlatRecordMapper.map(record, source, fallbackId));
  }

  /**
   * A JSON escape can make a lone UTF-16 surrogate ({@code "\ud800"}), which UTF-8 cannot store:
   * the written row silently read "?" there. Such a record is a dead letter that says where.
   */
  static Sample checkedText(Sample s) throws BadRecord {
    checkText("id", s.id());
    checkText("system", s.system());
    checkText("question", s.question());
    checkText("answer", s.answer());
    for (int t = 0; t < s.history().size(); t++) checkText("history[" + t + "]", s.history().get(t).content());
    return s;
  }

  private static void checkText(String field, String text) throws BadRecord {
    for (int i = 0; i < text.length(); i++) {
      char c = text.charAt(i);
      if (Character.isHighSurrogate(c) && i + 1 < text.length() && Character.isLowSurrogate(text.charAt(i + 1))) {
        i++;
      } else if (Character.isSurrogate(c)) {
        throw new BadRecord(Reason.INVALID_UTF8, String.format(java.util.Locale.ROOT,
            "%s holds a lone surrogate \\u%04X at character %d, which UTF-8 cannot store", field, (int) c, i));
      }
    }
  }

  /**
   * Maps {@code record} into {@code sink}: a sample, or a dead letter carrying {@code rawText}. A
   * bug in a mapper must not stop the job either, so it too becomes a dead letter. A line of an
   * earlier run's dead letters is read as the input it holds ({@link DeadLetterRecord}).
   */
  static void emit(JsonNode record, String source, String fallbackId, String rawText, RecordSink sink) {
    if (DeadLetterRecord.is(record)) {
      DeadLetterRecord.emit(record, source, fallbackId, sink);
      return;
    }
    try {
      sink.sample(map(record, source, fallbackId));
    } catch (BadRecord e) {
      sink.failure(DeadLetters.of(e.reason(), e.getMessage(), idOf(record, fallbackId), source, rawText));
    } catch (RuntimeException e) {
      sink.failure(
          DeadLetters.of(Reason.INTERNAL_ERROR, e.toString(), idOf(record, fallbackId), source, rawText));
    }
  }

  private static String idOf(JsonNode record, String fallbackId) {
    return record.isObject() ? Fields.id(record, fallbackId) : fallbackId;
  }

  /** The shape of a record, for the per-file format log line. */
  static String describe(JsonNode record) {
    if (!record.isObject()) {
      return "non-object records";
    }
    if (record.has("messages")) {
      return "chat (OpenAI messages)";
    }
    if (record.has("conversations")) {
      return "chat (ShareGPT conversations)";
    }
    if (record.has("prompt")) {
      return "prompt/response"; // the prompt wins over instruction/input when both are there
    }
    if (record.has("instruction") && record.has("generator")) {
      return "AlpacaEval (instruction/output/generator)";
    }
    if (record.has("instruction") && record.has("input")) {
      return "Alpaca (instruction/input/output)";
    }
    if (Fields.firstPresent(record, FlatRecordMapper.QUESTION) != null
        && Fields.firstPresent(record, FlatRecordMapper.ANSWER) != null) {
      return "prompt/response";
    }
    return "unrecognised keys " + Fields.keys(record);
  }
}
