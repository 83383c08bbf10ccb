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

  /** The sample in the reader's plain JSONL form, so a fixed dead letter can be fed back as input. */
  public static String toJson(Sample s) {
    ObjectNode node = JSON.createObjectNode();
    node.put("id", s.id());
    node.put("source", s.source());
    node.put("model", s.model());
    node.put("category", s.category());
    if (!s.system().isEmpty()) {
      node.put("system", s.system());
    }
    if (!s.history().isEmpty()) {
      ArrayNode history = node.putArray("history");
      for (Turn t : s.history()) {
        history.addObject().put("role", t.role()).put("content", t.content());
      }
    }
    node.put("question", s.question());
    node.put("answer", s.answer());
    return node.toString();
  }
}
