package org.aspd.pipeline.llmjob;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericRecord;
import org.apache.beam.sdk.PipelineResult;
import org.apache.beam.sdk.metrics.MetricNameFilter;
import org.apache.beam.sdk.metrics.MetricResult;
import org.apache.beam.sdk.metrics.MetricsFilter;
import org.apache.beam.sdk.options.PipelineOptionsFactory;
import org.aspd.pipeline.AspdOptions;
import org.aspd.pipeline.AspdPipeline;

/**
 * Runs the real job with an LLM teacher (in this JVM or in a child JVM) and reads its outputs back
 * with standard readers, like the pipeline tests' {@code JobRunner} (which is package-private there).
 */
final class LlmJobs {
  static final String MODEL = "test-model";

  private LlmJobs() {}

  /** A finished in-process run. */
  record Run(PipelineResult.State state, PipelineResult result) {
    /** The committed-or-attempted value of counter {@code namespace/name}, 0 when never bumped. */
    long counter(String namespace, String name) {
      long total = 0;
      for (MetricResult<Long> c : result.metrics().queryMetrics(MetricsFilter.builder()
          .addNameFilter(MetricNameFilter.named(namespace, name)).build()).getCounters()) {
        total += c.getAttempted();
      }
      return total;
    }
  }

  static Run run(Path input, Path output, String... extra) {
    AspdOptions options = PipelineOptionsFactory.fromArgs(args(input, output, extra))
        .withValidation().as(AspdOptions.class);
    PipelineResult result = AspdPipeline.run(options);
    return new Run(result.waitUntilFinish(), result);
  }

  static String[] args(Path input, Path output, String... extra) {
    List<String> args = new ArrayList<>();
    args.add("--input=" + input);
    args.add("--output=" + output);
    args.addAll(List.of(extra));
    return args.toArray(String[]::new);
  }

  /**
   * The teacher YAML for tests: one fake endpoint for every stage, greedy (one call stands for all
   * votes, and every request body is distinct), no key, and quick retries so faults cost little.
   * {@code judgeTimeoutSeconds} applies to the format and answer judges, where timeouts are injected.
   */
  static Path teacherConfig(Path file, FakeProvider server, double judgeTimeoutSeconds) throws IOException {
    String yaml = """
        provider: %s
        baseUrl: %s
        model: %s
        temperature: 0
        timeoutSeconds: 10
        apiKeyEnv: ""
        stages:
          format: {timeoutSeconds: %s}
          answer: {timeoutSeconds: %s}
        retry: {maxAttempts: 3, initialBackoffMillis: 5, maxBackoffMillis: 50}
        circuitBreaker: {failureThreshold: 100000, coolDownSeconds: 0}
        """.formatted(server.protocol().name().toLowerCase(), server.baseUrl(), MODEL,
        judgeTimeoutSeconds, judgeTimeoutSeconds);
    Files.createDirectories(file.getParent());
    Files.writeString(file, yaml, StandardCharsets.UTF_8);
    return file;
  }

  private static final Pattern CALL_KEY =
      Pattern.compile("\"key\": \"[0-9a-f]{64}\"");

  /**
   * A row as text with its LLM call keys blanked. A key includes the base URL (two servers may serve
   * different models under one name), so a run against another server names other keys.
   */
  static String withoutCallKeys(Object row) {
    return CALL_KEY.matcher(row.toString()).replaceAll("\"key\": KEY");
  }

  /** A row as text without its LLM calls, for rows whose calls differ on purpose. */
  static String withoutCalls(GenericRecord row) {
    GenericRecord copy = GenericData.get().deepCopy(row.getSchema(), row);
    copy.put("llm_calls", List.of());
    return copy.toString();
  }

  /** The stages of a row's LLM calls, in the order made. */
  static List<String> callStages(GenericRecord row) {
    return callField(row, "stage");
  }

  /** The keys of a row's LLM calls, in the order made. */
  static List<String> callKeys(GenericRecord row) {
    return callField(row, "key");
  }

  private static List<String> callField(GenericRecord row, String field) {
    List<String> values = new ArrayList<>();
    for (Object call : (List<?>) row.get("llm_calls")) {
      values.add(((GenericRecord) call).get(field).toString());
    }
    return values;
  }

  /**
   * The recorded entries of an LLM cache directory ({@code DIR/ab/<key>.json}; temporary files are
   * not entries). Safe while a job writes there: names are listed, never stat-ed.
   */
  static List<Path> cacheEntries(Path cache) throws IOException {
    List<Path> out = new ArrayList<>();
    if (!Files.isDirectory(cache)) {
      return out;
    }
    try (Stream<Path> dirs = Files.list(cache)) {
      for (Path sub : dirs.filter(p -> p.getFileName().toString().matches("[0-9a-f]{2}")).toList()) {
        try (Stream<Path> files = Files.list(sub)) {
          files.filter(p -> p.getFileName().toString().matches("[0-9a-f]{64}\\.json")).forEach(out::add);
        }
      }
    }
    out.sort(null);
    return out;
  }

  /** Copies a directory tree. */
  static void copyTree(Path from, Path to) throws IOException {
    try (Stream<Path> files = Files.walk(from)) {
      for (Path p : files.toList()) {
        Path target = to.resolve(from.relativize(p).toString());
        if (Files.isDirectory(p)) {
          Files.createDirectories(target);
        } else {
          Files.copy(p, target);
        }
      }
    }
  }

  /**
   * Starts the job's main class in a child JVM with this JVM's class path (through an argument file:
   * a test class path can outgrow one command-line argument); stdout and stderr go to {@code log}.
   */
  static Process startChild(Path workDir, Path log, String[] jobArgs) throws IOException {
    Path argFile = workDir.resolve("child-" + System.nanoTime() + ".args");
    List<String> lines = new ArrayList<>();
    lines.add("-cp");
    lines.add(quote(System.getProperty("java.class.path")));
    lines.add("-Xmx1g");
    lines.add("-XX:TieredStopAtLevel=1"); // a short run: start fast rather than peak late
    lines.add("-Djava.awt.headless=true");
    lines.add(AspdPipeline.class.getName());
    for (String a : jobArgs) {
      lines.add(quote(a));
    }
    Files.write(argFile, lines, StandardCharsets.UTF_8);
    String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
    ProcessBuilder pb = new ProcessBuilder(java, "@" + argFile).redirectErrorStream(true)
        .redirectOutput(log.toFile());
    pb.environment().remove("OPENAI_API_KEY");
    return pb.start();
  }

  private static String quote(String arg) {
    return "\"" + arg.replace("\\", "\\\\").replace("\"", "\\\"") + "\"";
  }

  static String tail(Path log) {
    try {
      String s = Files.readString(log);
      return s.length() > 4000 ? s.substring(s.length() - 4000) : s;
    } catch (IOException e) {
      return "(no log: " + e + ")";
    }
  }
}
