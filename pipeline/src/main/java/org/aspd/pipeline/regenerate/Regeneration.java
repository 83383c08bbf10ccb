package org.aspd.pipeline.regenerate;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.apache.avro.Schema;
import org.apache.beam.sdk.PipelineResult;
import org.apache.beam.sdk.io.FileSystems;
import org.apache.beam.sdk.options.PipelineOptionsFactory;
import org.aspd.pipeline.AspdOptions;

import org.aspd.pipeline.write.Schemas;
import org.aspd.teacher.TeacherFactory;
import org.aspd.teacher.llm.prompt.Prompts;

import org.aspd.tokens.TokenizerCache;

/**
 * One {@code aspd regenerate}: under the root's lock, finish or clean up what a crashed run left,
 * stop early when neither the input files, the configuration nor the tokenizer's transformers files
 * ({@link TokenizerFiles}) changed since {@code LATEST}, else
 * build a new release in {@code releases/NAME.partial/} (carrying unchanged rows over when the
 * configuration fingerprint is the same), validate it, write its manifest, rename it into place and
 * point {@code LATEST} at it.
 */
public final class Regeneration {
  /** How a regeneration ended. */
  public enum Status { NOTHING_CHANGED, PUBLISHED }

  /**
   * @param release the release now in {@code LATEST}
   * @param counts the manifest's counts (empty when nothing changed)
   */
  public record Outcome(Status status, String release, Map<String, Long> counts, double seconds) {}

  private final DatasetSpec spec;
  private final RegenerationListener listener;
  private final PrintStream log;

  public Regeneration(DatasetSpec spec, RegenerationListener listener, PrintStream log) {
    this.spec = spec;
    this.listener = listener;
    this.log = log;
  }

  /** @param full recompute every row even when a previous release could lend its rows */
  public Outcome run(boolean full) throws IOException, RegenerationLock.HeldException {
    long start = System.nanoTime();
    ReleaseStore store = new ReleaseStore(spec.output());
    try (RegenerationLock lock = RegenerationLock.acquire(spec.output(), spec.file())) {
      store.recover().forEach(line -> log.println("aspd: " + line));
      listener.reached(RegenerationListener.Phase.LOCKED);
      AspdOptions options = PipelineOptionsFactory.fromArgs(spec.pipelineArgs(spec.output().toString()).toArray(String[]::new))
          .withValidation().as(AspdOptions.class);
      FileSystems.setDefaultPipelineOptions(options);
      TeacherFactory teacher = org.aspd.pipeline.Teachers.factory(options); // the spec's --teacher and llm:
      String teacherVersion = version(teacher);
      Schema schema = Schemas.shardRow();
      ConfigFingerprint config = ConfigFingerprint.of(spec, teacherVersion, CodeVersion.get(), schema.toString());
      List<InputFiles.InputFile> inputs = InputFiles.list(spec.inputs());
      Map<String, String> tokenizerFiles = TokenizerFiles.hashes(spec.stages().tokenizer());
      Optional<String> latest = store.latest();
      Manifest previous = latest.isPresent() ? Manifest.read(store.release(latest.get())) : null;
      if (!full && previous != null && previous.sameAs(config, spec.numShards(), inputs, tokenizerFiles)) {
        double seconds = seconds(start);
        log.printf("aspd: nothing changed since release %s (%d input files, configuration %s); checked in %.1f s%n",
            latest.get(), inputs.size(), config.sha256().substring(0, 12), seconds);
        return new Outcome(Status.NOTHING_CHANGED, latest.get(), Map.of(), seconds);
      }
      boolean carry = !full && previous != null && previous.configFingerprint().equals(config.sha256());
      if (previous != null && !carry) {
        log.println("aspd: " + (full ? "--full given" : "the configuration changed since release " + latest.get())
            + ": every row is recomputed");
      } else if (carry && !previous.tokenizerFiles().equals(tokenizerFiles)) {
        log.println("aspd: the tokenizer's transformers files changed since release " + latest.get()
            + " (they change no token id): rows are carried over");
      }
      String name = store.newName(Instant.now());
      Path partial = store.startPartial(name);
      options.setOutput(partial.toString());
      Map<String, Object> runInfo = runInfo(options, teacher, teacherVersion, name, latest.orElse(""));
      RegenerationPipeline.Plan plan = new RegenerationPipeline.Plan(options, spec.inputs(), partial.toString(),
          carry ? store.release(latest.get()).resolve("data").toString() : null, spec.stages(), teacher,
          teacherVersion, spec.numShards(), schema, runInfo);
      log.printf("aspd: building release %s%s%n", name, carry ? " from release " + latest.get() : "");
      PipelineResult result = RegenerationPipeline.build(plan).run();
      listener.reached(RegenerationListener.Phase.PIPELINE_STARTED);
      PipelineResult.State state = result.waitUntilFinish();
      if (state != PipelineResult.State.DONE) {
        throw new IOException("the pipeline ended " + state + "; " + partial + " is removed by the next run");
      }
      listener.reached(RegenerationListener.Phase.PIPELINE_FINISHED);
      ReleaseValidator.Result valid = ReleaseValidator.validate(partial, spec.numShards());
      Map<String, Long> counts = counts(valid, previous == null ? null : store.release(latest.get()));
      Manifest.write(partial, manifest(name, latest.orElse(null), config, tokenizerFiles, inputs, valid, counts, options,
          start));
      Files.delete(partial.resolve(RegenerationPipeline.COUNTS_FILE));
      listener.reached(RegenerationListener.Phase.MANIFEST_WRITTEN);
      store.publish(name, listener);
      listener.reached(RegenerationListener.Phase.PUBLISHED);
      for (String pruned : store.prune(spec.keepReleases())) {
        log.println("aspd: deleted release " + pruned + " (keepReleases: " + spec.keepReleases() + ")");
      }
      return new Outcome(Status.PUBLISHED, name, counts, seconds(start));
    }
  }

