package org.aspd.pipeline.cli;

import java.io.File;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import org.apache.beam.sdk.PipelineResult;
import org.apache.beam.sdk.options.PipelineOptionsFactory;
import org.aspd.pipeline.AspdOptions;
import org.aspd.pipeline.AspdPipeline;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Unmatched;

/**
 * {@code aspd run}: the whole job. Stage settings and Beam pipeline options that are not declared
 * here ({@code --candidates=5}, {@code --parallelism=4}, {@code --tempLocation=...}) pass through
 * to Beam unchanged; {@code aspd run --help-options} lists them all.
 */
@Command(name = "run", mixinStandardHelpOptions = true,
    description = "Rewrite answers into ASPD training shards (Parquet), dead letters, stats and a dataset card.")
final class RunCommand implements Callable<Integer> {
  @Option(names = "--input", arity = "1..*", paramLabel = "PATH",
      description = "Input files, directories or globs. Default: the bundled Vicuna Bench gpt-4o answers.")
  List<String> inputs = new ArrayList<>();

  @Option(names = "--output", paramLabel = "DIR", description = "Output directory (required).")
  String output;

  @Option(names = "--teacher", description = "rules (default: embedded, offline), or an LLM: openai (vLLM, SGLang, llama.cpp,"
          + " OpenAI), ollama, anthropic; with --model, --base-url or --teacher-config (whose provider it"
          + " defaults to).")
  String teacher;

  @Option(names = "--base-url", paramLabel = "URL",
      description = "LLM teacher endpoint; OpenAI-compatible URLs end in /v1 (vLLM: http://host:8000/v1).")
  String baseUrl;

  @Option(names = "--model", paramLabel = "NAME", description = "LLM teacher model name.")
  String model;

  @Option(names = "--teacher-config", paramLabel = "FILE.yaml", description = "Per-stage LLM settings.")
  String teacherConfig;

  @Option(names = "--llm-cache", paramLabel = "DIR",
      description = "LLM call cache shared by workers and runs (default ~/.cache/aspd/llm).")
  String llmCache;

  @Option(names = "--no-cache", description = "Neither read nor record LLM calls.")
  boolean noCache;

  @Option(names = "--llm-replay", paramLabel = "DIR",
      description = "Answer only from the calls recorded in DIR; a call never recorded fails its sample.")
  String llmReplay;

  @Option(names = "--max-in-flight", paramLabel = "N", description = "LLM calls in flight per stage and worker.")
  Integer maxInFlight;

  @Option(names = "--overwrite", description = "Replace an earlier run in --output; without it such a folder is refused.")
  boolean overwrite;

  @Option(names = "--dry-run", description = "Print the LLM calls, tokens and cost the run would spend; call nothing.")
  boolean dryRun;

  @Option(names = "--runner", defaultValue = "direct",
      description = "direct (default), flink (embedded Flink; with --flinkMaster=HOST:PORT a real cluster, "
          + "see pipeline/cluster/README.md), or a Beam runner class name.")
  String runner;

  @Option(names = "--limit", paramLabel = "N",
      description = "Read only the first N input records (in the order of --input, files sorted in folders): a sample run.")
  Long limit;

  @Option(names = "--validate", description = "Validate the shards when the job is done (aspd validate DIR).")
  boolean validate;

  @Option(names = "--help-options", description = "List every pipeline option (stage settings and Beam's).")
  boolean helpOptions;

  @Unmatched
  List<String> passThrough = new ArrayList<>();

  @Spec
  CommandSpec spec;

