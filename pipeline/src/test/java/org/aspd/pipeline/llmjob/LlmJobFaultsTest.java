package org.aspd.pipeline.llmjob;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;
import org.apache.avro.generic.GenericRecord;
import org.apache.beam.sdk.PipelineResult;
import org.aspd.pipeline.JobRunner;
import org.aspd.pipeline.llmjob.FakeProvider.Protocol;
import org.aspd.pipeline.llmjob.TeacherScript.Call;
import org.aspd.pipeline.llmjob.TeacherScript.Prompt;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * The whole job against a fake OpenAI server and a fake Ollama server that annotate real Vicuna Bench
 * answers, with one injected fault per sample. A clean run on a fault-free server
 * ({@link RecordedRuns}) gives the reference rows; the faulty run must finish, account for every
 * input row, give the reference row wherever a retry or re-ask recovered, and show every fault that
 * did not recover in stats.json or a dead letter.
 */
class LlmJobFaultsTest {
  /** What the server does to one sample's calls. RETRY_* recover; the rest do not. */
  enum Fault {
    CLEAN,
    RETRY_429,          // rewrite: 429 with Retry-After once
    RETRY_500,          // rewrite: 500 once
    RETRY_TIMEOUT,      // format judge: no answer within the timeout once
    RETRY_MALFORMED,    // independence judge: 200 with a broken JSON body once
    RETRY_TRUNCATED,    // answer judge: body cut short once
    RETRY_LENGTH,       // rewrite: cut off with finish_reason length, fine after the re-ask
    UNPARSABLE_FORMAT,  // format judge: empty content, also after the re-ask
    UNPARSABLE_INDEP,   // independence judge: prose without a JSON verdict, also after the re-ask
    LENGTH_ALWAYS,      // rewrite: cut off with finish_reason length, also after the re-ask
    DEAD_500,           // rewrite: 500 on every attempt
    DEAD_429,           // rewrite: 429 on every attempt
    DEAD_TIMEOUT,       // answer judge: never answers
    DEAD_MALFORMED,     // independence judge: broken JSON body on every attempt
    DEAD_TRUNCATED      // format judge: body cut short on every attempt
  }

  private static final String BROKEN_JSON = "{\"choices\": [{\"message\": {\"role\": \"assistant\", \"cont";

  private static List<VicunaSamples.Annotated> samples;
  private static Map<String, Fault> plan;

  @TempDir Path dir;

  @BeforeAll
  static void plan() {
    samples = RecordedRuns.samples();
    assertEquals(Fault.values().length, samples.size(), "one sample per fault");
    plan = new LinkedHashMap<>();
    for (int i = 0; i < samples.size(); i++) {
      plan.put(samples.get(i).id(), Fault.values()[i]);
    }
  }

  private static String idOf(Fault f) {
    return samples.get(f.ordinal()).id();
  }

  /** The fault script: null answers normally. */
  private static FakeProvider.Reply inject(Call c, FakeProvider server) {
    if (c.sample() == null) {
      return null;
    }
    Fault f = plan.get(c.sample().id());
    String limitedRewrite = "PARALLEL: yes\n<<<ANNOTATED>>>\n"
        + c.sample().annotated().substring(0, c.sample().annotated().length() / 2);
    return switch (f) {
      case CLEAN -> null;
      case RETRY_429 -> c.prompt() == Prompt.REWRITE && c.attempt() == 1 ? tooMany() : null;
      case RETRY_500 -> c.prompt() == Prompt.REWRITE && c.attempt() == 1 ? serverError() : null;
      case RETRY_TIMEOUT -> c.prompt() == Prompt.FORMAT && c.attempt() == 1 ? new FakeProvider.Hang() : null;
      case RETRY_MALFORMED -> c.prompt() == Prompt.INDEPENDENCE && c.attempt() == 1 ? broken() : null;
      case RETRY_TRUNCATED -> c.prompt() == Prompt.ANSWER && c.attempt() == 1 ? cut(server) : null;
      case RETRY_LENGTH -> c.prompt() == Prompt.REWRITE && !c.reask() ? server.chat(limitedRewrite, "length") : null;
      case UNPARSABLE_FORMAT -> c.prompt() == Prompt.FORMAT ? server.chat("") : null;
      case UNPARSABLE_INDEP -> c.prompt() == Prompt.INDEPENDENCE
          ? server.chat("The branches look independent to me; verdict: probably fine.") : null;
      case LENGTH_ALWAYS -> c.prompt() == Prompt.REWRITE ? server.chat(limitedRewrite, "length") : null;
      case DEAD_500 -> c.prompt() == Prompt.REWRITE ? serverError() : null;
      case DEAD_429 -> c.prompt() == Prompt.REWRITE ? tooMany() : null;
      case DEAD_TIMEOUT -> c.prompt() == Prompt.ANSWER ? new FakeProvider.Hang() : null;
      case DEAD_MALFORMED -> c.prompt() == Prompt.INDEPENDENCE ? broken() : null;
      case DEAD_TRUNCATED -> c.prompt() == Prompt.FORMAT ? cut(server) : null;
    };
  }