  private static String version(TeacherFactory factory) {
    return org.aspd.pipeline.Teachers.version(factory);
  }

  /**
   * Row counts against the previous release (rows and dead letters): an id is new when the previous
   * release had neither, changed when it had a row that was not carried over, removed when no input
   * has it any more. Dead-lettered samples are computed again on every run (they have no row to carry).
   */
  private static Map<String, Long> counts(ReleaseValidator.Result valid, Path previousRelease) throws IOException {
    Map<String, Long> c = valid.counts();
    Set<String> previousRows = previousRelease == null ? Set.of() : ReleaseValidator.rowIds(previousRelease);
    Set<String> previousAll = new HashSet<>(previousRows);
    if (previousRelease != null) {
      previousAll.addAll(ReleaseValidator.deadLetterIds(previousRelease));
    }
    Set<String> current = new HashSet<>(valid.rowIds());
    current.addAll(valid.deadLetterIds());
    Map<String, Long> out = new LinkedHashMap<>();
    out.put("input_records", c.get("samples_read") + c.get("read_failures"));
    out.put("rows", valid.rows());
    out.put("dead_letters", valid.deadLetters());
    out.put("carried_rows", c.get("carried_rows"));
    out.put("computed_samples", c.get("computed_samples"));
    out.put("new_ids", current.stream().filter(id -> !previousAll.contains(id)).count());
    out.put("changed_ids", current.stream().filter(previousRows::contains).count() - c.get("carried_rows"));
    out.put("removed_ids", previousAll.stream().filter(id -> !current.contains(id)).count());
    out.put("previous_rows", (long) previousRows.size());
    return out;
  }

  private Map<String, Object> manifest(String name, String previous, ConfigFingerprint config,
      Map<String, String> tokenizerFiles, List<InputFiles.InputFile> inputs, ReleaseValidator.Result valid, Map<String, Long> counts,
      AspdOptions options, long start) throws IOException {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("release", name);
    m.put("previous_release", previous);
    m.put("finished_at", Instant.now().toString());
    m.put("duration_seconds", Math.round(seconds(start) * 10) / 10.0);
    try (InputStream in = Files.newInputStream(spec.file())) {
      m.put("spec", Map.of("path", spec.file().toString(), "sha256", Sha256.of(in)));
    }
    m.put("code_version", CodeVersion.get());
    m.put("config_fingerprint", config.sha256());
    m.put("config", config.canonical());
    m.put("tokenizer_files", tokenizerFiles);
    if (!spec.teacher().equals("rules")) {
      Prompts prompts = Prompts.load();
      Map<String, String> hashes = new LinkedHashMap<>();
      for (var p : List.of(prompts.rewrite(), prompts.independence(), prompts.format(), prompts.answer(),
          prompts.reaskJson(), prompts.reaskRewrite())) {
        hashes.put(p.name(), p.version());
      }
      m.put("prompts", hashes);
    }
    m.put("num_shards", spec.numShards());
    m.put("runner", options.getRunner().getSimpleName());
    m.put("pipeline_options", spec.pipelineOptions());
    m.put("inputs", inputs);
    m.put("counts", counts);
    Map<String, Object> stats = new LinkedHashMap<>();
    for (String key : List.of("samples_total", "samples_parallel", "dead_letters", "ppd", "dp", "abn", "ape",
        "theoretical_speedup_mean")) {
      JsonNode v = valid.stats().path(key);
      stats.put(key, v.isIntegralNumber() ? (Object) v.asLong() : (Object) v.asDouble());
    }
    m.put("stats", stats);
    m.put("shards", valid.shards());
    return m;
  }

  private Map<String, Object> runInfo(AspdOptions o, TeacherFactory teacher, String version, String name,
      String previous) {
    var c = spec.stages();
    Map<String, Object> run = new LinkedHashMap<>();
    run.put("release", name);
    run.put("previous_release", previous);
    run.put("inputs", String.join(", ", spec.inputs()));
    run.put("teacher", teacher.name());
    run.put("teacher_version", version);
    run.put("tokenizer", TokenizerCache.get(c.tokenizer()).name());
    run.put("runner", o.getRunner().getSimpleName());
    run.put("candidates", c.candidates());
    run.put("independence_votes", c.independenceAccept() + "/" + c.independenceVotes());
    run.put("format_votes", c.formatAccept() + "/" + c.formatVotes());
    run.put("answer_votes", c.answerAccept() + "/" + c.answerVotes());
    run.put("min_parallel_tokens", c.minParallelTokens());
    run.put("max_tokens", c.maxTokens());
    run.put("over_limit", c.overLimit().name().toLowerCase(java.util.Locale.ROOT));
    run.put("max_branches", c.maxBranches());
    run.put("title_max_tokens", c.titleMaxTokens());
    run.put("edit_budget", "min(" + c.editBudgetMax() + ", " + c.editBudgetFraction() + " x answer tokens)");
    run.put("loss_mask", c.maskForcedTargets() ? "forced targets masked" : "every response token");
    run.put("aspd_version", CodeVersion.get());
    return run;
  }

  private static double seconds(long start) {
    return (System.nanoTime() - start) / 1e9;
  }
}
