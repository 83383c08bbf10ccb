package org.aspd.pipeline.read;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.aspd.model.Sample;
import org.aspd.model.Turn;

/**
 * Joins a FastChat answer file with its {@code question.jsonl} by {@code question_id}.
 *
 * <p>Layouts: llm_judge ({@code question.jsonl} with {@code turns}, {@code model_answer/<model>.jsonl}
 * with {@code model_id} and {@code choices[0].turns}) and the legacy eval table ({@code text} on
 * both sides, {@code answer/answer_<model>.jsonl}); each line is read by its own keys, so mixed
 * files work too. Question files are benchmark-sized (hundreds to thousands of lines), so they are
 * held in memory; answers stream.
 */
final class FastChatReader {
  private record Question(String category, List<String> turns) {}

  private FastChatReader() {}

  /**
   * Reads one answer file into {@code sink}. The question file's own bad lines are reported only
   * when {@code reportQuestionFailures}, so a directory with several answer files reports them once.
   */
  static long read(SourceFile questions, SourceFile answers, boolean reportQuestionFailures, RecordSink sink)
      throws IOException {
    RecordSink questionSink = reportQuestionFailures ? sink : new RecordSink() {
      @Override public void sample(Sample sample) {}
      @Override public void failure(org.aspd.model.DeadLetter failure) {}
    };
    Map<String, Question> byId = questions(questions, questionSink);
    String model = modelFromFileName(answers.name());
    long records = 0;
    try (InputStream in = answers.open()) {
      Utf8Lines lines = new Utf8Lines(in);
      for (Utf8Lines.Line line = lines.next(); line != null; line = lines.next()) {
        String source = answers.path() + ":" + line.number();
        if (line.problem() == null && line.text().isBlank()) {
          continue;
        }
        records++;
        if (line.problem() != null) {
          sink.failure(DeadLetters.of(line.problem(), line.detail(), "", source, line.text()));
          continue;
        }
        JsonNode answer = JsonLinesReader.parse(line.text(), source, "", sink);
        if (answer != null) {
          emit(answer, byId, model, answers.idPrefix(), source, line.text(), sink);
        }
      }
    }
    return records;
  }

  private static void emit(
      JsonNode answer, Map<String, Question> byId, String model, String idPrefix, String source, String raw,
      RecordSink sink) {
    String id = answer.isObject() && answer.hasNonNull("question_id")
        ? idPrefix + model + "/" + answer.get("question_id").asText()
        : "";
    try {
      sink.sample(RecordMapper.checkedText(join(answer, byId, model, id, source)));
    } catch (BadRecord e) {
      sink.failure(DeadLetters.of(e.reason(), e.getMessage(), id, source, raw));
    } catch (RuntimeException e) {
      sink.failure(DeadLetters.of(Reason.INTERNAL_ERROR, e.toString(), id, source, raw));
    }
  }

  private static Sample join(JsonNode answer, Map<String, Question> byId, String fileModel, String id, String source)
      throws BadRecord {
    if (!answer.isObject()) {
      throw new BadRecord(Reason.NOT_AN_OBJECT, "answer line is not a JSON object");
    }
    if (id.isEmpty()) {
      throw new BadRecord(Reason.MISSING_FIELD, "answer has no question_id; keys " + Fields.keys(answer));
    }
    Question question = byId.get(answer.get("question_id").asText());
    if (question == null) {
      throw new BadRecord(
          Reason.UNMATCHED_QUESTION,
          "question_id " + answer.get("question_id").asText() + " is not in the question file");
    }
    List<String> turns = answer.has("choices") ? choiceTurns(answer) : List.of(Fields.requiredText(answer, "answer", "text"));
    if (turns.isEmpty()) {
      throw new BadRecord(Reason.EMPTY_ANSWER, "choices[0].turns is empty");
    }
    int last = turns.size() - 1;
    if (last >= question.turns().size()) {
      throw new BadRecord(
          Reason.TURN_MISMATCH,
          turns.size() + " answer turns for a question with " + question.turns().size() + " turns");
    }
    List<Turn> history = new ArrayList<>();
    for (int i = 0; i < last; i++) {
      history.add(new Turn("user", question.turns().get(i)));
      history.add(new Turn("assistant", turns.get(i)));
    }
    String model = Fields.metadata(answer, "model_id");
    return new Sample(
        id,
        source,
        model.isEmpty() ? fileModel : model,
        question.category(),
        "",
        history,
        question.turns().get(last),
        Fields.answer(turns.get(last)));
  }

  private static List<String> choiceTurns(JsonNode answer) throws BadRecord {
    JsonNode turns = answer.path("choices").path(0).path("turns");
    if (!turns.isArray()) {
      throw new BadRecord(Reason.MISSING_FIELD, "answer has no choices[0].turns list");
    }
    return textList(turns, "choices[0].turns");
  }

  private static Map<String, Question> questions(SourceFile file, RecordSink sink) throws IOException {
    Map<String, Question> byId = new HashMap<>();
    try (InputStream in = file.open()) {
      Utf8Lines lines = new Utf8Lines(in);
      for (Utf8Lines.Line line = lines.next(); line != null; line = lines.next()) {
        String source = file.path() + ":" + line.number();
        if (line.problem() != null) {
          sink.failure(DeadLetters.of(line.problem(), line.detail(), "", source, line.text()));
          continue;
        }
        if (line.text().isBlank()) {
          continue;
        }
        JsonNode node = JsonLinesReader.parse(line.text(), source, "", sink);
        if (node == null) {
          continue;
        }
        try {
          String id = question(node, byId);
          byId.put(id, new Question(Fields.metadata(node, "category"), questionTurns(node)));
        } catch (BadRecord e) {
          sink.failure(DeadLetters.of(e.reason(), "question: " + e.getMessage(), "", source, line.text()));
        }
      }
    }
    return byId;
  }

  private static String question(JsonNode node, Map<String, Question> byId) throws BadRecord {
    if (!node.isObject() || !node.hasNonNull("question_id")) {
      throw new BadRecord(Reason.MISSING_FIELD, "no question_id");
    }
    String id = node.get("question_id").asText();
    if (byId.containsKey(id)) {
      throw new BadRecord(Reason.DUPLICATE_QUESTION, "question_id " + id + " appears again; the first is used");
    }
    return id;
  }

  private static List<String> questionTurns(JsonNode node) throws BadRecord {
    if (node.has("turns")) {
      return textList(node.get("turns"), "turns");
    }
    return List.of(Fields.requiredText(node, "question", "text", "turns"));
  }

  private static List<String> textList(JsonNode list, String field) throws BadRecord {
    if (!list.isArray()) {
      throw new BadRecord(Reason.NOT_A_STRING, field + " is not a list");
    }
    List<String> texts = new ArrayList<>();
    for (JsonNode item : list) {
      if (!item.isTextual()) {
        throw new BadRecord(Reason.NOT_A_STRING, field + " holds a " + item.getNodeType() + ", not a string");
      }
      texts.add(item.textValue());
    }
    return texts;
  }

  /** {@code gpt-4o.jsonl} (or {@code gpt-4o.jsonl.gz}) → gpt-4o; legacy {@code answer_bard.jsonl} → bard. */
  static String modelFromFileName(String fileName) {
    String name = Compressed.withoutSuffix(fileName);
    String stem = name.endsWith(".jsonl") ? name.substring(0, name.length() - 6) : name;
    return stem.startsWith("answer_") ? stem.substring("answer_".length()) : stem;
  }
}
