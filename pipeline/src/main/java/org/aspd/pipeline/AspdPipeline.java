package org.aspd.pipeline;

import java.util.LinkedHashMap;
import java.util.Map;
import org.apache.beam.sdk.Pipeline;
import org.apache.beam.sdk.PipelineResult;
import org.apache.beam.sdk.io.TextIO;
import org.apache.beam.sdk.options.PipelineOptionsFactory;
import org.apache.beam.sdk.transforms.Combine;
import org.apache.beam.sdk.transforms.Flatten;
import org.apache.beam.sdk.transforms.MapElements;
import org.apache.beam.sdk.transforms.ParDo;
import org.apache.beam.sdk.values.PCollection;
import org.apache.beam.sdk.values.PCollectionList;
import org.apache.beam.sdk.values.PCollectionTuple;
import org.apache.beam.sdk.values.TypeDescriptor;
import org.apache.beam.sdk.values.TypeDescriptors;
import org.aspd.metrics.DatasetStats;
import org.aspd.metrics.DatasetStatsFn;
import org.aspd.metrics.StatsEvent;
import org.aspd.model.DeadLetter;
import org.aspd.model.Sample;
import org.aspd.model.ShardRow;
import org.aspd.pipeline.read.ReadSamples;
import org.aspd.pipeline.report.WriteReportFn;
import org.aspd.pipeline.write.DeadLetterJson;
import org.aspd.pipeline.write.OutputFolder;
import org.aspd.pipeline.write.Schemas;
import org.aspd.pipeline.write.WriteShards;
import org.aspd.stages.AspdStages;
import org.aspd.stages.StageConfig;
import org.aspd.teacher.TeacherFactory;

/**
 * The aspd job: read samples, de-duplicate ids, run the four ASPD stages, write Parquet shards,
 * dead letters, statistics and the dataset card. Rows in = rows out + dead letters.
 */
public final class AspdPipeline {
  private AspdPipeline() {}

  public static void main(String[] args) {
    AspdOptions options = PipelineOptionsFactory.fromArgs(args).withValidation().as(AspdOptions.class);
    // Under `flink run` a relative path would resolve in each TaskManager's working directory.
    if (!options.getOutput().contains("://")) {
      options.setOutput(new java.io.File(options.getOutput()).getAbsolutePath());
    }
    run(options).waitUntilFinish();
  }

  /**
   * Builds and starts the job once the output folder is ready (see {@link OutputFolder}).
   *
   * @throws IllegalArgumentException for a bad option or an output folder that cannot be used
   */
  public static PipelineResult run(AspdOptions options) {
    Pipeline pipeline = build(options); // settings are checked first: a bad one leaves no folder behind
    ReadSamples.requireSomeInput(options.getInput());
    OutputFolder.prepare(options.getOutput(), options.getOverwrite());
    return pipeline.run();
  }

  public static Pipeline build(AspdOptions options) {
    StageConfig config = StageConfigs.from(options);
    TeacherFactory teacher = Teachers.factory(options);
    String teacherVersion = Teachers.version(teacher);
    String output = trimSlash(options.getOutput());
    Pipeline p = Pipeline.create(options);

    PCollectionTuple read = p.apply("ReadSamples", ReadSamples.from(options.getInput()).withLimit(options.getLimit()));
    PCollectionTuple unique = read.get(ReadSamples.SAMPLES).apply("DeduplicateIds", new DeduplicateIds());
    PCollectionTuple staged = unique.get(DeduplicateIds.UNIQUE)
        .apply("AspdStages", new AspdStages(teacher, teacherVersion, config));
    PCollection<ShardRow> rows = staged.get(AspdStages.ROWS);
    PCollection<DeadLetter> deadLetters = PCollectionList.of(read.get(ReadSamples.FAILURES))
        .and(unique.get(DeduplicateIds.FAILURES))
        .and(staged.get(AspdStages.FAILURES))
        .apply("FlattenDeadLetters", Flatten.pCollections());

    PCollection<String> shards =
        rows.apply("WriteShards", new WriteShards(output + "/data", options.getNumShards(), Schemas.shardRow()));

    org.apache.beam.sdk.io.WriteFilesResult<Void> deadLetterFiles = deadLetters
        .apply("DeadLettersToJson", MapElements.into(TypeDescriptors.strings()).via(DeadLetterJson::toJson))
        .apply("WriteDeadLetters", TextIO.write().to(output + "/dead_letters/dead-letters")
            .withSuffix(".jsonl").withNumShards(1).withOutputFilenames());

    PCollection<StatsEvent> rowEvents = rows.apply("RowStats",
        MapElements.into(TypeDescriptor.of(StatsEvent.class)).via(StatsEvent::of));
    PCollection<StatsEvent> failureEvents = deadLetters.apply("DeadLetterStats",
        MapElements.into(TypeDescriptor.of(StatsEvent.class)).via(StatsEvent::of));
    PCollection<StatsEvent> skippedEvents = read.get(ReadSamples.SKIPPED).apply("SkippedFileStats",
        MapElements.into(TypeDescriptor.of(StatsEvent.class)).via(StatsEvent::skippedFile));
    PCollectionList.of(rowEvents).and(failureEvents).and(skippedEvents)
        .apply("FlattenStats", Flatten.pCollections())
        .apply("ComputeStats", Combine.globally(new DatasetStatsFn()))
        .setCoder(org.apache.beam.sdk.coders.SerializableCoder.of(DatasetStats.class))
        // The card and stats.json describe shards that exist: a run killed before its shards were
        // renamed into place leaves no report claiming rows (aspd stats then says there is no run).
        .apply("AfterTheData", org.apache.beam.sdk.transforms.Wait.on(shards,
            deadLetterFiles.getPerDestinationOutputFilenames()))
        .apply("WriteReport", ParDo.of(new WriteReportFn(output, runInfo(options, teacher, teacherVersion, config),
            config.tokenizer())));
    return p;
  }

  private static Map<String, Object> runInfo(AspdOptions o, TeacherFactory teacher, String version, StageConfig c) {
    Map<String, Object> run = new LinkedHashMap<>();
    run.put("inputs", String.join(", ", o.getInput()));
    if (o.getLimit() > 0) {
      run.put("limit", o.getLimit() + " (the first " + o.getLimit() + " input records)");
    }
    run.put("teacher", teacher.name());
    run.put("teacher_version", version);
    run.put("tokenizer", org.aspd.tokens.TokenizerCache.get(c.tokenizer()).name());
    run.put("runner", o.getRunner().getSimpleName());
    run.put("candidates", c.candidates());
    run.put("independence_votes", c.independenceAccept() + "/" + c.independenceVotes());
    run.put("format_votes", c.formatAccept() + "/" + c.formatVotes());
    run.put("answer_votes", c.answerAccept() + "/" + c.answerVotes());
    run.put("min_parallel_tokens", c.minParallelTokens());
    run.put("max_tokens", c.maxTokens());
    run.put("over_limit", c.overLimit().name().toLowerCase());
    run.put("max_branches", c.maxBranches());
    run.put("title_max_tokens", c.titleMaxTokens());
    run.put("edit_budget", "min(" + c.editBudgetMax() + ", " + c.editBudgetFraction() + " x answer tokens)");
    run.put("loss_mask", c.maskForcedTargets() ? "forced targets masked" : "every response token");
    run.put("aspd_version", Version.get());
    return run;
  }

  private static String trimSlash(String path) {
    return path.endsWith("/") ? path.substring(0, path.length() - 1) : path;
  }
}
