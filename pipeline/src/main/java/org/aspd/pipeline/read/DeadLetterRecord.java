package org.aspd.pipeline.read;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;

/**
 * A line of a run's {@code dead_letters/*.jsonl} read back as input: its {@code input} (the original
 * record, or the sample as a record for later stages) is read in its place, under the id and source
 * it had, so {@code aspd run --input out/dead_letters/} reruns exactly what failed, once the cause is
 * fixed (a provider back up, a record mended by hand).
 */
final class DeadLetterRecord {
  private DeadLetterRecord() {}

  /** A dead letter has these and no question, answer or messages of its own. */
  static boolean is(JsonNode record) {
    return record.isObject() && record.path("stage").isTextual() && record.path("reason").isTextual()
        && record.path("input").isTextual() && record.path("detail").isTextual()
        && Fields.firstPresent(record, FlatRecordMapper.ANSWER) == null
        && !ChatRecordMapper.isChat(record);
  }

  /** Maps the dead letter's input into {@code sink}; input that is still not a record is a dead letter again. */
  static void emit(JsonNode deadLetter, String source, String fallbackId, RecordSink sink) {
    String input = deadLetter.get("input").asText();
    String originalSource = deadLetter.path("source").asText("");
    String originalId = deadLetter.path("id").asText("");
    String where = originalSource.isEmpty() ? source : originalSource;
    String id = originalId.isEmpty() ? fallbackId : originalId;
    JsonNode record;
    try {
      record = Json.parseOne(input);
    } catch (JsonProcessingException e) {
      sink.failure(DeadLetters.of(Reason.MALFORMED_JSON, "the dead letter's input is still not JSON (it failed at "
          + deadLetter.get("stage").asText() + ":" + deadLetter.get("reason").asText() + " before): "
          + e.getOriginalMessage(), id, where, input));
      return;
    }
    RecordMapper.emit(record, where, id, input, sink);
  }
}