  private static FakeProvider.Reply tooMany() {
    return FakeProvider.status(429, "{\"error\":{\"message\":\"rate limit reached\"}}", Map.of("Retry-After", "1"));
  }

  private static FakeProvider.Reply serverError() {
    return FakeProvider.status(500, "{\"error\":{\"message\":\"internal error\"}}", Map.of());
  }

  private static FakeProvider.Reply broken() {
    return FakeProvider.status(200, BROKEN_JSON, Map.of());
  }

  /** The first half of the real reply, announced as longer. */
  private static FakeProvider.Reply cut(FakeProvider server) {
    String whole = ((FakeProvider.Json) server.chat(TeacherScript.verdict("pass", "ok"))).body();
    return new FakeProvider.Cut(whole.substring(0, whole.length() / 2));
  }

  @ParameterizedTest
  @EnumSource(Protocol.class)
  void faultsAreRetriedOrShowUpInStatsAndDeadLetters(Protocol protocol) throws Exception {
    Map<String, GenericRecord> reference = RecordedRuns.of(protocol).rows();

    Path out = dir.resolve("faulty");
    FakeProvider server = new FakeProvider(protocol, new TeacherScript(samples, true, LlmJobFaultsTest::inject),
        0, 2_000);
    LlmJobs.Run run;
    try (server) {
      run = LlmJobs.run(RecordedRuns.input(), out, "--teacher=" + protocol.name().toLowerCase(),
          "--teacherConfig=" + LlmJobs.teacherConfig(dir.resolve("faulty.yaml"), server,
              RecordedRuns.JUDGE_TIMEOUT_SECONDS),
          "--llmCache=" + dir.resolve("faulty-cache"));
    }
    assertEquals(PipelineResult.State.DONE, run.state(), "the job finishes despite every fault");

    Map<String, GenericRecord> rows = JobRunner.rows(out);
    List<JsonNode> dead = JobRunner.deadLetters(out);
    JsonNode stats = JobRunner.stats(out);
    assertEquals(samples.size(), rows.size() + dead.size(), "rows in = shard rows + dead letters; dead: " + dead);
    assertEquals(samples.size(), stats.get("rows_in").asInt());
    assertEquals(rows.size(), stats.get("samples_total").asInt());
    assertEquals(dead.size(), stats.get("dead_letters").asInt());

    // Every fault was really injected: the server saw the fault and what the teacher did about it.
    List<FakeProvider.Request> received = server.received();
    TeacherScript script = new TeacherScript(samples);
    assertSeen(received, script, Fault.RETRY_429, Prompt.REWRITE, c -> c.attempt() == 2);
    assertSeen(received, script, Fault.RETRY_500, Prompt.REWRITE, c -> c.attempt() == 2);
    assertSeen(received, script, Fault.RETRY_TIMEOUT, Prompt.FORMAT, c -> c.attempt() == 2);
    assertSeen(received, script, Fault.RETRY_MALFORMED, Prompt.INDEPENDENCE, c -> c.attempt() == 2);
    assertSeen(received, script, Fault.RETRY_TRUNCATED, Prompt.ANSWER, c -> c.attempt() == 2);
    assertSeen(received, script, Fault.RETRY_LENGTH, Prompt.REWRITE,
        c -> c.reask() && c.request().lastUser().contains("output token limit"));
    assertSeen(received, script, Fault.UNPARSABLE_FORMAT, Prompt.FORMAT, Call::reask);
    assertSeen(received, script, Fault.UNPARSABLE_INDEP, Prompt.INDEPENDENCE, Call::reask);
    assertSeen(received, script, Fault.LENGTH_ALWAYS, Prompt.REWRITE, Call::reask);
    for (Fault f : List.of(Fault.DEAD_500, Fault.DEAD_429, Fault.DEAD_TIMEOUT, Fault.DEAD_MALFORMED,
        Fault.DEAD_TRUNCATED)) {
      assertSeen(received, script, f, null, c -> c.attempt() == 3);
    }

    // Recovered faults give exactly the rows of the clean run.
    for (Fault f : List.of(Fault.CLEAN, Fault.RETRY_429, Fault.RETRY_500, Fault.RETRY_TIMEOUT,
        Fault.RETRY_MALFORMED, Fault.RETRY_TRUNCATED, Fault.RETRY_LENGTH)) {
      GenericRecord got = rows.get(idOf(f));
      assertNotNull(got, f + " gave no row; dead letters: " + dead);
      assertEquals(LlmJobs.withoutCalls(reference.get(idOf(f))), LlmJobs.withoutCalls(got),
          f + ": row differs from the clean run");
      // Retries happen inside a call, so the row names the same calls; a reply cut at the token limit
      // is asked again in a call of its own, which the row names too.
      List<String> stages = new ArrayList<>(LlmJobs.callStages(reference.get(idOf(f))));
      if (f == Fault.RETRY_LENGTH) {
        stages.add(0, "rewrite");
      }
      assertEquals(stages, LlmJobs.callStages(got), f.name());
    }

    // Unparsable judges are reported as unparsable, never as a pass or a fail.
    GenericRecord format = rows.get(idOf(Fault.UNPARSABLE_FORMAT));
    assertEquals("serial_fallback:format", JobRunner.str(format, "status"));
    GenericRecord formatCandidate = onlyCandidate(format);
    assertEquals("format:unparsable", JobRunner.str(formatCandidate, "fate"));
    assertTrue(JobRunner.str(formatCandidate, "format").startsWith("unparsable 0/1"), formatCandidate.toString());
    assertTrue(JobRunner.str(formatCandidate, "format").contains("empty"), formatCandidate.toString());

    GenericRecord indep = rows.get(idOf(Fault.UNPARSABLE_INDEP));
    assertEquals("serial_fallback:independence", JobRunner.str(indep, "status"));
    GenericRecord indepCandidate = onlyCandidate(indep);
    assertEquals("independence:unparsable", JobRunner.str(indepCandidate, "fate"));
    for (String group : JobRunner.str(indepCandidate, "independence").split("; ")) {
      assertTrue(group.startsWith("unparsable 0/1"), "every group's check is unparsable: " + group);
    }

    // A rewrite still cut off after the re-ask is an unreadable candidate, told apart from "not parallel".
    GenericRecord cut = rows.get(idOf(Fault.LENGTH_ALWAYS));
    assertEquals("serial_fallback:rewrite", JobRunner.str(cut, "status"));
    String label = protocol.name().toLowerCase() + ":" + LlmJobs.MODEL;
    assertEquals(1, run.counter("llm", "rewrite/" + label + "/unparsable"), "LENGTH_ALWAYS");
    assertEquals(1, run.counter("llm", "format/" + label + "/unparsable"), "UNPARSABLE_FORMAT");
    assertTrue(run.counter("llm", "independence/" + label + "/unparsable") >= 1, "UNPARSABLE_INDEP");

    JsonNode statuses = stats.get("statuses");
    assertEquals(1, statuses.path("serial_fallback:format").asInt(), statuses.toString());
    assertEquals(1, statuses.path("serial_fallback:independence").asInt(), statuses.toString());
    assertEquals(1, statuses.path("serial_fallback:rewrite").asInt(), statuses.toString());
    assertEquals(7, statuses.path("parallel").asInt(), statuses.toString());
    assertEquals(1, stats.get("candidate_fates").path("format:unparsable").asInt(), stats.get("candidate_fates").toString());

    // Faults that never recovered are dead letters naming the stage and the reason.
    assertDead(dead, Fault.DEAD_500, "Rewrite", "llm rewrite call", "HTTP 500");
    assertDead(dead, Fault.DEAD_429, "Rewrite", "llm rewrite call", "HTTP 429");
    assertDead(dead, Fault.DEAD_TIMEOUT, "CheckIntegrity", "llm answer call", "timeout");
    assertDead(dead, Fault.DEAD_MALFORMED, "VerifyIndependence", "llm independence call", "failed after 3 attempts");
    assertDead(dead, Fault.DEAD_TRUNCATED, "CheckIntegrity", "llm format call", "failed after 3 attempts");
    assertEquals(5, dead.size(), dead.toString());
    JsonNode reasons = stats.get("dead_letter_reasons");
    assertEquals(2, reasons.path("Rewrite:teacher_error").asInt(), reasons.toString());
    assertEquals(1, reasons.path("VerifyIndependence:teacher_error").asInt(), reasons.toString());
    assertEquals(2, reasons.path("CheckIntegrity:teacher_error").asInt(), reasons.toString());

    // Once the provider is healthy, the dead letters are the input of a rerun: the same ids, sources
    // and rows as the clean run.
    Path retried = dir.resolve("retried");
    try (FakeProvider healthy = new FakeProvider(protocol, new TeacherScript(samples), 0, 2_000)) {
      LlmJobs.Run rerun = LlmJobs.run(out.resolve("dead_letters"), retried, "--teacher=" + protocol.name().toLowerCase(),
          "--teacherConfig=" + LlmJobs.teacherConfig(dir.resolve("healthy.yaml"), healthy,
              RecordedRuns.JUDGE_TIMEOUT_SECONDS));
      assertEquals(PipelineResult.State.DONE, rerun.state());
    }
    assertEquals(List.of(), JobRunner.deadLetters(retried));
    Map<String, GenericRecord> again = JobRunner.rows(retried);
    assertEquals(dead.stream().map(d -> d.get("id").asText()).collect(java.util.stream.Collectors.toSet()), again.keySet());
    again.forEach((id, row) ->
        assertEquals(LlmJobs.withoutCalls(reference.get(id)), LlmJobs.withoutCalls(row), "rerun of dead letter " + id));
  }

