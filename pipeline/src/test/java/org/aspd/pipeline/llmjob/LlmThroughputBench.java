package org.aspd.pipeline.llmjob;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.beam.sdk.PipelineResult;
import org.aspd.model.Sample;
import org.aspd.pipeline.JobRunner;
import org.aspd.pipeline.llmjob.FakeProvider.Protocol;
import org.aspd.teacher.Teacher;
import org.aspd.teacher.llm.LlmTeacherFactory;
import org.aspd.teacher.llm.config.CacheSettings;
import org.aspd.teacher.llm.config.LlmTeacherConfig;
import org.aspd.teacher.llm.config.ModelSettings;
import org.aspd.teacher.llm.config.Provider;

/**
 * LLM call throughput against a fake OpenAI server that answers every call after a fixed delay (not a
 * test: it prints, it asserts nothing). Run by {@code pipeline/bench/llm-throughput.sh}.
 *
 * <ol>
 *   <li>teacher: one {@code LlmTeacher} called from N threads (what one StageFn's pool does), no
 *       cache, for a fixed time;
 *   <li>job: the whole Beam job over many distinct samples with {@code --maxInFlight=N} and a fresh
 *       cache; calls/s is the server's answers over the time from its first request to its last answer;
 *   <li>cached: the same job again on the now complete cache (no call reaches the server).
 * </ol>
 *
 * <p>Ideal calls/s at N in flight is N / delay. Output lines {@code RESULT key value} are for the script.
 *
 * <p>Arguments (all optional): {@code delayMs=100 inFlight=16,64 samples=640 teacherSeconds=4
 * parts=teacher,job}; arguments starting with {@code --} go to the job (after the DirectRunner
 * settings of {@code aspd run}: immutability and encodability checks off).
 */
public final class LlmThroughputBench {
  private LlmThroughputBench() {}

  public static void main(String[] args) throws Exception {
    long delayMs = 100;
    List<Integer> inFlight = List.of(16, 64);
    int samples = 640;
    double teacherSeconds = 4;
    List<String> parts = List.of("teacher", "job");
    // What `aspd run` passes to the DirectRunner (cli/RunnerArgs): no per-element re-encoding checks.
    List<String> jobArgs = new ArrayList<>(List.of("--enforceImmutability=false", "--enforceEncodability=false"));
    for (String a : args) {
      if (a.startsWith("--")) {
        jobArgs.add(a); // passed to the job as is, e.g. --targetParallelism=8
        continue;
      }
      String[] kv = a.split("=", 2);
      switch (kv[0]) {
        case "delayMs" -> delayMs = Long.parseLong(kv[1]);
        case "inFlight" -> inFlight = java.util.Arrays.stream(kv[1].split(",")).map(Integer::valueOf).toList();
        case "samples" -> samples = Integer.parseInt(kv[1]);
        case "teacherSeconds" -> teacherSeconds = Double.parseDouble(kv[1]);
        case "parts" -> parts = List.of(kv[1].split(","));
        default -> throw new IllegalArgumentException("unknown argument " + a);
      }
    }
    Path work = Files.createTempDirectory("aspd-llm-bench-");
    System.out.printf(Locale.ROOT, "machine: %d cores visible to the JVM, %s %s; server delay %d ms%n",
        Runtime.getRuntime().availableProcessors(), System.getProperty("java.vm.name"),
        System.getProperty("java.version"), delayMs);

    List<VicunaSamples.Annotated> many = VicunaSamples.variants(VicunaSamples.allParallel(), samples);
    Path input = work.resolve("input/bench.jsonl");
    VicunaSamples.writeJsonl(many, input);
    TeacherScript script = new TeacherScript(many, false, TeacherScript.NONE);

    for (int n : parts.contains("teacher") ? inFlight : List.<Integer>of()) {
      teacher(script, many.get(0).sample(), n, delayMs, teacherSeconds);
    }
    for (int n : parts.contains("job") ? inFlight : List.<Integer>of()) {
      job(script, input, work, n, delayMs, samples, n == inFlight.get(inFlight.size() - 1), jobArgs);
    }
    deleteTree(work);
  }

