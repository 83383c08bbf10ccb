package org.aspd.pipeline;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.apache.avro.generic.GenericRecord;
import org.apache.beam.sdk.PipelineResult;
import org.aspd.format.AspdText;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Bad input never stops the job and is never lost: every input line is either a shard row or a
 * dead letter with a stage and a reason.
 */
class BadInputTest {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final String LIST = "Three independent tips:\n\n"
      + "1. **Sleep**: keep a regular schedule and aim for seven to nine hours every single night.\n\n"
      + "2. **Water**: drink water through the day, and more of it when the weather is hot outside.\n\n"
      + "3. **Walks**: a short walk after meals helps digestion and clears the mind for the afternoon.\n\n"
      + "Small habits add up over time.";

  @TempDir
  Path dir;

  @Test
  void everyBadLineIsADeadLetterWithAReasonAndTheJobFinishes() throws Exception {
    ByteArrayOutputStream file = new ByteArrayOutputStream();
    int lines = 0;
    lines += line(file, "{\"id\": \"ok-1\", \"question\": \"Tips?\", \"answer\": " + quote(LIST) + "}");
    lines += line(file, "{\"id\": \"broken\", \"question\": \"Tips?\", \"answer\": ");
    lines += line(file, "this is not json at all");
    lines += line(file, "{\"id\": \"no-answer\", \"question\": \"Tips?\"}");
    lines += line(file, "{\"id\": \"no-question\", \"answer\": \"An answer without a question.\"}");
    lines += line(file, "{\"id\": \"empty\", \"question\": \"Tips?\", \"answer\": \"\"}");
    lines += line(file, "{\"id\": \"huge\", \"question\": \"Tips?\", \"answer\": " + quote("word ".repeat(420_000)) + "}");
    lines += line(file, "{\"id\": \"literal-special\", \"question\": \"Tokens?\", \"answer\": "
        + quote(LIST.replace("Small habits", "Write <|para|> and <|/branch|> and <branch title=\"x\"> literally; small habits")) + "}");
    lines += line(file, "{\"id\": \"ok-1\", \"question\": \"Tips again?\", \"answer\": " + quote(LIST + " Again.") + "}");
    // Invalid UTF-8: a lone continuation byte and a truncated sequence inside the answer.
    file.write("{\"id\": \"bad-utf8\", \"question\": \"Tips?\", \"answer\": \"caf".getBytes(StandardCharsets.UTF_8));
    file.write(new byte[] {(byte) 0xC3, (byte) 0x28, (byte) 0x80});
    file.write("\"}\n".getBytes(StandardCharsets.UTF_8));
    lines++;
    Path input = dir.resolve("bad.jsonl");
    Files.write(input, file.toByteArray());
    Path out = dir.resolve("out");

    assertEquals(PipelineResult.State.DONE, JobRunner.run(List.of(input.toString()), out));

    Map<String, GenericRecord> rows = JobRunner.rows(out);
    List<JsonNode> dead = JobRunner.deadLetters(out);
    assertEquals(lines, rows.size() + dead.size(), "rows in = rows out + dead letters; rows " + rows.keySet()
        + ", dead " + dead);
    for (JsonNode d : dead) {
      assertFalse(d.get("reason").asText().isBlank(), d.toString());
      assertFalse(d.get("stage").asText().isBlank(), d.toString());
      assertFalse(d.get("input").asText().isEmpty(), "the dead letter keeps its input: " + d);
    }
    assertTrue(rows.containsKey("ok-1"));
    assertTrue(rows.containsKey("literal-special"));
    GenericRecord literal = rows.get("literal-special");
    assertEquals(JobRunner.str(literal, "original"), AspdText.deTag(JobRunner.str(literal, "aspd_text")));
    assertTrue(JobRunner.str(literal, "original").contains("<|para|>"));

    assertEquals("duplicate_id", reasonOf(dead, "ok-1"));
    assertEquals("over_token_limit", reasonOf(dead, "huge"));
    assertEquals(dead.size(), JobRunner.stats(out).get("dead_letters").asInt());
    assertEquals(rows.size(), JobRunner.stats(out).get("samples_total").asInt());
    assertEquals(lines, JobRunner.stats(out).get("rows_in").asInt());
  }

  private static String reasonOf(List<JsonNode> dead, String id) {
    return dead.stream().filter(d -> d.get("id").asText().equals(id)).map(d -> d.get("reason").asText())
        .findFirst().orElse("(none)");
  }

  private static int line(ByteArrayOutputStream out, String text) {
    out.writeBytes((text + "\n").getBytes(StandardCharsets.UTF_8));
    return 1;
  }

  private static String quote(String s) {
    ObjectNode n = JSON.createObjectNode();
    n.put("s", s);
    String json = n.toString();
    return json.substring(5, json.length() - 1);
  }
}
