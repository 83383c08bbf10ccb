package org.aspd.pipeline.llmjob;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.apache.avro.generic.GenericRecord;
import org.apache.beam.sdk.PipelineResult;
import org.aspd.pipeline.JobRunner;
import org.aspd.pipeline.llmjob.FakeProvider.Protocol;

/**
 * The clean, uninterrupted reference run of each protocol, made once per test JVM and shared by the
 * job tests (a Beam job costs seconds on a small machine): the same input file (so the rows' source
 * fields agree), a fault-free fake server that is stopped once the run is recorded, its teacher YAML,
 * its call cache and its rows.
 */
final class RecordedRuns {
  /** Samples in every job test: one per fault of {@link LlmJobFaultsTest.Fault}. */
  static final int SAMPLES = 15;
  /** Timeout of the format and answer judges, where the fault test injects hangs. */
  static final double JUDGE_TIMEOUT_SECONDS = 1.0;

  /** One recorded run. The server that answered it is stopped. */
  record Recorded(Path yaml, Path cache, Path output, Map<String, GenericRecord> rows) {}

  private static Path root;
  private static List<VicunaSamples.Annotated> samples;
  private static Path input;
  private static final Map<Protocol, Recorded> RUNS = new EnumMap<>(Protocol.class);

  private RecordedRuns() {}

  static synchronized List<VicunaSamples.Annotated> samples() {
    init();
    return samples;
  }

  static synchronized Path input() {
    init();
    return input;
  }

  static synchronized Recorded of(Protocol protocol) {
    init();
    return RUNS.computeIfAbsent(protocol, RecordedRuns::record);
  }

  private static void init() {
    if (root != null) {
      return;
    }
    try {
      root = Files.createTempDirectory("aspd-llmjob-");
      Path dir = root;
      Runtime.getRuntime().addShutdownHook(new Thread(() -> deleteTree(dir)));
      samples = VicunaSamples.parallel(SAMPLES);
      input = root.resolve("input/vicuna-llm.jsonl");
      VicunaSamples.writeJsonl(samples, input);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static Recorded record(Protocol protocol) {
    String name = protocol.name().toLowerCase();
    Path dir = root.resolve("recorded-" + name);
    try (FakeProvider server = new FakeProvider(protocol, new TeacherScript(samples), 0, 2_000)) {
      Path yaml = LlmJobs.teacherConfig(dir.resolve("teacher.yaml"), server, JUDGE_TIMEOUT_SECONDS);
      Path cache = dir.resolve("cache");
      Path out = dir.resolve("out");
      LlmJobs.Run run = LlmJobs.run(input, out, "--teacher=" + name, "--teacherConfig=" + yaml,
          "--llmCache=" + cache);
      if (run.state() != PipelineResult.State.DONE) {
        throw new AssertionError("reference " + name + " run ended " + run.state());
      }
      Map<String, GenericRecord> rows = JobRunner.rows(out);
      if (rows.size() != SAMPLES) {
        throw new AssertionError("reference " + name + " run: every sample must be a row; dead letters: "
            + JobRunner.deadLetters(out));
      }
      for (GenericRecord r : rows.values()) {
        if (!"parallel".equals(JobRunner.str(r, "status")) || !(name + ":" + LlmJobs.MODEL).equals(JobRunner.str(r, "teacher"))) {
          throw new AssertionError("reference " + name + " run: unexpected row " + r);
        }
      }
      return new Recorded(yaml, cache, out, rows);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static void deleteTree(Path dir) {
    try (Stream<Path> files = Files.walk(dir)) {
      files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
    } catch (IOException | UncheckedIOException e) {
      // best effort at JVM exit
    }
  }
}
