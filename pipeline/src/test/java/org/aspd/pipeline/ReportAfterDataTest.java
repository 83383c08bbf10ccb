package org.aspd.pipeline;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import org.apache.beam.sdk.Pipeline;
import org.apache.beam.sdk.options.PipelineOptionsFactory;
import org.apache.beam.sdk.runners.TransformHierarchy;
import org.apache.beam.sdk.values.PValue;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The card and stats.json are written only once the shards and dead letters are in place: a run
 * killed between them left a card and statistics for 2,415 rows beside an empty data folder, and
 * {@code aspd stats} reported them. Checked on the job's graph: every path into the report step
 * passes through the shards' finalize step and the dead-letter write.
 */
class ReportAfterDataTest {
  @TempDir Path dir;

  @Test
  void theReportWaitsForTheShardsAndTheDeadLetters() throws Exception {
    Path input = java.nio.file.Files.writeString(dir.resolve("a.jsonl"), "{\"prompt\":\"q\",\"response\":\"a\"}\n");
    AspdOptions options = PipelineOptionsFactory.fromArgs("--input=" + input, "--output=" + dir.resolve("out"),
        "--runner=DirectRunner").as(AspdOptions.class);
    Pipeline p = AspdPipeline.build(options);
    Map<PValue, String> producer = new HashMap<>();
    Map<String, Set<PValue>> inputs = new HashMap<>();
    p.traverseTopologically(new Pipeline.PipelineVisitor.Defaults() {
      @Override
      public void visitPrimitiveTransform(TransformHierarchy.Node node) {
        node.getOutputs().values().forEach(v -> producer.put(v, node.getFullName()));
        inputs.put(node.getFullName(), new HashSet<>(node.getInputs().values()));
      }
    });
    String report = inputs.keySet().stream().filter(n -> n.startsWith("WriteReport")).findFirst().orElseThrow();
    Set<String> upstream = new HashSet<>();
    Deque<String> todo = new ArrayDeque<>(Set.of(report));
    while (!todo.isEmpty()) {
      for (PValue in : inputs.getOrDefault(todo.pop(), Set.of())) {
        String from = producer.get(in);
        if (from != null && upstream.add(from)) {
          todo.push(from);
        }
      }
    }
    assertTrue(upstream.stream().anyMatch(n -> n.contains("FinalizeShards")), "the report waits for the shards");
    assertTrue(upstream.stream().anyMatch(n -> n.startsWith("WriteDeadLetters")), "and for the dead letters");
  }
}
