package org.aspd.pipeline.read;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;

/**
 * A line of a run's {@code dead_letters/*.jsonl} read back as input: its {@code input} (the original
 * record, or the sample as a record for later stages) is read in its place, under the id and source
 * it had, so {@code aspd run --input out/dead_letters/} reruns what failed once the cause is fixed
 * (a provider back up, a record mended by hand). What cannot be read that way is a dead letter
 * again that says what to do instead:
 * <ul>
 *   <li>a duplicate id, unless its record was given another id: reading it would put a second
 *       sample under an id the first run already has a row for ({@code duplicate_id});
 *   <li>an input that is not a record: a path that did not exist or could not be read, a FastChat
 *       answer (read only with its question file), a record cut to fit the dead letter
 *       ({@code not_a_record}).
 * </ul>
 */
final class DeadLetterRecord {
  static final String NOT_A_RECORD = "not_a_record";

  private DeadLetterRecord() {}

  /** A dead letter has these and no question, answer or messages of its own. */
  static boolean is(JsonNode record) {
    return record.isObject() && record.path("stage").isTextual() && record.path("reason").isTextual()
        && record.path("input").isTextual() && record.path("detail").isTextual()
        && Fields.firstPresent(record, FlatRecordMapper.ANSWER) == null
        && !ChatRecordMapper.isChat(record);
  }

  /** Maps the dead letter's input into {@code sink}, or a dead letter again when it cannot be read. */
  static void emit(JsonNode deadLetter, String source, String fallbackId, RecordSink sink) {
    String stage = deadLetter.get("stage").asText();
    String reason = deadLetter.get("reason").asText();
    String input = deadLetter.get("input").asText();
    String before = " (it failed at " + stage + ":" + reason + " before)";
    String originalSource = deadLetter.path("source").asText("");
    String originalId = deadLetter.path("id").asText("");
    String where = originalSource.isEmpty() ? source : originalSource;
    String id = originalId.isEmpty() ? fallbackId : originalId;
    if (reason.equals(Reason.NOT_FOUND) || (reason.equals(Reason.UNREADABLE_FILE) && input.equals(originalSource))) {
      sink.failure(DeadLetters.of(NOT_A_RECORD, "the input is the path " + input + before
          + ", not a record: give that path to --input once it can be read", id, where, input));
      return;
    }
    if (reason.equals(Reason.INVALID_UTF8)) {
      // The input shows the bytes that were not UTF-8 decoded some other way: read as a record, it
      // became a row of mojibake ("ÿþ bad").
      sink.failure(DeadLetters.of(NOT_A_RECORD, "the input holds bytes that were not UTF-8, shown as other"
          + " characters" + before + ": convert " + org.aspd.metrics.StatsEvent.sourceFile(where) + " to UTF-8 and read it",
          id, where, input));
      return;
    }
    String detail = deadLetter.get("detail").asText();
    if (detail.contains(DeadLetters.TRUNCATED) || detail.contains(JsonStreamReader.REST_OF_FILE)) {
      sink.failure(DeadLetters.of(NOT_A_RECORD, (detail.contains(DeadLetters.TRUNCATED)
          ? "the input was cut to fit the dead letter" : "the input is the rest of a file after a break") + before
          + ": mend the file it came from (" + where + ") and read it", id, where, input));
      return;
    }
    JsonNode record;
    try {
      record = Json.parseOne(input);
    } catch (JsonProcessingException e) {
      sink.failure(DeadLetters.of(Reason.MALFORMED_JSON, "the dead letter's input is still not JSON" + before + ": "
          + e.getOriginalMessage(), id, where, input));
      return;
    }
    if (isFastChatAnswer(record)) {
      sink.failure(DeadLetters.of(NOT_A_RECORD, "a FastChat answer is read with its question file" + before
          + ": read its benchmark folder (" + benchmarkFolder(where) + ") again", id, where, input));
      return;
    }
    if (reason.equals("duplicate_id") && record.isObject() && Fields.id(record, id).equals(id)) {
      sink.failure(DeadLetters.of("duplicate_id", "the first run kept another sample under '" + id + "'" + before
          + "; give this record an id of its own to read it", id, where, input));
      return;
    }
    RecordMapper.emit(record, where, id, input, sink);
  }

  /** {@code .../bench/model_answer/m.jsonl:2} -> {@code .../bench/}: the folder that holds question.jsonl. */
  static String benchmarkFolder(String source) {
    String file = source.replaceFirst(":\\d+$", "");
    String folder = file.substring(0, file.lastIndexOf('/') + 1);
    for (String answers : new String[] {"model_answer/", "answer/"}) {
      if (folder.endsWith("/" + answers)) {
        return folder.substring(0, folder.length() - answers.length());
      }
    }
    return folder;
  }

  private static boolean isFastChatAnswer(JsonNode record) {
    return record.isObject() && record.has("question_id") && !ChatRecordMapper.isChat(record)
        && Fields.firstPresent(record, FlatRecordMapper.QUESTION) == null;
  }
}
