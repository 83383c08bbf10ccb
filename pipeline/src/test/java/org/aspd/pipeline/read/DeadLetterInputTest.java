package org.aspd.pipeline.read;

import static org.aspd.pipeline.read.Fixtures.write;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.List;
import org.aspd.model.DeadLetter;
import org.aspd.model.Sample;
import org.aspd.model.Turn;
import org.aspd.pipeline.write.DeadLetterJson;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A run's dead letters fed back as input: each is read as the record it holds, under its id and source. */
class DeadLetterInputTest {
  @TempDir Path dir;

  @Test
  void deadLettersAreReadAsTheRecordsTheyHold() throws Exception {
    Sample multiTurn = new Sample("chat-7", "/data/chat.jsonl:7", "m", "c", "Be brief.",
        List.of(new Turn("user", "u1"), new Turn("assistant", "a1")), "u2", "a2");
    Sample flat = new Sample("q-3", "/data/flat.jsonl:3", "", "", "", List.of(), "Why?", "Because.");
    String stageFailure = DeadLetterJson.toJson(org.aspd.stages.DeadLetters.of("Rewrite", "teacher_error",
        "llm rewrite call failed after 3 attempts: HTTP 500", multiTurn));
    String flatFailure = DeadLetterJson.toJson(org.aspd.stages.DeadLetters.of("CheckIntegrity", "teacher_error",
        "timeout", flat));
    // A read failure whose raw line was mended by hand (it had no id: the made-up one is kept).
    String mended = DeadLetterJson.toJson(new DeadLetter("ReadSamples", "malformed_json", "Unexpected end",
        "flat.jsonl:9", "/data/flat.jsonl:9", "{\"prompt\":\"fixed q\",\"response\":\"fixed a\"}"));
    // One still broken.
    String broken = DeadLetterJson.toJson(new DeadLetter("ReadSamples", "malformed_json", "Unexpected end",
        "flat.jsonl:10", "/data/flat.jsonl:10", "{\"prompt\":\"q\",\"resp"));
    write(dir, "dead_letters/dead-letters-00000-of-00001.jsonl", stageFailure, flatFailure, mended, broken);

    ReadRun run = ReadRun.of(dir.resolve("dead_letters").toString());

    assertEquals(multiTurn, run.sample("chat-7"), "system, history and source come back as they were");
    assertEquals(flat, run.sample("q-3"));
    Sample fixed = run.sample("flat.jsonl:9");
    assertEquals(List.of("fixed q", "fixed a", "/data/flat.jsonl:9"), List.of(fixed.question(), fixed.answer(), fixed.source()));
    assertEquals(3, run.samples.size());
    assertEquals(1, run.failures.size(), run.failures.toString());
    DeadLetter again = run.failures.get(0);
    assertEquals(List.of(Reason.MALFORMED_JSON, "flat.jsonl:10", "/data/flat.jsonl:10", "{\"prompt\":\"q\",\"resp"),
        List.of(again.reason(), again.id(), again.source(), again.input()));
    assertTrue(again.detail().contains("failed at ReadSamples:malformed_json before"), again.detail());
  }

  @Test
  void aRecordThatMerelyHasAStageFieldIsAnOrdinaryRecord() throws Exception {
    write(dir, "in.jsonl", "{\"id\":\"s\",\"stage\":\"draft\",\"reason\":\"r\",\"detail\":\"d\",\"input\":\"i\","
        + "\"prompt\":\"q\",\"response\":\"a\"}");
    ReadRun run = ReadRun.of(dir.resolve("in.jsonl").toString());
    assertEquals("a", run.sample("s").answer());
  }
}