  private static GenericRecord onlyCandidate(GenericRecord row) {
    List<?> candidates = (List<?>) row.get("candidates");
    assertEquals(1, candidates.size(), "a greedy teacher is asked for one candidate: " + row);
    return (GenericRecord) candidates.get(0);
  }

  private static void assertSeen(List<FakeProvider.Request> received, TeacherScript script, Fault f, Prompt prompt,
      Predicate<Call> what) {
    List<Call> calls = new ArrayList<>();
    for (FakeProvider.Request r : received) {
      Call c = script.classify(r);
      if (c.sample() != null && c.sample().id().equals(idOf(f)) && (prompt == null || c.prompt() == prompt)) {
        calls.add(c);
      }
    }
    assertTrue(calls.stream().anyMatch(what), f + ": expected request not seen among " + calls.size() + " calls");
  }

  private static void assertDead(List<JsonNode> dead, Fault f, String stage, String... detail) {
    JsonNode d = dead.stream().filter(x -> x.get("id").asText().equals(idOf(f))).findFirst()
        .orElseThrow(() -> new AssertionError(f + ": no dead letter for " + idOf(f) + " in " + dead));
    assertEquals(stage, d.get("stage").asText(), f + ": " + d);
    assertEquals("teacher_error", d.get("reason").asText(), f + ": " + d);
    for (String part : detail) {
      assertTrue(d.get("detail").asText().contains(part), f + ": '" + part + "' not in " + d.get("detail"));
    }
    assertTrue(d.get("input").asText().contains("\"id\":\"" + idOf(f) + "\""), "the dead letter keeps the input");
  }
}
