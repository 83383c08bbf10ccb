package org.aspd.pipeline.write;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.aspd.model.DeadLetter;

/** One dead letter as one JSON line: stage, reason, detail, id, source, input. */
public final class DeadLetterJson {
  private static final ObjectMapper JSON = new ObjectMapper();

  private DeadLetterJson() {}

  public static String toJson(DeadLetter d) {
    ObjectNode node = JSON.createObjectNode();
    node.put("stage", d.stage());
    node.put("reason", d.reason());
    node.put("detail", d.detail());
    node.put("id", d.id());
    node.put("source", d.source());
    node.put("input", d.input());
    return node.toString();
  }
}
