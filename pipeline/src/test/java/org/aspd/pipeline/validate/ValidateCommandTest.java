package org.aspd.pipeline.validate;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericRecord;
import org.apache.beam.sdk.PipelineResult;
import org.apache.beam.sdk.options.PipelineOptionsFactory;
import org.apache.hadoop.conf.Configuration;
import org.apache.parquet.avro.AvroParquetWriter;
import org.apache.parquet.hadoop.ParquetWriter;
import org.apache.parquet.hadoop.util.HadoopOutputFile;
import org.aspd.decoding.GpuAttention;
import org.aspd.pipeline.AspdOptions;
import org.aspd.pipeline.AspdPipeline;
import org.aspd.pipeline.CliRun;
import org.aspd.pipeline.write.Schemas;
import org.aspd.pipeline.write.ShardFiles;
import org.aspd.pipeline.write.ShardFooter;
import org.aspd.pipeline.write.ShardReader;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The real job on the bundled dataset writes shards; {@code aspd validate} passes them, and fails
 * (exit 1, check and row named) once one row's positions or labels are corrupted.
 */
class ValidateCommandTest {
  @TempDir
  static Path tmp;
  private static Path job;
  private static List<GenericRecord> rows;

  @BeforeAll
  static void runJob() throws IOException {
    Path dataset = Path.of(System.getProperty("aspd.home", "..")).resolve("datasets/vicuna-bench");
    job = tmp.resolve("job");
    AspdOptions options = PipelineOptionsFactory.fromArgs("--input=" + dataset, "--output=" + job)
        .withValidation().as(AspdOptions.class);
    assertEquals(PipelineResult.State.DONE, AspdPipeline.run(options).waitUntilFinish());
    rows = new ArrayList<>();
    ShardReader.forEach(job.resolve("data").toFile(), r -> rows.add(r));
  }

  static CliRun validate(String... args) {
    ValidateCommand command = new ValidateCommand();
    return CliRun.of(command, (out, err) -> {
      command.out = out;
      command.err = err;
    }, args);
  }

  @Test
  void jobOutputPasses() {
    CliRun r = validate(job.toString(), "--sample", "2");
    assertEquals(0, r.exit(), r.out() + r.err());
    assertTrue(r.out().contains(rows.size() + " rows (2 with numerical checks), " + rows.size() + " passed, 0 failed"), r.out());
    assertTrue(r.out().contains("branch_alone |Δlogit| over ") && r.out().contains("equal means within 0.001"), r.out());
    assertTrue(r.err().contains("random weights"), r.err());
    long shards = job.resolve("data").toFile().list((d, n) -> n.endsWith(".parquet")).length;
    assertTrue(r.out().contains("shard footers (funnel, statuses, candidate fates): " + shards + " match their rows\n"),
        r.out());
  }

  @Test
  void aShardWhoseFooterDisagreesWithItsRowsFails() throws IOException {
    Path dir = tmp.resolve("footer");
    Files.createDirectories(dir.resolve("data"));
    Path shard = dir.resolve("data/train-00000-of-00001.parquet");
    Map<String, String> footer = new LinkedHashMap<>();
    footer.put(ShardFooter.FUNNEL, "{\"read\":1}");
    ShardFiles.write(shard, Schemas.shardRow(), rows, footer);
    CliRun r = validate(dir.toString(), "--sample", "0");
    assertEquals(1, r.exit(), r.out() + r.err());
    assertTrue(r.out().contains("0 match their rows, 1 do not"), r.out());
    assertTrue(r.out().contains("FAIL shard train-00000-of-00001.parquet: the footer says {aspd.funnel={\"read\":1}}"),
        r.out());
    assertTrue(r.out().contains(rows.size() + " passed, 0 failed"), "the rows themselves pass: " + r.out());
  }

