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
  void aMendedReadFailureComesBackUnderTheIdItsPositionGaveIt() throws Exception {
    write(dir, "in/a.jsonl", "{\"prompt\":\"q1\",\"response\":\"a1\"}", "{\"prompt\":\"q2\",\"resp");
    ReadRun first = ReadRun.of(dir.resolve("in").toString());
    assertEquals(1, first.failures.size());
    DeadLetter broken = first.failures.get(0);
    assertEquals("a.jsonl:2", broken.id(), "the id the line's position gives it");
    DeadLetter mended = new DeadLetter(broken.stage(), broken.reason(), broken.detail(), broken.id(), broken.source(),
        "{\"prompt\":\"q2\",\"response\":\"a2\"}");
    write(dir, "dl/dead-letters.jsonl", DeadLetterJson.toJson(mended));

    ReadRun retry = ReadRun.of(dir.resolve("dl").toString());
    assertEquals(List.of("a.jsonl:2"), retry.samples.stream().map(Sample::id).toList(), "not dead-letters.jsonl:1");
    assertEquals(broken.source(), retry.samples.get(0).source());
  }

  @Test
  void whatCannotBeReadAgainIsADeadLetterAgainThatSaysWhy() throws Exception {
    Sample dup = new Sample("dup", "/data/a.jsonl:5", "", "", "", List.of(), "q", "second answer");
    String duplicate = DeadLetterJson.toJson(org.aspd.stages.DeadLetters.of("DeduplicateIds", "duplicate_id",
        "id 'dup' already used by the sample kept from /data/a.jsonl:4", dup));
    String renamed = duplicate.replace("\\\"id\\\":\\\"dup\\\"", "\\\"id\\\":\\\"dup-2\\\"");
    assertTrue(!renamed.equals(duplicate), "the fixture renames the record");
    String notFound = DeadLetterJson.toJson(new DeadLetter("ReadSamples", Reason.NOT_FOUND,
        "no file or directory matches this path", "", "/data/gone/*.jsonl", "/data/gone/*.jsonl"));
    String cut = DeadLetterJson.toJson(new DeadLetter("ReadSamples", Reason.MALFORMED_JSON,
        "bad" + DeadLetters.TRUNCATED + "1048576 of 3000000 chars]", "big.jsonl:3", "/data/big.jsonl:3", "{\"prompt\":"));
    String fastChat = DeadLetterJson.toJson(new DeadLetter("ReadSamples", Reason.UNMATCHED_QUESTION,
        "no question 2", "fc/m/2", "/data/fc/model_answer/m.jsonl:2",
        "{\"question_id\":2,\"choices\":[{\"turns\":[\"a\"]}]}"));
    String latin = DeadLetterJson.toJson(new DeadLetter("ReadSamples", Reason.INVALID_UTF8,
        "malformed UTF-8 byte sequence 0xFF at byte 12 of the line", "u.jsonl:1", "/data/u.jsonl:1",
        "{\"prompt\":\"\u00ff\u00fe bad\",\"response\":\"ok \u00c3(\"}"));
    write(dir, "dl/dead-letters.jsonl", duplicate, renamed, notFound, cut, fastChat, latin);

    ReadRun run = ReadRun.of(dir.resolve("dl").toString());

    assertEquals(List.of("dup-2"), run.samples.stream().map(Sample::id).toList(), "a record given its own id is read");
    assertEquals(List.of("duplicate_id", DeadLetterRecord.NOT_A_RECORD, DeadLetterRecord.NOT_A_RECORD,
        DeadLetterRecord.NOT_A_RECORD, DeadLetterRecord.NOT_A_RECORD), run.reasons());
    DeadLetter stillDuplicate = run.failures.stream().filter(f -> f.reason().equals("duplicate_id")).findFirst().orElseThrow();
    assertEquals("dup", stillDuplicate.id());
    assertTrue(stillDuplicate.detail().contains("give this record an id of its own"), stillDuplicate.detail());
    DeadLetter path = run.failures.stream().filter(f -> f.input().equals("/data/gone/*.jsonl")).findFirst().orElseThrow();
    assertTrue(path.detail().contains("the input is the path /data/gone/*.jsonl"), path.detail());
    DeadLetter answer = run.failures.stream().filter(f -> f.id().equals("fc/m/2")).findFirst().orElseThrow();
    assertTrue(answer.detail().contains("a FastChat answer is read with its question file")
        && answer.detail().contains("read its benchmark folder (/data/fc/) again"), answer.detail());
    DeadLetter truncated = run.failures.stream().filter(f -> f.id().equals("big.jsonl:3")).findFirst().orElseThrow();
    assertTrue(truncated.detail().contains("cut to fit the dead letter"), truncated.detail());
    // Bytes that were not UTF-8 became a row of mojibake ("\u00ff\u00fe bad") when fed back.
    DeadLetter encoding = run.failures.stream().filter(f -> f.id().equals("u.jsonl:1")).findFirst().orElseThrow();
    assertTrue(encoding.detail().contains("convert /data/u.jsonl to UTF-8 and read it"), encoding.detail());
  }

  @Test
  void historyInAFlatRecordIsKeptInEitherShape() throws Exception {
    write(dir, "in.jsonl",
        "{\"id\":\"old\",\"history\":[{\"role\":\"user\",\"content\":\"u1\"},{\"role\":\"assistant\","
            + "\"content\":\"a1\"}],\"question\":\"u2\",\"answer\":\"a2\"}",
        "{\"id\":\"pairs\",\"instruction\":\"u2\",\"output\":\"a2\",\"history\":[[\"u1\",\"a1\"]]}",
        "{\"id\":\"bad\",\"prompt\":\"u2\",\"response\":\"a2\",\"history\":[[\"u1\"]]}",
        "{\"id\":\"blank\",\"prompt\":\"u2\",\"response\":\"a2\",\"history\":\"\"}",
        "{\"id\":\"sys\",\"prompt\":\"u2\",\"response\":\"a2\",\"history\":[{\"role\":\"system\",\"content\":\"S\"},"
            + "{\"role\":\"user\",\"content\":\"u1\"},{\"role\":\"assistant\",\"content\":\"a1\"}]}");
    ReadRun run = ReadRun.of(dir.resolve("in.jsonl").toString());
    List<Turn> earlier = List.of(new Turn("user", "u1"), new Turn("assistant", "a1"));
    assertEquals(earlier, run.sample("old").history(), "the flat form earlier dead letters were written in");
    assertEquals(earlier, run.sample("pairs").history(), "LLaMA-Factory's [user, assistant] pairs");
    assertEquals(List.of(), run.sample("blank").history(), "an empty history written by an export");
    assertEquals(List.of("S", "u1"), List.of(run.sample("sys").system(), run.sample("sys").history().get(0).content()),
        "a leading system turn is the system prompt");
    assertEquals(List.of(Reason.NOT_A_STRING), run.reasons());
    assertTrue(run.failures.get(0).detail().contains("history[0] is not a [user, assistant] pair"), run.failures.toString());
  }

  @Test
  void aRecordThatMerelyHasAStageFieldIsAnOrdinaryRecord() throws Exception {
    write(dir, "in.jsonl", "{\"id\":\"s\",\"stage\":\"draft\",\"reason\":\"r\",\"detail\":\"d\",\"input\":\"i\","
        + "\"prompt\":\"q\",\"response\":\"a\"}");
    ReadRun run = ReadRun.of(dir.resolve("in.jsonl").toString());
    assertEquals("a", run.sample("s").answer());
  }
}