  @Override
  public Integer call() {
    if (helpOptions) {
      PipelineOptionsFactory.register(AspdOptions.class);
      PipelineOptionsFactory.printHelp(System.out, AspdOptions.class);
      return 0;
    }
    // picocli's multi-value --input also takes the pass-through settings after its paths
    // (--input a.jsonl --tokenizer=x): they are settings, never input paths.
    List<String> settings = inputs.stream().filter(in -> in.startsWith("--")).toList();
    String misspelt = PassThrough.valueApartAmongInputs(inputs);
    inputs.removeAll(settings);
    passThrough.addAll(0, settings);
    misspelt = misspelt != null ? misspelt : PassThrough.problem(passThrough, output == null,
        spec.optionsMap().keySet().stream().filter(name -> name.startsWith("--")).sorted().toList());
    if (misspelt != null) {
      System.err.println("aspd: " + misspelt);
      return 2;
    }
    List<String> args = new ArrayList<>();
    for (String in : inputs.isEmpty() ? List.of(DefaultDataset.path()) : inputs) {
      args.add("--input=" + in);
    }
    // A local folder is made absolute (the workers may run elsewhere); hdfs://... is kept as it is.
    args.add("--output=" + (output.contains("://") ? output : new File(output).getAbsolutePath()));
    if (teacher == null) {
      // A teacher YAML names its provider: --teacher-config alone means that LLM, not the rules.
      if (teacherConfig != null && !new File(teacherConfig).isFile()) {
        System.err.println("aspd: --teacher-config " + teacherConfig + ": no such file");
        return 2;
      }
      try {
        teacher = teacherConfig == null ? "rules"
            : org.aspd.teacher.llm.config.TeacherConfigFile.read(new File(teacherConfig).toPath())
                .stage(org.aspd.teacher.llm.config.LlmStage.REWRITE).provider().id();
      } catch (RuntimeException e) {
        System.err.println("aspd: --teacher-config " + teacherConfig + ": " + e.getMessage());
        return 2;
      }
    }
    args.add("--teacher=" + teacher);
    addIf(args, "--baseUrl", baseUrl);
    addIf(args, "--model", model);
    addIf(args, "--teacherConfig", teacherConfig);
    addIf(args, "--llmCache", llmReplay != null ? llmReplay : llmCache);
    if (llmReplay != null) {
      args.add("--llmReplay=true");
    }
    if (noCache) {
      args.add("--noCache=true");
    }
    if (overwrite) {
      args.add("--overwrite=true");
    }
    if (maxInFlight != null) {
      args.add("--maxInFlight=" + maxInFlight);
    }
    if (validate && output.contains("://")) {
      System.err.println("aspd: --validate reads a local output folder, not " + output + "; validate a local copy"
          + " with aspd validate DIR");
      return 2;
    }
    if (limit != null) {
      if (limit <= 0) {
        System.err.println("aspd: --limit must be a positive number of records, not " + limit);
        return 2;
      }
      args.add("--limit=" + limit);
    }
    args.addAll(RunnerArgs.of(runner, passThrough));
    args.addAll(passThrough);
    AspdOptions options;
    long start = System.nanoTime();
    PipelineResult result;
    try {
      options = PipelineOptionsFactory.fromArgs(args.toArray(String[]::new)).withValidation().as(AspdOptions.class);
      org.aspd.pipeline.Teachers.factory(options); // settings the teacher would ignore: refused before a dry run too
      if (dryRun || options.getDryRun()) { // --dry-run, or Beam's spelling --dryRun=true
        System.out.print(DryRun.report(options));
        return 0;
      }
      result = AspdPipeline.run(options);
    } catch (IllegalArgumentException e) {
      // A bad option or setting, found while the job is built: before any row is read. Failures
      // while it runs are the runner's own exceptions and keep their stack traces.
      String hint = String.valueOf(e.getMessage()).startsWith("No filesystem found for scheme hdfs")
          ? ": set HADOOP_CONF_DIR to the cluster's configuration folder, or give"
              + " --hdfsConfiguration='[{\"fs.defaultFS\": \"hdfs://HOST:PORT\"}]'" : "";
      System.err.println("aspd: " + e.getMessage() + hint);
      return 2;
    }
    Progress.follow(result, options);
    PipelineResult.State state = result.waitUntilFinish();
    double seconds = (System.nanoTime() - start) / 1e9;
    System.err.printf("aspd: %s in %.1f s; output in %s%n", state, seconds, options.getOutput());
    if (state != PipelineResult.State.DONE) {
      return 1;
    }
    Summary.print(options.getOutput(), System.out);
    LlmUsage.print(result, System.out);
    String teacherDown = Summary.teacherDown(options.getOutput());
    if (teacherDown != null) {
      System.err.println("aspd: no sample became a row: the teacher failed for every one; the first said: "
          + teacherDown);
      return 4;
    }
    long misses = llmReplay == null ? 0 : Summary.replayMisses(options.getOutput());
    if (misses > 0) {
      // The job finished, but it is not the recorded dataset: a rebuild script must be able to tell.
      System.err.println("aspd: " + misses + " sample(s) needed calls that are not in the replay cache " + llmReplay
          + " (dead letters with reason replay_miss): this is not an exact rebuild");
      return 3;
    }
    if (validate) {
      return new picocli.CommandLine(new org.aspd.pipeline.validate.ValidateCommand()).execute(options.getOutput());
    }
    return 0;
  }

  private static void addIf(List<String> args, String flag, String value) {
    if (value != null && !value.isBlank()) {
      args.add(flag + "=" + value);
    }
  }
}
