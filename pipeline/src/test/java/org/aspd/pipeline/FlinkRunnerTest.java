package org.aspd.pipeline;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.apache.avro.generic.GenericRecord;
import org.apache.beam.sdk.PipelineResult;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The same job on an embedded Flink cluster ({@code --runner flink}) writes the same rows as on the
 * DirectRunner, compared record by record.
 */
class FlinkRunnerTest {
  @TempDir
  Path dir;

  @Test
  void embeddedFlinkMatchesDirectRunnerRecordByRecord() throws Exception {
    Path dataset = Path.of(System.getProperty("aspd.home", "..")).resolve("datasets/vicuna-bench");
    Path direct = dir.resolve("direct");
    Path flink = dir.resolve("flink");
    assertEquals(PipelineResult.State.DONE, JobRunner.run(List.of(dataset.toString()), direct));
    assertEquals(PipelineResult.State.DONE, JobRunner.run(List.of(dataset.toString()), flink,
        "--runner=FlinkRunner", "--flinkMaster=[local]", "--parallelism=2"));

    Map<String, GenericRecord> a = JobRunner.rows(direct);
    Map<String, GenericRecord> b = JobRunner.rows(flink);
    assertEquals(a.keySet(), b.keySet());
    for (String id : a.keySet()) {
      assertEquals(a.get(id).toString(), b.get(id).toString(), "row " + id);
    }
    assertEquals(JobRunner.stats(direct).get("ppd"), JobRunner.stats(flink).get("ppd"));
    assertEquals(Files.readString(direct.resolve("README.md")).replace("DirectRunner", "FlinkRunner"),
        Files.readString(flink.resolve("README.md")));
  }
}
