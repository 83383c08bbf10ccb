package org.aspd.pipeline.llmjob;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.avro.generic.GenericRecord;
import org.apache.beam.sdk.PipelineResult;
import org.aspd.pipeline.JobRunner;
import org.aspd.pipeline.llmjob.FakeProvider.Protocol;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Crash safety and replay of a whole LLM job. One uninterrupted run against a fake OpenAI server
 * records the reference rows and a cache ({@link RecordedRuns}); then (a) a run in a child JVM is
 * SIGKILLed mid-way and rerun, and (b) the recorded cache is replayed with the server gone.
 */
class LlmJobRecoveryTest {
  /** Every reply names the body it answered: see {@link TeacherScript}. */
  private static final Pattern REF = Pattern.compile("ref: ?([0-9a-f]{16})");
  private static final ObjectMapper JSON = new ObjectMapper();

  private static List<VicunaSamples.Annotated> samples;
  private static Path input;
  private static RecordedRuns.Recorded recorded;

  @TempDir Path dir;

  @BeforeAll
  static void recordReference() {
    samples = RecordedRuns.samples();
    input = RecordedRuns.input();
    recorded = RecordedRuns.of(Protocol.OPENAI); // its server is stopped: replays must not need it
  }

  @Test
  void aKilledRunResumesFromTheCacheWithoutRepeatingCompletedCalls() throws Exception {
    Path cache = dir.resolve("cache");
    Path out = dir.resolve("out");
    try (FakeProvider server = new FakeProvider(Protocol.OPENAI, new TeacherScript(samples), 100, 2_000)) {
      String[] teacher = {"--teacher=openai",
          "--teacherConfig=" + LlmJobs.teacherConfig(dir.resolve("teacher.yaml"), server,
              RecordedRuns.JUDGE_TIMEOUT_SECONDS),
          "--llmCache=" + cache, "--maxInFlight=4"};
      int total = LlmJobs.cacheEntries(recorded.cache()).size();

      Path firstLog = dir.resolve("first.log");
      Process first = LlmJobs.startChild(dir, firstLog, LlmJobs.args(input, out, teacher));
      int wanted = Math.max(4, total / 3); // well into the job, far from its end
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(90);
      while (LlmJobs.cacheEntries(cache).size() < wanted && first.isAlive() && System.nanoTime() < deadline) {
        Thread.sleep(10); // polling the cache directory, bounded by the deadline
      }
      assertTrue(first.isAlive(), "the child must still be running when killed: " + LlmJobs.tail(firstLog));
      first.destroyForcibly(); // SIGKILL: no shutdown hooks, no flushing
      assertTrue(first.waitFor(30, TimeUnit.SECONDS));

      Set<String> completed = new HashSet<>();
      for (Path entry : LlmJobs.cacheEntries(cache)) {
        Matcher m = REF.matcher(JSON.readTree(entry.toFile()).get("text").asText());
        assertTrue(m.find(), "every recorded reply names its request: " + entry);
        completed.add(m.group(1));
      }
      assertTrue(completed.size() >= wanted && completed.size() < total,
          "killed mid-run: " + completed.size() + " of " + total + " calls recorded");
      assertTrue(!Files.exists(out.resolve("stats.json")), "the killed run never finished");

      // The rerun: the same job into the same output, to completion (in this JVM: it is warm).
      assertEquals(PipelineResult.State.DONE, LlmJobs.run(input, out, teacher).state());

      Map<String, Integer> counts = server.countsByBody();
      List<String> repeated = new ArrayList<>();
      for (String ref : completed) {
        if (counts.getOrDefault(ref, 0) != 1) {
          repeated.add(ref + "=" + counts.get(ref));
        }
      }
      assertEquals(List.of(), repeated, "calls completed before the kill were asked again");
      assertEquals(total, counts.size(), "every distinct call of the job was asked");
      assertTrue(counts.values().stream().allMatch(n -> n <= 2),
          "only calls in flight at the kill are asked twice: " + counts);
      assertEquals(total, LlmJobs.cacheEntries(cache).size());
    }
    assertSameOutputFromAnotherServer(out, cache);
  }

