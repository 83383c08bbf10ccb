package org.aspd.pipeline.llmjob;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.aspd.format.TagEscaper;
import org.aspd.model.Sample;
import org.aspd.teacher.rules.RulesTeacher;

/**
 * Real answers from the bundled Vicuna Bench (gpt-4o), each with the annotation a careful teacher
 * would reply with: the embedded rules teacher's first candidate, which the job's own integrity gate
 * accepts. The fake provider replies with these, so the rows of an LLM run are real ASPD rows.
 */
final class VicunaSamples {
  private static final ObjectMapper JSON = new ObjectMapper();

  /** One input sample and the annotated answer the fake teacher gives for it. */
  record Annotated(Sample sample, String annotated) {
    String id() {
      return sample.id();
    }
  }

  private VicunaSamples() {}

  static Path dataset() {
    return Path.of(System.getProperty("aspd.home", "..")).resolve("datasets/vicuna-bench");
  }

  /** Every answer that the rules teacher annotates as parallel. */
  static List<Annotated> allParallel() {
    return parallel(Integer.MAX_VALUE, false);
  }

  /** The first {@code n} answers (by question id) that the rules teacher annotates as parallel. */
  static List<Annotated> parallel(int n) {
    return parallel(n, true);
  }

  private static List<Annotated> parallel(int n, boolean exactly) {
    try {
      Path dir = dataset();
      Map<Integer, JsonNode> questions = new HashMap<>();
      for (String line : Files.readAllLines(dir.resolve("question.jsonl"), StandardCharsets.UTF_8)) {
        JsonNode q = JSON.readTree(line);
        questions.put(q.get("question_id").asInt(), q);
      }
      List<Annotated> out = new ArrayList<>();
      RulesTeacher rules = new RulesTeacher();
      for (String line : Files.readAllLines(dir.resolve("model_answer/gpt-4o.jsonl"), StandardCharsets.UTF_8)) {
        if (out.size() == n) {
          break;
        }
        JsonNode a = JSON.readTree(line);
        int qid = a.get("question_id").asInt();
        JsonNode q = questions.get(qid);
        Sample s = new Sample("vicuna-" + qid, "", "gpt-4o", q.get("category").asText(), "", List.of(),
            q.get("turns").get(0).asText(), a.get("choices").get(0).get("turns").get(0).asText());
        List<String> rewrites = rules.rewrite(s, TagEscaper.escape(s.answer()), 1);
        if (!rewrites.isEmpty() && !rewrites.get(0).isBlank()) {
          out.add(new Annotated(s, rewrites.get(0)));
        }
      }
      if (exactly && out.size() < n) {
        throw new IllegalStateException("only " + out.size() + " parallel answers in " + dir);
      }
      return out;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /**
   * {@code n} distinct samples for load tests: copies of {@code base} whose answers start with a
   * serial line of their own ("Variant k."), so every request body differs; the annotation is the
   * base annotation after the same line.
   */
  static List<Annotated> variants(List<Annotated> base, int n) {
    List<Annotated> out = new ArrayList<>(n);
    for (int k = 0; k < n; k++) {
      Annotated a = base.get(k % base.size());
      String line = "Variant " + k + ".\n\n";
      Sample s = a.sample();
      out.add(new Annotated(new Sample(s.id() + "-v" + k, s.source(), s.model(), s.category(), s.system(),
          s.history(), s.question(), line + s.answer()), line + a.annotated()));
    }
    return out;
  }

  /** The samples as the reader's plain JSONL (one record per line). */
  static void writeJsonl(List<Annotated> samples, Path file) throws IOException {
    StringBuilder out = new StringBuilder();
    for (Annotated a : samples) {
      Sample s = a.sample();
      ObjectNode node = JSON.createObjectNode();
      node.put("id", s.id()).put("model", s.model()).put("category", s.category())
          .put("question", s.question()).put("answer", s.answer());
      out.append(node).append('\n');
    }
    Files.createDirectories(file.getParent());
    Files.writeString(file, out.toString(), StandardCharsets.UTF_8);
  }
}
