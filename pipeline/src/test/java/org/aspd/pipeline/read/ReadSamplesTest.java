package org.aspd.pipeline.read;

import static org.aspd.pipeline.read.Fixtures.write;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.aspd.model.DeadLetter;
import org.aspd.model.Sample;
import org.aspd.model.Turn;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ReadSamplesTest {
  @TempDir Path dir;

  @Test
  void readsEveryFormatInADirectoryTree() throws Exception {
    write(dir, "flat.jsonl",
        "{\"id\":\"f1\",\"question\":\"Q1\",\"answer\":\"A1\",\"model_id\":\"m\",\"category\":\"c\"}",
        "{\"prompt\":\"Q2\",\"output\":\"A2\"}");
    write(dir, "chat/chat.jsonl",
        "{\"id\":\"c1\",\"messages\":[{\"role\":\"system\",\"content\":\"S\"},{\"role\":\"user\",\"content\":\"u1\"},"
            + "{\"role\":\"assistant\",\"content\":\"a1\"},{\"role\":\"user\",\"content\":\"u2\"},"
            + "{\"role\":\"assistant\",\"content\":\"a2\"}]}",
        "{\"id\":\"c2\",\"conversations\":[{\"from\":\"human\",\"value\":\"h\"},{\"from\":\"gpt\",\"value\":\"g\"}]}");
    write(dir, "alpaca_eval.json",
        "[",
        "  {\"instruction\":\"I1\",\"output\":\"O1\",\"generator\":\"gpt4\",\"dataset\":\"vicuna\"},",
        "  {\"instruction\":\"I2\",\"input\":\"in\",\"output\":\"O2\"}",
        "]");
    write(dir, "pretty.json", "{", "  \"prompt\": \"P\",", "  \"response\": \"R\"", "}", "{\"prompt\":\"P2\",\"response\":\"R2\"}");
    write(dir, "array_line.jsonl", "[{\"prompt\":\"x\",\"response\":\"y\"},{\"prompt\":\"x2\",\"response\":\"y2\"}]");
    Fixtures.parquet(dir, "table/part-0.parquet", List.of("instruction", "input", "output", "model"),
        List.of(row("instruction", "PI", "input", "PIn", "output", "PO", "model", "pm"), row("instruction", "PI2", "output", "PO2")));
    write(dir, "README.md", "# not data");
    write(dir, ".hidden/secret.jsonl", "{\"prompt\":\"no\",\"response\":\"no\"}");
    write(dir, "bench/question.jsonl",
        "{\"question_id\":1,\"category\":\"writing\",\"turns\":[\"t1\",\"t2\"]}",
        "{\"question_id\":2,\"category\":\"math\",\"turns\":[\"only\"]}");
    write(dir, "bench/model_answer/m1.jsonl",
        "{\"question_id\":1,\"model_id\":\"model-one\",\"choices\":[{\"index\":0,\"turns\":[\"r1\",\"r2\"]}]}",
        "{\"question_id\":2,\"model_id\":\"model-one\",\"choices\":[{\"index\":0,\"turns\":[\"only answer\"]}]}",
        "{\"question_id\":99,\"model_id\":\"model-one\",\"choices\":[{\"index\":0,\"turns\":[\"orphan\"]}]}");
    write(dir, "bench/model_answer/m2.jsonl", "{\"question_id\":2,\"choices\":[{\"index\":0,\"turns\":[\"second model\"]}]}");
    write(dir, "bench/reference_answer/ref.jsonl", "{\"question_id\":2,\"choices\":[{\"turns\":[\"ref\"]}]}");
    write(dir, "legacy/question.jsonl", "{\"question_id\":1,\"text\":\"old q\",\"category\":\"generic\"}");
    write(dir, "legacy/answer/answer_bard.jsonl", "{\"question_id\":1,\"model_id\":\"bard:2023\",\"text\":\"old a\"}");
    write(dir, "legacy/answer/answer_alpaca-13b.jsonl", "{\"question_id\":1,\"text\":\"alpaca a\"}");
    write(dir, "legacy/model.jsonl", "{\"model_id\":\"bard:2023\"}");

    ReadRun run = ReadRun.of(dir.toString());

    assertEquals(List.of(Reason.UNMATCHED_QUESTION), run.reasons(), run.failures.toString());
    assertEquals(17, run.samples.size());
    assertEquals(17, run.counter("samples"));

    Sample f1 = run.sample("f1");
    assertEquals(List.of("m", "c", "Q1", "A1", dir.resolve("flat.jsonl") + ":1"),
        List.of(f1.model(), f1.category(), f1.question(), f1.answer(), f1.source()));
    assertEquals("A2", run.sample("flat.jsonl:2").answer());

    Sample c1 = run.sample("c1"); // ids from the data stay as they are
    assertEquals("S", c1.system());
    assertEquals(List.of(new Turn("user", "u1"), new Turn("assistant", "a1")), c1.history());
    assertEquals(List.of("u2", "a2"), List.of(c1.question(), c1.answer()));
    assertEquals("g", run.sample("c2").answer());

    Sample eval = run.sample("alpaca_eval.json#0");
    assertEquals(List.of("gpt4", "vicuna", "I1", "O1", dir.resolve("alpaca_eval.json") + "#0"),
        List.of(eval.model(), eval.category(), eval.question(), eval.answer(), eval.source()));
    assertEquals("I2\n\nin", run.sample("alpaca_eval.json#1").question());
    assertEquals("R", run.sample("pretty.json#0").answer());
    assertEquals("R2", run.sample("pretty.json#1").answer());
    assertEquals("y2", run.sample("array_line.jsonl#1").answer());

    Sample parquet = run.sample("table/part-0.parquet#0"); // made-up ids start from the folder below the input
    assertEquals(List.of("pm", "PI\n\nPIn", "PO"), List.of(parquet.model(), parquet.question(), parquet.answer()));
    assertEquals("PI2", run.sample("table/part-0.parquet#1").question());

    Sample multiTurn = run.sample("bench/m1/1");
    assertEquals(List.of("model-one", "writing", "t2", "r2"),
        List.of(multiTurn.model(), multiTurn.category(), multiTurn.question(), multiTurn.answer()));
    assertEquals(List.of(new Turn("user", "t1"), new Turn("assistant", "r1")), multiTurn.history());
    assertEquals("m2", run.sample("bench/m2/2").model()); // no model_id: the file name says
    assertEquals("model-one", run.sample("bench/m1/2").model());
    assertEquals(List.of("bard:2023", "generic", "old q", "old a"),
        List.of(run.sample("legacy/bard/1").model(), run.sample("legacy/bard/1").category(), run.sample("legacy/bard/1").question(),
            run.sample("legacy/bard/1").answer()));
    assertEquals("alpaca-13b", run.sample("legacy/alpaca-13b/1").model());

    assertEquals("bench/m1/99", run.failures.get(0).id());
    assertTrue(run.samples.stream().noneMatch(s -> s.answer().equals("no") || s.answer().equals("ref")));
    // README.md, .hidden/secret.jsonl, reference_answer/ref.jsonl, legacy/model.jsonl, Hadoop's .crc
    long crc = java.nio.file.Files.exists(dir.resolve("table/.part-0.parquet.crc")) ? 1 : 0;
    assertEquals(4 + crc, run.counter("files_skipped"));
    assertEquals(4 + crc, run.skipped.size(), run.skipped.toString());
    assertTrue(run.skipped.contains(dir.resolve("README.md") + " (not a .jsonl/.json/.ndjson/.parquet file, or one of"
        + " them compressed: .gz/.bz2/.zst)"), run.skipped.toString());
    assertTrue(run.skipped.contains(dir.resolve(".hidden/secret.jsonl") + " (hidden)"), run.skipped.toString());
  }

  @Test
  void aFileReachedTwiceThroughSymbolicLinksIsReadOnce() throws Exception {
    write(dir, "in/a/x.jsonl", "{\"prompt\":\"q1\",\"response\":\"a1\"}", "{\"prompt\":\"q2\",\"response\":\"a2\"}");
    Path loop = dir.resolve("in/a/loop");
    java.nio.file.Files.createSymbolicLink(loop, dir.resolve("in")); // in/a/loop/a/loop/... down to ELOOP
    java.nio.file.Files.createSymbolicLink(dir.resolve("in/alias.jsonl"), dir.resolve("in/a/x.jsonl"));

    ReadRun run = ReadRun.of(dir.resolve("in").toString());

    // Without the check: 2 records became 80-odd rows with made-up ids that differ by path.
    assertEquals(List.of("a/x.jsonl:1", "a/x.jsonl:2"), run.samples.stream().map(Sample::id).sorted().toList());
    assertEquals(List.of(), run.failures);
    String kept = dir.resolve("in/a/x.jsonl").toString();
    assertTrue(run.skipped.size() >= 2, run.skipped.toString());
    for (String note : run.skipped) {
      assertTrue(note.endsWith(" (the same file as " + kept + ", reached through a symbolic link)"), note);
    }
    assertTrue(run.skipped.contains(dir.resolve("in/alias.jsonl") + " (the same file as " + kept
        + ", reached through a symbolic link)"), run.skipped.toString());
  }

  @Test
  void badInputIsDeadLetteredNeverDroppedAndAnswersStayVerbatim() throws Exception {
    String big = "Long answer.\n" + "x".repeat(2 * 1024 * 1024) + "\nend";
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    List<String> lines = List.of(
        "{\"id\":\"ok\",\"prompt\":\"q\",\"response\":\"Intro:<|para|> <branch>kept</branch>\\n\\n  \"}",
        "{\"id\":\"dup\",\"prompt\":\"q\",\"response\":\"first\"}",
        "{\"id\":\"dup\",\"prompt\":\"q\",\"response\":\"second\"}",
        "{\"prompt\":\"q\",\"response\":\"a\"",
        "not json at all",
        "{\"prompt\":\"q\",\"response\":\"a\"} trailing",
        "{\"prompt\":\"q\"}",
        "{\"response\":\"a\"}",
        "{\"prompt\":\"q\",\"response\":\"\"}",
        "{\"prompt\":\"q\",\"response\":null}",
        "{\"prompt\":\"q\",\"response\":{\"text\":\"a\"}}",
        "{\"messages\":[{\"role\":\"user\",\"content\":\"q\"}]}",
        "\"just a string\"",
        "",
        "{\"id\":\"big\",\"prompt\":\"q\",\"response\":\"" + big.replace("\n", "\\n") + "\"}");
    for (String line : lines) {
      bytes.writeBytes((line + "\n").getBytes(StandardCharsets.UTF_8));
    }
    bytes.writeBytes("{\"prompt\":\"q\",\"response\":\"bad \u00ff".getBytes(StandardCharsets.ISO_8859_1));
    bytes.writeBytes("\"}\r\n".getBytes(StandardCharsets.UTF_8));
    Path file = Fixtures.writeBytes(dir, "bad.jsonl", bytes.toByteArray());
    long rowsIn = lines.stream().filter(l -> !l.isBlank()).count() + 1;

    ReadRun run = ReadRun.of(file.toString());

    assertEquals(rowsIn, run.samples.size() + run.failures.size());
    assertEquals(rowsIn, InputFormats.countRecords(List.of(file.toString())));
    assertEquals(List.of("big", "dup", "dup", "ok"), run.samples.stream().map(Sample::id).sorted().toList());
    assertEquals("Intro:<|para|> <branch>kept</branch>\n\n  ", run.sample("ok").answer());
    assertEquals(big, run.sample("big").answer());
    assertEquals(
        List.of(Reason.EMPTY_ANSWER, Reason.INVALID_UTF8, Reason.MALFORMED_JSON, Reason.MALFORMED_JSON,
            Reason.MALFORMED_JSON, Reason.MISSING_FIELD, Reason.MISSING_FIELD, Reason.MISSING_FIELD,
            Reason.NO_ASSISTANT_TURN, Reason.NOT_A_STRING, Reason.NOT_AN_OBJECT),
        run.reasons());
    for (DeadLetter failure : run.failures) {
      assertEquals("ReadSamples", failure.stage());
      assertFalse(failure.detail().isEmpty());
      assertTrue(failure.source().matches(".*bad\\.jsonl:\\d+"), failure.source());
      assertFalse(failure.input().isEmpty());
    }
    DeadLetter utf8 = run.failures.stream().filter(f -> f.reason().equals(Reason.INVALID_UTF8)).findFirst().orElseThrow();
    assertTrue(utf8.source().endsWith(":16"), utf8.source());
    assertTrue(utf8.detail().contains("0xFF"), utf8.detail());
    assertEquals(run.failures.size(), run.counter("failures"));
    assertEquals(3, run.counter("failed_malformed_json"));
  }

  @Test
  void unreadableUnknownAndBrokenInputsAreDeadLetters() throws Exception {
    Path unknown = write(dir, "notes.txt", "just some text");
    Path truncated = write(dir, "truncated.json", "[{\"instruction\":\"a\",\"output\":\"b\"},", "{\"instruction\":\"c\",\"out");
    Path empty = write(dir, "empty.jsonl", "");
    String missing = dir.resolve("nope.jsonl").toString();

    ReadRun run = ReadRun.of(unknown.toString(), truncated.toString(), empty.toString(), missing);

    assertEquals(1, run.samples.size());
    assertEquals(List.of(Reason.MALFORMED_JSON, Reason.NOT_FOUND, Reason.UNKNOWN_FORMAT), run.reasons());
    DeadLetter broken = run.failures.stream().filter(f -> f.reason().equals(Reason.MALFORMED_JSON)).findFirst().orElseThrow();
    assertTrue(broken.input().contains("{\"instruction\":\"c\""), broken.input());
    assertTrue(broken.source().endsWith("truncated.json#1"), broken.source());
    DeadLetter unknownFormat = run.failures.stream().filter(f -> f.reason().equals(Reason.UNKNOWN_FORMAT)).findFirst().orElseThrow();
    assertEquals("just some text\n", unknownFormat.input());
  }

  @Test
  void anInputOfAnUnknownSchemeBesideOthersIsADeadLetterNotAFailedRun() throws Exception {
    // Naming several inputs looks at each to find its folder; a scheme no file system serves
    // ("hdfs://" without its configuration) threw there and stopped the run before it began.
    Path good = write(dir, "a/good.jsonl", "{\"instruction\": \"q\", \"output\": \"a\"}");
    ReadRun run = ReadRun.of(good.toString(), "nosuchscheme://bucket/answers.jsonl");
    assertEquals(1, run.samples.size());
    assertEquals(List.of(Reason.UNREADABLE_FILE), run.reasons());
  }

  /**
   * Made-up ids came from the file name alone: AlpacaEval's results/<model>/model_outputs.json, or
   * two FastChat benchmarks with a gpt-4 answer file each, made the same ids in every folder, and
   * all but one folder's answers were dead-lettered as duplicates.
   */
  @Test
  void madeUpIdsOfSameNamedFilesInDifferentFoldersDiffer() throws Exception {
    String outputs = "[{\"instruction\": \"q1\", \"output\": \"a1\"}, {\"instruction\": \"q2\", \"output\": \"a2\"}]";
    write(dir, "results/claude/model_outputs.json", outputs);
    write(dir, "results/gpt4/model_outputs.json", outputs);
    for (String bench : List.of("bench1", "bench2")) {
      write(dir, "judge/" + bench + "/question.jsonl", "{\"question_id\":1,\"category\":\"c\",\"turns\":[\"q\"]}");
      write(dir, "judge/" + bench + "/model_answer/gpt-4.jsonl", "{\"question_id\":1,\"choices\":[{\"turns\":[\"a\"]}]}");
    }
    ReadRun folder = ReadRun.of(dir.resolve("results").toString());
    assertEquals(List.of("claude/model_outputs.json#0", "claude/model_outputs.json#1", "gpt4/model_outputs.json#0",
        "gpt4/model_outputs.json#1"), folder.samples.stream().map(Sample::id).sorted().toList());
    ReadRun glob = ReadRun.of(dir.resolve("results").toString() + "/*/model_outputs.json");
    assertEquals(4, glob.samples.stream().map(Sample::id).distinct().count());
    ReadRun benches = ReadRun.of(dir.resolve("judge").toString());
    assertEquals(List.of("bench1/gpt-4/1", "bench2/gpt-4/1"), benches.samples.stream().map(Sample::id).sorted().toList());
    assertEquals("gpt-4", benches.samples.get(0).model(), "the model is the file's, without the folder");
    ReadRun oneBench = ReadRun.of(dir.resolve("judge/bench1").toString());
    assertEquals("gpt-4/1", oneBench.samples.get(0).id(), "a benchmark folder named directly keeps model/question ids");
    // Several inputs: each one's ids start with its folder below the one that holds them all (each
    // input alone made model_outputs.json#0, and half the rows were dead-lettered as duplicates).
    ReadRun twoFolders = ReadRun.of(dir.resolve("results/gpt4").toString(), dir.resolve("results/claude").toString());
    assertEquals(List.of("claude/model_outputs.json#0", "claude/model_outputs.json#1", "gpt4/model_outputs.json#0",
        "gpt4/model_outputs.json#1"), twoFolders.samples.stream().map(Sample::id).sorted().toList());
    ReadRun twoFiles = ReadRun.of(dir.resolve("results/gpt4/model_outputs.json").toString(),
        dir.resolve("results/claude/model_outputs.json").toString());
    assertEquals(4, twoFiles.samples.stream().map(Sample::id).distinct().count());
    write(dir, "flat/a.jsonl", "{\"prompt\":\"q1\",\"response\":\"a1\"}");
    write(dir, "flat/b.jsonl", "{\"prompt\":\"q2\",\"response\":\"a2\"}");
    ReadRun sameFolder = ReadRun.of(dir.resolve("flat/a.jsonl").toString(), dir.resolve("flat/b.jsonl").toString());
    assertEquals(List.of("a.jsonl:1", "b.jsonl:1"), sameFolder.samples.stream().map(Sample::id).sorted().toList(),
        "files of one folder keep the ids they have alone");
    // Another input added later leaves these ids as they are (a regeneration carries their rows over).
    write(dir, "elsewhere/deep/c.jsonl", "{\"prompt\":\"q3\",\"response\":\"a3\"}");
    ReadRun three = ReadRun.of(dir.resolve("results/gpt4").toString(), dir.resolve("results/claude").toString(),
        dir.resolve("elsewhere/deep").toString());
    assertTrue(three.samples.stream().map(Sample::id).toList().containsAll(twoFolders.samples.stream().map(Sample::id)
        .toList()), "the first two inputs' ids are unchanged");
    // One input spelled two ways: the same ids, so the copies are duplicates, not rows twice.
    ReadRun twice = ReadRun.of(dir.resolve("results/gpt4").toString(),
        dir.resolve("results/../results/gpt4/").toString(), dir.resolve("results/claude").toString());
    assertEquals(4, twice.samples.stream().filter(s -> s.id().startsWith("gpt4/")).count(), "both spellings are read");
    assertEquals(List.of("gpt4/model_outputs.json#0", "gpt4/model_outputs.json#1"), twice.samples.stream()
        .map(Sample::id).filter(id -> id.startsWith("gpt4/")).distinct().sorted().toList(),
        "under the same two ids, whichever spelling read them: the job's dedupe makes the copies dead letters");
  }

  @Test
  void aLinkedFileIsReadThroughThePathTheScanWouldReadNeverDroppedForOneItSkips() throws Exception {
    // Hugging Face hub cache: the data file is a link to a blob without an extension.
    write(dir, "hub/blobs/9f2c41", "{\"prompt\":\"q1\",\"response\":\"a1\"}");
    java.nio.file.Files.createDirectories(dir.resolve("hub/snapshots/abc/data"));
    java.nio.file.Files.createSymbolicLink(dir.resolve("hub/snapshots/abc/data/train.jsonl"),
        Path.of("../../../blobs/9f2c41"));
    // A hidden or underscore alias of a release folder.
    write(dir, "rel/releases/v3/part.jsonl", "{\"prompt\":\"q2\",\"response\":\"a2\"}");
    java.nio.file.Files.createSymbolicLink(dir.resolve("rel/_current"), Path.of("releases/v3"));
    // FastChat with a question file shared through a link, and a loop below the benchmark.
    write(dir, "fc/common/questions.txt", "not data");
    write(dir, "fc/bench/model_answer/m.jsonl", "{\"question_id\":1,\"choices\":[{\"turns\":[\"fa\"]}]}");
    write(dir, "fc/shared/question.jsonl", "{\"question_id\":1,\"turns\":[\"fq\"]}");
    java.nio.file.Files.createSymbolicLink(dir.resolve("fc/bench/question.jsonl"), Path.of("../shared/question.jsonl"));
    java.nio.file.Files.createSymbolicLink(dir.resolve("fc/bench/model_answer/loop"), Path.of(".."));

    ReadRun hub = ReadRun.of(dir.resolve("hub").toString());
    assertEquals(List.of("snapshots/abc/data/train.jsonl:1"), hub.samples.stream().map(Sample::id).toList(),
        hub.skipped.toString());
    ReadRun rel = ReadRun.of(dir.resolve("rel").toString());
    assertEquals(List.of("releases/v3/part.jsonl:1"), rel.samples.stream().map(Sample::id).toList(), rel.skipped.toString());
    ReadRun fc = ReadRun.of(dir.resolve("fc/bench").toString());
    assertEquals(List.of("m/1"), fc.samples.stream().map(Sample::id).toList(), fc.failures + " " + fc.skipped);
    assertEquals("fq", fc.samples.get(0).question());
    assertEquals(List.of(), fc.failures);
    // A shorter link to the answers folder: the FastChat unit is kept, not the plain read of the link.
    write(dir, "fc2/bench/question.jsonl", "{\"question_id\":1,\"turns\":[\"fq\"]}");
    write(dir, "fc2/bench/model_answer/m.jsonl", "{\"question_id\":1,\"choices\":[{\"turns\":[\"fa\"]}]}");
    java.nio.file.Files.createSymbolicLink(dir.resolve("fc2/answers"), Path.of("bench/model_answer"));
    ReadRun fc2 = ReadRun.of(dir.resolve("fc2").toString());
    assertEquals(List.of("bench/m/1"), fc2.samples.stream().map(Sample::id).toList(), fc2.failures + " " + fc2.skipped);
    assertEquals(List.of(), fc2.failures);
    assertEquals(List.of(dir.resolve("fc2/answers/m.jsonl") + " (the same file as " + dir.resolve("fc2/bench/model_answer/m.jsonl")
        + ", reached through a symbolic link)"), fc2.skipped);
  }

  @Test
  void aFastChatQuestionFileOrAnswerFileNamedDirectlyIsJoined() throws Exception {
    Path questions = write(dir, "q/question.jsonl", "{\"question_id\":1,\"category\":\"c\",\"turns\":[\"q\"]}",
        "{\"question_id\":1,\"category\":\"c\",\"turns\":[\"again\"]}");
    Path answers = write(dir, "q/model_answer/gpt.jsonl", "{\"question_id\":1,\"choices\":[{\"turns\":[\"a\"]}]}");

    ReadRun byQuestions = ReadRun.of(questions.toString());
    ReadRun byAnswers = ReadRun.of(answers.toString());

    assertEquals("a", byQuestions.sample("gpt/1").answer());
    assertEquals(List.of(Reason.DUPLICATE_QUESTION), byQuestions.reasons());
    assertEquals("q", byAnswers.sample("gpt/1").question());
  }

  @Test
  void deadLetterInputsAreBounded() {
    DeadLetter letter = DeadLetters.of(Reason.MALFORMED_JSON, "bad", "", "s", "y".repeat(3 << 20));
    assertEquals(DeadLetters.MAX_INPUT_CHARS, letter.input().length());
    assertTrue(letter.detail().contains("truncated"), letter.detail());
  }

  private static Map<String, String> row(String... keyValues) {
    Map<String, String> row = new HashMap<>();
    for (int i = 0; i < keyValues.length; i += 2) {
      row.put(keyValues[i], keyValues[i + 1]);
    }
    return row;
  }
}
