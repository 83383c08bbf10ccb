package org.aspd.pipeline.cli;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.beam.sdk.Pipeline;
import org.apache.beam.sdk.PipelineRunner;
import org.apache.beam.sdk.options.PipelineOptionsFactory;
import org.apache.beam.sdk.transforms.DoFn;
import org.apache.beam.sdk.transforms.ParDo;
import org.aspd.model.Sample;
import org.aspd.pipeline.AspdOptions;
import org.aspd.pipeline.llm.LlmTeachers;
import org.aspd.pipeline.read.ReadSamples;
import org.aspd.teacher.llm.DryRunEstimator;

/**
 * {@code aspd run --dry-run}: reads the inputs with the job's own reader (in-process), and prints
 * the calls, tokens and cost the LLM teacher would spend on them, without calling anything.
 */
final class DryRun {
  private static final Map<String, List<Sample>> COLLECTED = new ConcurrentHashMap<>();

  private DryRun() {}

  static String report(AspdOptions options) {
    if (!LlmTeachers.handles(options.getTeacher())) {
      return "teacher '" + options.getTeacher() + "' makes no LLM calls: a run costs nothing.\n";
    }
    String key = UUID.randomUUID().toString();
    Class<? extends PipelineRunner<?>> runner = options.getRunner();
    COLLECTED.put(key, Collections.synchronizedList(new ArrayList<>()));
    try {
      // The run's own options (so its filesystems, hdfs:// among them, are there), on the DirectRunner.
      options.setRunner(PipelineOptionsFactory.fromArgs("--runner=DirectRunner").create().getRunner());
      Pipeline p = Pipeline.create(options);
      p.apply("ReadSamples", ReadSamples.from(options.getInput()).withLimit(options.getLimit()))
          .get(ReadSamples.SAMPLES)
          .apply("Collect", ParDo.of(new CollectFn(key)));
      p.run().waitUntilFinish();
      DryRunEstimator.Assumptions assumptions = new DryRunEstimator.Assumptions(options.getCandidates(),
          options.getIndependenceVotes(), options.getFormatVotes(), options.getAnswerVotes(), 1.0,
          options.getMinParallelTokens(), 60, 1.15);
      return LlmTeachers.dryRun(options.getTeacher(), options, COLLECTED.get(key), assumptions);
    } finally {
      options.setRunner(runner);
      COLLECTED.remove(key);
    }
  }

  static class CollectFn extends DoFn<Sample, Void> {
    private final String key;

    CollectFn(String key) {
      this.key = key;
    }

    @ProcessElement
    public void process(@Element Sample s) {
      COLLECTED.get(key).add(s);
    }
  }
}