  @Test
  void replayReproducesTheShardsWithTheServerStopped() throws Exception {
    Path cache = dir.resolve("replay-cache");
    LlmJobs.copyTree(recorded.cache(), cache);
    Path out = dir.resolve("replayed");
    LlmJobs.Run run = LlmJobs.run(input, out, "--teacher=openai", "--teacherConfig=" + recorded.yaml(),
        "--llmCache=" + cache, "--llmReplay=true");
    assertEquals(PipelineResult.State.DONE, run.state());
    assertSameOutput(out);
    assertEquals(LlmJobs.cacheEntries(recorded.cache()).size(), LlmJobs.cacheEntries(cache).size(),
        "a replay records nothing");
    assertEquals(0, run.counter("llm", "rewrite/openai:" + LlmJobs.MODEL + "/calls"), "no paid call in replay");
    assertEquals(RecordedRuns.SAMPLES, run.counter("llm", "rewrite/openai:" + LlmJobs.MODEL + "/cache_hits"));
    java.io.ByteArrayOutputStream printed = new java.io.ByteArrayOutputStream();
    org.aspd.pipeline.cli.LlmUsage.print(run.result(), new java.io.PrintStream(printed, true, java.nio.charset.StandardCharsets.UTF_8));
    assertTrue(printed.toString(java.nio.charset.StandardCharsets.UTF_8).contains("llm rewrite/openai:" + LlmJobs.MODEL
        + ": 0 calls paid, " + RecordedRuns.SAMPLES + " from the cache"), printed.toString());
  }

  @Test
  void aReplayMissFailsOnlyItsSampleNamingStageAndKey() throws Exception {
    Path cache = dir.resolve("replay-cache");
    LlmJobs.copyTree(recorded.cache(), cache);
    VicunaSamples.Annotated victim = samples.get(3);
    Path deleted = null;
    for (Path entry : LlmJobs.cacheEntries(cache)) {
      JsonNode call = JSON.readTree(entry.toFile());
      if (call.get("stage").asText().equals("rewrite") && call.get("text").asText().contains(victim.annotated())) {
        deleted = entry;
      }
    }
    assertTrue(deleted != null, "the victim's rewrite was recorded");
    Files.delete(deleted);
    String key = deleted.getFileName().toString().replace(".json", "");

    Path out = dir.resolve("replayed");
    LlmJobs.Run run = LlmJobs.run(input, out, "--teacher=openai", "--teacherConfig=" + recorded.yaml(),
        "--llmCache=" + cache, "--llmReplay=true");
    assertEquals(PipelineResult.State.DONE, run.state(), "a miss fails its sample, not the job");

    List<JsonNode> dead = JobRunner.deadLetters(out);
    assertEquals(1, dead.size(), dead.toString());
    JsonNode d = dead.get(0);
    assertEquals(victim.id(), d.get("id").asText());
    assertEquals("Rewrite", d.get("stage").asText());
    assertEquals("replay_miss", d.get("reason").asText(), "told apart from teacher errors");
    String detail = d.get("detail").asText();
    assertTrue(detail.contains("replay miss") && detail.contains("rewrite") && detail.contains(key), detail);

    Map<String, GenericRecord> rows = JobRunner.rows(out);
    assertEquals(RecordedRuns.SAMPLES, rows.size() + dead.size());
    for (Map.Entry<String, GenericRecord> e : recorded.rows().entrySet()) {
      if (!e.getKey().equals(victim.id())) {
        assertEquals(e.getValue().toString(), String.valueOf(rows.get(e.getKey())), e.getKey());
      }
    }
    assertEquals(1, JobRunner.stats(out).get("dead_letter_reasons").path("Rewrite:replay_miss").asInt());
  }