  @Test
  void corruptedRowsFailWithTheirCheck() throws IOException {
    GenericRecord parallel = rows.stream().filter(r -> (Boolean) r.get("parallel")).findFirst().orElseThrow();
    String id = parallel.get("id").toString();
    Path dir = tmp.resolve("corrupt");
    List<GenericRecord> copy = new ArrayList<>();
    for (GenericRecord r : rows) {
      GenericRecord c = new GenericData.Record((GenericData.Record) r, true);
      if (r.get("id").toString().equals(id)) {
        List<Integer> pos = new ArrayList<>(ints(c, "position_ids"));
        List<Integer> branch = ints(c, "branch_ids");
        int first = branch.indexOf(2); // first token of the second branch: shift its positions by one
        for (int i = first; i < branch.size() && branch.get(i) == 2; i++) pos.set(i, pos.get(i) + 1);
        c.put("position_ids", pos);
      }
      copy.add(c);
    }
    writeShard(dir, copy);
    CliRun r = validate(dir.toString(), "--sample", "0");
    assertEquals(1, r.exit(), r.out() + r.err());
    assertTrue(r.out().contains("1 failed") && r.out().contains("positions: 1 rows"), r.out());
    assertTrue(r.out().contains("FAIL " + id + ": positions: token "), r.out());
    assertTrue(r.out().contains("1 have none (written before aspd kept them)"), "a shard from another writer: " + r.out());
  }

  /** Without a GPU: --device cuda is a usage error that says why; auto runs on the CPU and says so. */
  @Test
  void deviceChoiceWithoutAGpu() {
    Optional<String> noGpu = GpuAttention.unavailableReason();
    assumeTrue(noGpu.isPresent(), "a GPU is present here");
    CliRun cuda = validate(job.toString(), "--device", "cuda", "--sample", "1");
    assertEquals(2, cuda.exit(), cuda.out() + cuda.err());
    assertTrue(cuda.err().contains("--device cuda: ") && cuda.err().contains("--device cpu or auto"), cuda.err());
    CliRun auto = validate(job.toString(), "--sample", "1");
    assertEquals(0, auto.exit(), auto.out() + auto.err());
    assertTrue(auto.err().contains("on cpu (fp32; no GPU: "), auto.err());
  }

  @Test
  void usageErrors() {
    assertEquals(2, validate(tmp.resolve("nowhere").toString()).exit());
    assertEquals(2, validate(job.toString(), "--tolerance", "0").exit());
    assertEquals(2, validate(job.toString(), "--model", tmp.resolve("no-model").toString(), "--sample", "1").exit());
  }

  @Test
  void anUnreadableShardIsAUsageErrorNamingIt() throws IOException {
    Path dir = tmp.resolve("truncated");
    Files.createDirectories(dir.resolve("data"));
    try (var shards = Files.list(job.resolve("data"))) {
      byte[] shard = Files.readAllBytes(shards.findFirst().orElseThrow());
      Files.write(dir.resolve("data/a.parquet"), java.util.Arrays.copyOf(shard, shard.length / 2));
    }
    CliRun r = validate(dir.toString(), "--sample", "0");
    assertEquals(2, r.exit(), r.out() + r.err());
    assertTrue(r.err().startsWith("aspd: cannot validate " + dir + ": " + dir.resolve("data/a.parquet")
        + " is not a readable Parquet file: "), r.err());
  }

  @SuppressWarnings("unchecked")
  private static List<Integer> ints(GenericRecord r, String field) {
    List<Integer> out = new ArrayList<>();
    for (Object o : (List<Object>) r.get(field)) out.add(((Number) o).intValue());
    return out;
  }

  private static void writeShard(Path dir, List<GenericRecord> records) throws IOException {
    File data = dir.resolve("data").toFile();
    Files.createDirectories(data.toPath());
    org.apache.hadoop.fs.Path file = new org.apache.hadoop.fs.Path(new File(data, "shard-00000.parquet").getAbsolutePath());
    try (ParquetWriter<GenericRecord> w = AvroParquetWriter.<GenericRecord>builder(HadoopOutputFile.fromPath(file,
        new Configuration())).withSchema(Schemas.shardRow()).build()) {
      for (GenericRecord r : records) w.write(r);
    }
  }
}