  /** N threads share one teacher, as one StageFn's pool does; each call is a distinct judge vote. */
  private static void teacher(TeacherScript script, Sample sample, int n, long delayMs, double seconds)
      throws Exception {
    try (FakeProvider server = new FakeProvider(Protocol.OPENAI, script, delayMs, Integer.MAX_VALUE)) {
      ModelSettings m = new ModelSettings(Provider.OPENAI, server.baseUrl(), LlmJobs.MODEL, 0.0, null, null, 30.0,
          "", null, null, null, null, null);
      LlmTeacherConfig config = LlmTeacherConfig.single(m).withCache(new CacheSettings(null, false, false))
          .withMaxConcurrency(n);
      try (Teacher t = new LlmTeacherFactory(config).create()) {
        AtomicBoolean measuring = new AtomicBoolean();
        AtomicBoolean stop = new AtomicBoolean();
        AtomicLong calls = new AtomicLong();
        AtomicLong vote = new AtomicLong();
        CountDownLatch done = new CountDownLatch(n);
        List<Thread> threads = new ArrayList<>();
        for (int i = 0; i < n; i++) {
          Thread th = new Thread(() -> {
            try {
              while (!stop.get()) {
                t.judgeFormat(sample, sample.answer(), (int) vote.getAndIncrement());
                if (measuring.get()) {
                  calls.incrementAndGet();
                }
              }
            } catch (Exception e) {
              System.err.println("teacher call failed: " + e);
            } finally {
              done.countDown();
            }
          });
          th.setDaemon(true);
          threads.add(th);
          th.start();
        }
        Thread.sleep(1000); // warm-up, not measured
        long start = System.nanoTime();
        long cpuStart = cpuNanos();
        measuring.set(true);
        Thread.sleep(Math.round(seconds * 1000));
        long got = calls.get();
        double elapsed = (System.nanoTime() - start) / 1e9;
        double cpu = (cpuNanos() - cpuStart) / 1e9;
        System.out.printf(Locale.ROOT, "  teacher %d in flight: %.2f ms CPU per call (client and fake server in one JVM), "
            + "%.2f cores busy%n", n, cpu * 1000 / Math.max(1, got), cpu / elapsed);
        stop.set(true);
        done.await(30, TimeUnit.SECONDS);
        report("teacher", n, delayMs, got / elapsed, server.maxConcurrent(), Double.NaN, Double.NaN);
      }
    }
  }

  private static void job(TeacherScript script, Path input, Path work, int n, long delayMs, int samples,
      boolean rerunCached, List<String> jobArgs) throws Exception {
    Path cache = work.resolve("cache-" + n);
    try (FakeProvider server = new FakeProvider(Protocol.OPENAI, script, delayMs, Integer.MAX_VALUE)) {
      Path yaml = LlmJobs.teacherConfig(work.resolve("teacher-" + n + ".yaml"), server, 30);
      List<String> options = new ArrayList<>(List.of("--teacher=openai", "--teacherConfig=" + yaml,
          "--llmCache=" + cache, "--maxInFlight=" + n));
      options.addAll(jobArgs);
      String[] teacher = options.toArray(String[]::new);
      long start = System.nanoTime();
      long cpuStart = cpuNanos();
      LlmJobs.Run run = LlmJobs.run(input, work.resolve("out-" + n), teacher);
      double wall = (System.nanoTime() - start) / 1e9;
      double cpu = (cpuNanos() - cpuStart) / 1e9;
      if (run.state() != PipelineResult.State.DONE) {
        throw new IllegalStateException("job ended " + run.state());
      }
      long dead = JobRunner.deadLetters(work.resolve("out-" + n)).size();
      double callsPerSecond = server.answered() / server.activeSeconds();
      report("job", n, delayMs, callsPerSecond, server.maxConcurrent(), server.meanConcurrent(), wall);
      stages(script, server, n);
      System.out.printf(Locale.ROOT, "  job %d in flight: %d samples, %d calls, %d dead letters, %.2f s of calls, "
          + "%.1f s CPU in the job (%.2f cores busy over its wall time)%n",
          n, samples, server.answered(), dead, server.activeSeconds(), cpu, cpu / wall);
      if (rerunCached) {
        int before = server.requests();
        long again = System.nanoTime();
        LlmJobs.Run cached = LlmJobs.run(input, work.resolve("out-cached"), teacher);
        double cachedWall = (System.nanoTime() - again) / 1e9;
        if (cached.state() != PipelineResult.State.DONE) {
          throw new IllegalStateException("cached job ended " + cached.state());
        }
        System.out.printf(Locale.ROOT, "cached rerun: %.2f s wall (first run %.2f s), %d requests reached the server%n",
            cachedWall, wall, server.requests() - before);
        System.out.printf(Locale.ROOT, "RESULT cached_rerun_s %.3f%n", cachedWall);
        System.out.printf(Locale.ROOT, "RESULT first_run_s_at_%d %.3f%n", n, wall);
      }
    }
  }