  @Test
  void everyRowNamesTheRecordedCallsItRestsOn() throws Exception {
    Map<String, JsonNode> entries = new HashMap<>();
    for (Path entry : LlmJobs.cacheEntries(recorded.cache())) {
      entries.put(entry.getFileName().toString().replace(".json", ""), JSON.readTree(entry.toFile()));
    }
    Set<String> named = new HashSet<>();
    for (Map.Entry<String, GenericRecord> e : recorded.rows().entrySet()) {
      @SuppressWarnings("unchecked")
      List<GenericRecord> calls = (List<GenericRecord>) e.getValue().get("llm_calls");
      Map<String, Integer> perStage = new HashMap<>();
      for (GenericRecord call : calls) {
        String stage = call.get("stage").toString();
        String key = call.get("key").toString();
        JsonNode entry = entries.get(key);
        assertTrue(entry != null, e.getKey() + ": " + stage + " call " + key + " is not in the cache");
        assertEquals(stage, entry.get("stage").asText(), e.getKey() + " " + key);
        assertEquals((int) call.get("index"), entry.get("index").asInt(), e.getKey() + " " + key);
        int group = (int) call.get("group");
        int candidate = (int) call.get("candidate");
        switch (stage) {
          case "rewrite" -> assertTrue(candidate == -1 && group == -1, call.toString());
          case "independence" -> assertTrue(candidate >= 0 && group >= 0, call.toString());
          default -> assertTrue(candidate >= 0 && group == -1, call.toString());
        }
        // The call answered this row's sample: a rewrite holds its answer's text; a judge's reply names
        // its request (ref:...), and the row's verdict for that stage quotes the same reply.
        String reply = entry.get("text").asText();
        if (stage.equals("rewrite")) {
          String original = e.getValue().get("original").toString();
          assertTrue(reply.contains(original.substring(0, Math.min(40, original.length()))),
              e.getKey() + ": rewrite call " + key + " did not rewrite this answer");
        } else {
          Matcher ref = REF.matcher(reply);
          assertTrue(ref.find(), reply);
          GenericRecord verdicts = (GenericRecord) ((List<?>) e.getValue().get("candidates")).get(candidate);
          assertTrue(verdicts.get(stage).toString().contains(ref.group(1)),
              e.getKey() + ": " + stage + " call " + key + " answered another sample: " + verdicts.get(stage));
        }
        perStage.merge(stage, 1, Integer::sum);
        named.add(key);
      }
      // Every reference row is parallel: it was rewritten, and its chosen candidate was judged by all
      // three judges at least once.
      for (String stage : List.of("rewrite", "independence", "format", "answer")) {
        assertTrue(perStage.getOrDefault(stage, 0) >= 1, e.getKey() + " lacks " + stage + " calls: " + calls);
      }
    }
    assertEquals(entries.keySet(), named, "every recorded call is named by the row it was made for");
  }

  /** Same rows as the uninterrupted run, compared by id on every field, and no dead letters. */
  private static void assertSameOutput(Path out) throws Exception {
    assertEquals(List.of(), JobRunner.deadLetters(out));
    Map<String, GenericRecord> rows = JobRunner.rows(out);
    assertEquals(recorded.rows().keySet(), rows.keySet());
    for (Map.Entry<String, GenericRecord> e : recorded.rows().entrySet()) {
      assertEquals(e.getValue().toString(), rows.get(e.getKey()).toString(), e.getKey());
      assertEquals(e.getValue(), rows.get(e.getKey()), e.getKey());
    }
  }

  /**
   * The same, for a run against another server: a call's key includes the base URL (two servers may
   * serve different models under one name), so the rows name other keys, each one in that run's cache.
   */
  private static void assertSameOutputFromAnotherServer(Path out, Path cache) throws Exception {
    assertEquals(List.of(), JobRunner.deadLetters(out));
    Map<String, GenericRecord> rows = JobRunner.rows(out);
    assertEquals(recorded.rows().keySet(), rows.keySet());
    Set<String> cached = new HashSet<>();
    LlmJobs.cacheEntries(cache).forEach(f -> cached.add(f.getFileName().toString().replace(".json", "")));
    for (Map.Entry<String, GenericRecord> e : recorded.rows().entrySet()) {
      GenericRecord row = rows.get(e.getKey());
      assertEquals(LlmJobs.withoutCallKeys(e.getValue()), LlmJobs.withoutCallKeys(row), e.getKey());
      List<String> keys = LlmJobs.callKeys(row);
      for (String key : keys) {
        assertTrue(cached.contains(key), e.getKey() + " names " + key + ", not in its cache");
      }
      assertTrue(keys.size() >= 4, e.getKey() + ": rewrite and three judges at least");
    }
  }
}
