package org.aspd.stages;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.aspd.model.DeadLetter;
import org.aspd.model.Sample;
import org.aspd.model.Turn;

/** Dead letters for samples that were already parsed: the input is the sample as JSON. */
public final class DeadLetters {
  private static final ObjectMapper JSON = new ObjectMapper();

  private DeadLetters() {}

  public static DeadLetter of(String stage, String reason, String detail, Sample sample) {
    return new DeadLetter(stage, reason, detail, sample.id(), sample.source(), toJson(sample));
  }

  /**
   * The sample as an input record the reader maps back to the same sample, so a dead letter can be
   * fed back as input ({@code aspd run --input out/dead_letters/}): flat {@code question/answer}, or
   * OpenAI {@code messages} when there are earlier turns (a flat record has no place for them).
   */
  public static String toJson(Sample s) {
    ObjectNode node = JSON.createObjectNode();
    node.put("id", s.id());
    node.put("source", s.source());
    node.put("model", s.model());
    node.put("category", s.category());
    if (s.history().isEmpty()) {
      if (!s.system().isEmpty()) {
        node.put("system", s.system());
      }
      node.put("question", s.question());
      node.put("answer", s.answer());
      return node.toString();
    }
    ArrayNode messages = node.putArray("messages");
    if (!s.system().isEmpty()) {
      messages.addObject().put("role", "system").put("content", s.system());
    }
    for (Turn t : s.history()) {
      messages.addObject().put("role", t.role()).put("content", t.content());
    }
    messages.addObject().put("role", "user").put("content", s.question());
    messages.addObject().put("role", "assistant").put("content", s.answer());
    return node.toString();
  }
}