  private static void report(String what, int n, long delayMs, double callsPerSecond, int maxConcurrent,
      double meanConcurrent, double wall) {
    double ideal = n * 1000.0 / delayMs;
    System.out.printf(Locale.ROOT, "%-7s in flight %3d: %7.1f calls/s, ideal %6.1f, ratio %.3f, server saw max %d "
        + "concurrent%s%n", what, n, callsPerSecond, ideal, callsPerSecond / ideal, maxConcurrent,
        Double.isNaN(meanConcurrent) ? "" : String.format(Locale.ROOT, " (mean %.1f), job wall %.1f s",
            meanConcurrent, wall));
    System.out.printf(Locale.ROOT, "RESULT %s_calls_per_s_at_%d %.1f%n", what, n, callsPerSecond);
    System.out.printf(Locale.ROOT, "RESULT %s_ratio_at_%d %.3f%n", what, n, callsPerSecond / ideal);
    if (!Double.isNaN(meanConcurrent)) {
      System.out.printf(Locale.ROOT, "RESULT %s_mean_concurrent_at_%d %.1f%n", what, n, meanConcurrent);
    }
  }

  /**
   * Per stage: calls, the span from its first request's arrival to its last answer, calls/s and the
   * mean number in flight at the server (CheckIntegrity asks the format then the answer judge).
   */
  private static void stages(TeacherScript script, FakeProvider server, int n) {
    java.util.Map<String, List<FakeProvider.Timing>> byStage = new java.util.LinkedHashMap<>();
    for (String stage : List.of("Rewrite", "VerifyIndependence", "CheckIntegrity")) {
      byStage.put(stage, new ArrayList<>());
    }
    for (FakeProvider.Timing t : server.timings()) {
      String stage = switch (script.classify(t.request()).prompt()) {
        case REWRITE -> "Rewrite";
        case INDEPENDENCE -> "VerifyIndependence";
        case FORMAT, ANSWER -> "CheckIntegrity";
        case UNKNOWN -> "unknown";
      };
      byStage.computeIfAbsent(stage, k -> new ArrayList<>()).add(t);
    }
    byStage.forEach((stage, ts) -> {
      if (ts.isEmpty()) {
        return;
      }
      long first = ts.stream().mapToLong(FakeProvider.Timing::startNanos).min().orElse(0);
      long last = ts.stream().mapToLong(FakeProvider.Timing::endNanos).max().orElse(0);
      double span = (last - first) / 1e9;
      double busy = ts.stream().mapToLong(t -> t.endNanos() - t.startNanos()).sum() / 1e9;
      System.out.printf(Locale.ROOT, "  job %d in flight, %-18s %5d calls over %6.2f s: %6.1f calls/s, mean %4.1f "
          + "in flight, mean call %.0f ms at the server%n", n, stage, ts.size(), span, ts.size() / span,
          busy / span, busy * 1000 / ts.size());
    });
  }

  /** CPU time of this whole JVM (every thread, the fake server's included). */
  private static long cpuNanos() {
    return ((com.sun.management.OperatingSystemMXBean)
        java.lang.management.ManagementFactory.getOperatingSystemMXBean()).getProcessCpuTime();
  }

  private static void deleteTree(Path dir) throws java.io.IOException {
    try (var files = Files.walk(dir)) {
      files.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
    }
  }
}
