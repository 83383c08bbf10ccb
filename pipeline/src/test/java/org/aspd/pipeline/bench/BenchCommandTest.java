package org.aspd.pipeline.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import org.apache.avro.generic.GenericRecord;
import org.apache.beam.sdk.PipelineResult;
import org.apache.beam.sdk.options.PipelineOptionsFactory;
import org.apache.hadoop.conf.Configuration;
import org.apache.parquet.avro.AvroParquetWriter;
import org.apache.parquet.hadoop.ParquetWriter;
import org.apache.parquet.hadoop.util.HadoopOutputFile;
import org.aspd.decoding.GpuAttention;
import org.aspd.decoding.Model;
import org.aspd.decoding.ModelConfig;
import org.aspd.format.SpecialTokens;
import org.aspd.pipeline.AspdOptions;
import org.aspd.pipeline.AspdPipeline;
import org.aspd.pipeline.CliRun;
import org.aspd.pipeline.JobRunner;
import org.aspd.pipeline.write.Schemas;
import org.aspd.pipeline.write.ShardReader;
import org.aspd.testing.ByteLevelTokenizerJson;
import org.aspd.testing.TiktokenTokenizerJson;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code aspd bench} on the real job's shards: the token-rows export and the no-GPU contract. */
class BenchCommandTest {
  @TempDir
  static Path tmp;
  private static Path job;

  @BeforeAll
  static void runJob() {
    Path dataset = Path.of(System.getProperty("aspd.home", "..")).resolve("datasets/vicuna-bench");
    job = tmp.resolve("job");
    AspdOptions options = PipelineOptionsFactory.fromArgs("--input=" + dataset, "--output=" + job)
        .withValidation().as(AspdOptions.class);
    assertEquals(PipelineResult.State.DONE, AspdPipeline.run(options).waitUntilFinish());
  }

  private static CliRun bench(String... args) {
    return bench(command -> {}, args);
  }

  private static CliRun bench(Consumer<BenchCommand> setUp, String... args) {
    BenchCommand command = new BenchCommand();
    setUp.accept(command);
    return CliRun.of(command, (out, err) -> {
      command.out = out;
      command.err = err;
    }, args);
  }

  @Test
  void exportWritesEveryParallelRowWithTheTokenizersSpecialIds() throws IOException {
    Path file = tmp.resolve("rows.txt");
    CliRun r = bench(job.toString(), "--export-rows", file.toString(), "--sample", "0");
    assertEquals(0, r.exit(), r.out() + r.err());
    List<String> lines = Files.readAllLines(file);
    // o200k_base + the six aspd tokens at 200019..200024; ": " is two tokens.
    assertTrue(lines.get(0).startsWith("# special 200019 200020 200021 200022 200023 200024 sep "), lines.get(0));
    assertEquals(51, lines.size() - 1, "the default job has 51 parallel rows");
    for (String line : lines.subList(1, lines.size())) {
      String[] f = line.split(" ");
      int prompt = Integer.parseInt(f[2]), response = Integer.parseInt(f[3]);
      assertEquals(4 + prompt + response, f.length, "row " + f[0] + " holds its prompt and response ids");
      assertTrue(Double.parseDouble(f[1]) > 1.0, "a parallel row's theoretical speed-up exceeds 1: " + line);
      assertTrue(line.contains(" 200023 "), "a parallel row holds <|para|>");
    }
    assertTrue(r.out().contains("51 parallel rows written"), r.out());
  }

  @Test
  void aRunWithATokenizerJsonIsBenchedInItsIds() throws IOException {
    Path model = tmp.resolve("cl100k-model");
    Files.createDirectories(model);
    TiktokenTokenizerJson.write(model.resolve("tokenizer.json"), "cl100k_base");
    Path dataset = Path.of(System.getProperty("aspd.home", "..")).resolve("datasets/vicuna-bench");
    Path run = tmp.resolve("json-job");
    assertEquals(PipelineResult.State.DONE, JobRunner.run(List.of(dataset.toString()), run, "--tokenizer=" + model));
    Path file = tmp.resolve("json-rows.txt");
    CliRun export = bench(run.toString(), "--export-rows", file.toString(), "--sample", "0");
    assertEquals(0, export.exit(), export.out() + export.err());
    // The markers the job gave the file: after cl100k_base's last special token, 100276.
    assertTrue(Files.readAllLines(file).get(0).startsWith("# special 100277 100278 100279 100280 100281 100282 sep "));
    CliRun r = bench(run.toString(), "--sample", "1");
    assertEquals(0, r.exit(), r.out() + r.err());
    assertTrue(r.out().contains("realized speed-up"), r.out());
    checkpointWithTheRunsTokenizerReplaysTheRowsAsWritten(run);
  }

  /**
   * A checkpoint trained on the run keeps its tokenizer, as transformers' save_pretrained writes it
   * again (other bytes, an empty post-processor): its rows are replayed as written, under the run's
   * limits. With a tokenizer that encodes otherwise (one merge less), they are laid out anew.
   */
  private void checkpointWithTheRunsTokenizerReplaysTheRowsAsWritten(Path run) throws IOException {
    Path checkpoint = tmp.resolve("trained-on-the-run");
    try (Model model = Model.random(new ModelConfig("qwen2", 100283, 64, 96, 2, 4, 2, 16, 8192, 1e-6, 10000, true,
        true), 5, 1)) {
      Checkpoint.write(model, checkpoint);
    }
    ObjectMapper json = new ObjectMapper();
    ObjectNode saved = (ObjectNode) json.readTree(run.resolve("tokenizer.json").toFile());
    saved.putObject("post_processor").put("type", "TemplateProcessing").putObject("special_tokens");
    ((ObjectNode) saved.get("post_processor")).putArray("single").addObject().putObject("Sequence")
        .put("id", "A").put("type_id", 0);
    ((ObjectNode) saved.get("post_processor")).putArray("pair").addObject().putObject("Sequence")
        .put("id", "A").put("type_id", 0);
    json.writeValue(checkpoint.resolve("tokenizer.json").toFile(), saved);
    List<GenericRecord> first = new ArrayList<>();
    ShardReader.forEach(run.resolve("data").toFile(), 1, first::add);

    CliRun asWritten = bench(run.toString(), "--sample", "1", "--model", checkpoint.toString());
    assertEquals(0, asWritten.exit(), asWritten.out() + asWritten.err());
    assertEquals("", asWritten.err(), "no note: the run's limits apply");
    Map<?, ?> report = json.readValue(run.resolve("bench/bench.json").toFile(), Map.class);
    Map<?, ?> setup = (Map<?, ?>) report.get("setup");
    assertEquals(first.get(0).get("tokenizer").toString(), setup.get("tokenizer"));
    assertEquals("as written in the shards", setup.get("rows"));
    Map<?, ?> row = (Map<?, ?>) ((List<?>) report.get("rows")).get(0);
    assertEquals(((List<?>) first.get(0).get("input_ids")).size(), ((Number) row.get("response_tokens")).intValue());
    assertEquals(row.get("steps_aspd"), row.get("forward_passes_replay"), row.toString());

    ((com.fasterxml.jackson.databind.node.ArrayNode) saved.path("model").path("merges")).remove(
        saved.path("model").path("merges").size() - 1);
    json.writeValue(checkpoint.resolve("tokenizer.json").toFile(), saved);
    CliRun relaid = bench(run.toString(), "--sample", "1", "--model", checkpoint.toString());
    assertEquals(0, relaid.exit(), relaid.out() + relaid.err());
    assertTrue(relaid.err().contains("rows laid out with tokenizer.json of " + checkpoint), relaid.err());
    setup = (Map<?, ?>) json.readValue(run.resolve("bench/bench.json").toFile(), Map.class).get("setup");
    assertTrue(setup.get("rows").toString().startsWith("laid out anew"), setup.toString());
  }

  @Test
  void benchWritesJsonPlotsAndOneCardSectionPerRun() throws IOException {
    for (int run = 0; run < 2; run++) {
      CliRun r = bench(job.toString(), "--sample", "1");
      assertEquals(0, r.exit(), r.out() + r.err());
      assertTrue(r.out().contains("realized speed-up"), r.out());
    }
    Path benchDir = job.resolve("bench");
    assertTrue(Files.readString(benchDir.resolve("bench.json")).contains("\"mean_realized_speedup\""));
    for (String png : List.of("speedup.png", "step_time.png")) {
      byte[] bytes = Files.readAllBytes(benchDir.resolve(png));
      assertTrue(bytes.length > 1000 && bytes[1] == 'P' && bytes[2] == 'N' && bytes[3] == 'G', png + " is a PNG");
    }
    String card = Files.readString(job.resolve("README.md"));
    assertEquals(1, card.split(BenchReport.CARD_BEGIN, -1).length - 1, "the bench section replaces itself on reruns");
    assertTrue(card.contains("## Decoding benchmark") && card.contains("bench/speedup.png"), card);
    assertTrue(card.contains("## Statistics"), "the job's own card is kept");
  }

  @Test
  void cardSectionIsAppendedOnceAndReplaced() {
    String card = "# card\n\ntext\n";
    String once = BenchReport.withSection(card, "A\n");
    String twice = BenchReport.withSection(once, "B\n");
    assertTrue(once.startsWith(card) && once.contains("A\n"), once);
    assertEquals(once.replace("A\n", "B\n"), twice);
  }

  @Test
  void whatWasNotMeasuredIsNullInTheJsonNotTheStringNaN() throws Exception {
    // A set without parallel rows has no P-TPS: bench.json said "p_tps" : "NaN", a string.
    java.util.Map<String, Object> report = new java.util.LinkedHashMap<>();
    report.put("dataset", new java.util.LinkedHashMap<>(java.util.Map.of("p_tps", Double.NaN, "rows", 3)));
    report.put("rows", java.util.List.of(java.util.Map.of("speedup", Double.POSITIVE_INFINITY)));
    String json = new com.fasterxml.jackson.databind.ObjectMapper().writeValueAsString(BenchReport.measuredOnly(report));
    assertEquals("{\"dataset\":{\"p_tps\":null,\"rows\":3},\"rows\":[{\"speedup\":null}]}",
        json.replace("{\"rows\":3,\"p_tps\":null}", "{\"p_tps\":null,\"rows\":3}"));
  }

  @Test
  void cudaWithoutAGpuIsAUsageErrorNotACrash() {
    assumeTrue(GpuAttention.unavailableReason().isPresent(), "a GPU is present");
    CliRun r = bench(job.toString(), "--device", "cuda", "--sample", "1");
    assertEquals(2, r.exit(), r.out() + r.err());
    assertTrue(r.err().contains("cannot bench") && r.err().toLowerCase().contains("gpu"), r.err());
  }

  @Test
  void aCorruptShardIsOneLineBeforeAnyRowIsBenched() throws IOException {
    Path dir = tmp.resolve("corrupt");
    Files.createDirectories(dir.resolve("data"));
    try (var shards = Files.list(job.resolve("data"))) {
      Files.copy(shards.findFirst().orElseThrow(), dir.resolve("data/a.parquet"));
    }
    Files.writeString(dir.resolve("data/z.parquet"), "not parquet\n");
    CliRun r = bench(dir.toString(), "--sample", "0");
    assertEquals(2, r.exit(), r.out() + r.err());
    assertTrue(r.err().startsWith("aspd: cannot bench " + dir + ": " + dir.resolve("data/z.parquet")
        + " is not a readable Parquet file: "), r.err());
    assertEquals(1, r.err().lines().count(), r.err());
    // Every footer is read before the first row is handed on: a.parquet's rows never reach a consumer.
    List<Object> seen = new ArrayList<>();
    assertThrows(IOException.class, () -> ShardReader.forEach(dir.resolve("data").toFile(), row -> seen.add(row.get("id"))));
    assertEquals(List.of(), seen, "no row is consumed before a corrupt shard is found");
    CliRun export = bench(dir.toString(), "--export-rows", tmp.resolve("corrupt-rows.txt").toString());
    assertEquals(2, export.exit(), export.out() + export.err());
    assertTrue(export.err().startsWith("aspd: cannot export rows of " + dir + ": " + dir.resolve("data/z.parquet")
        + " is not a readable Parquet file: "), export.err());
  }

  @Test
  void usageErrorsSayWhatIsWrong() throws IOException {
    CliRun missing = bench(tmp.resolve("nowhere").toString());
    assertEquals(2, missing.exit());
    assertEquals("aspd: " + tmp.resolve("nowhere") + " does not exist or is not a directory", missing.err().strip());

    int processors = Runtime.getRuntime().availableProcessors();
    CliRun threads = bench(job.toString(), "--threads", Integer.toString(processors + 1));
    assertEquals(2, threads.exit());
    assertEquals("aspd: --threads " + (processors + 1) + " exceeds the " + processors + " processors of this machine",
        threads.err().strip());

    Path rows = tmp.resolve("no-folder/rows.txt");
    CliRun export = bench(job.toString(), "--export-rows", rows.toString());
    assertEquals(2, export.exit());
    assertEquals("aspd: cannot export rows to " + rows + ": the folder " + rows.getParent() + " does not exist",
        export.err().strip());

    Path blocked = tmp.resolve("blocked"); // bench/ cannot be created: checked before the benchmark
    Files.createDirectories(blocked);
    Files.createSymbolicLink(blocked.resolve("data"), job.resolve("data"));
    Files.writeString(blocked.resolve("bench"), "");
    CliRun write = bench(blocked.toString(), "--sample", "1");
    assertEquals(2, write.exit());
    assertEquals("aspd: cannot write " + blocked.resolve("bench") + ": exists and is not a folder", write.err().strip());
  }

  @Test
  void aModelLargerThanTheMemoryIsRefusedBeforeItIsBuilt() {
    CliRun r = bench(command -> command.physicalMemory = 1_000_000, job.toString(), "--sample", "1");
    assertEquals(2, r.exit(), r.out() + r.err());
    assertTrue(r.err().contains("cannot bench " + job + ": tiny needs ~0.1 GB of fp32 weights on the CPU;"
        + " this machine has 0.0 GB; use --device cuda or a smaller shape"), r.err());
  }

  @Test
  void aCheckpointLargerThanTheMemoryIsRefusedBeforeItIsLoaded() throws IOException {
    Path checkpoint;
    try (Model model = Model.random(ModelConfig.small(1000), 1, 1)) {
      checkpoint = Checkpoint.write(model, tmp.resolve("too-large"));
    }
    // Both devices load the checkpoint in fp32 on the CPU first (cuda then uploads it as bf16).
    for (String device : new String[] {"cpu", "cuda"}) {
      CliRun r = bench(command -> command.physicalMemory = 1_000, job.toString(), "--sample", "1", "--model",
          checkpoint.toString(), "--device", device);
      assertEquals(2, r.exit(), device + ": " + r.out() + r.err());
      assertTrue(r.err().contains("cannot bench " + job + ": " + checkpoint + " needs ~0.0 GB of fp32 weights on the"
          + " CPU; this machine has 0.0 GB; the checkpoint is loaded in fp32 on the CPU, also before a --device cuda"
          + " upload; use --shape for timing"), device + ": " + r.err());
    }
  }

  @Test
  void aCheckpointWhoseVocabularyMissesTheRowsIdsGetsAHint() throws IOException {
    Path checkpoint;
    try (Model model = Model.random(ModelConfig.small(1000), 1, 1)) {
      checkpoint = Checkpoint.write(model, tmp.resolve("small-vocab"));
    }
    CliRun r = bench(job.toString(), "--sample", "1", "--model", checkpoint.toString());
    assertEquals(2, r.exit(), r.out() + r.err());
    assertEquals("aspd: cannot bench " + job + ": model vocab 1000 is too small: the rows' ids are the dataset"
        + " tokenizer's (o200k_base+aspd, 200025 ids); use --shape for timing, or a checkpoint with its tokenizer.json"
        + " (the rows are then laid out with it)", r.err().strip());
  }

  /**
   * A checkpoint with its own tokenizer.json (byte-level BPE, the six markers added): the row is laid
   * out anew with it, piece by piece, and replays in exactly its new Steps_ASPD forward passes.
   */
  @Test
  void aCheckpointWithItsTokenizerBenchesTheRowsLaidOutWithIt() throws IOException {
    GenericRecord shortest = null;
    List<GenericRecord> all = new ArrayList<>();
    ShardReader.forEach(job.resolve("data").toFile(), all::add);
    for (GenericRecord r : all) {
      if ((Boolean) r.get("parallel") && (shortest == null
          || r.get("aspd_text").toString().length() < shortest.get("aspd_text").toString().length())) {
        shortest = r;
      }
    }
    Path dir = tmp.resolve("relaid");
    writeShard(dir, shortest);
    Files.copy(job.resolve("stats.json"), dir.resolve("stats.json"));
    Path checkpoint = tmp.resolve("own-tokenizer");
    Files.createDirectories(checkpoint);
    List<String> added = new ArrayList<>(List.of("<|endoftext|>", "<|im_start|>", "<|im_end|>"));
    added.addAll(SpecialTokens.ALL);
    int vocab = ByteLevelTokenizerJson.write(checkpoint.resolve("tokenizer.json"), added);
    try (Model model = Model.random(new ModelConfig("qwen2", vocab, 64, 96, 2, 4, 2, 16, 8192, 1e-6, 10000, false, true),
        5, 1)) {
      Checkpoint.write(model, checkpoint);
    }
    CliRun r = bench(dir.toString(), "--sample", "0", "--model", checkpoint.toString());
    assertEquals(0, r.exit(), r.out() + r.err());
    Map<?, ?> report = new ObjectMapper().readValue(
        dir.resolve("bench/bench.json").toFile(), Map.class);
    Map<?, ?> setup = (Map<?, ?>) report.get("setup"), dataset = (Map<?, ?>) report.get("dataset");
    assertEquals("tokenizer.json of " + checkpoint, setup.get("tokenizer"));
    assertEquals(1, ((Number) dataset.get("rows")).intValue(), report.toString());
    // One token per byte here, against o200k's ~4 bytes: the laid-out row is far longer than the shard's.
    long steps = ((Number) dataset.get("steps_aspd")).longValue();
    assertTrue(steps > ((List<?>) shortest.get("input_ids")).size(), steps + " steps");
    assertEquals(steps, ((Number) dataset.get("forward_passes_replay")).longValue());
    assertTrue(((Number) dataset.get("mean_theoretical_speedup")).doubleValue() > 1, dataset.toString());
  }

  /** One parallel row benched under the job's stats.json, then under one whose title limit its titles exceed. */
  @Test
  void rowsAreReplayedUnderTheRunsGrammarLimits() throws IOException {
    List<GenericRecord> parallel = new ArrayList<>();
    ShardReader.forEach(job.resolve("data").toFile(), r -> {
      if (parallel.isEmpty() && (Boolean) r.get("parallel")) parallel.add(r);
    });
    Path dir = tmp.resolve("one-row");
    writeShard(dir, parallel.get(0));
    Files.copy(job.resolve("stats.json"), dir.resolve("stats.json"));
    CliRun runLimits = bench(dir.toString(), "--sample", "0");
    assertEquals(0, runLimits.exit(), runLimits.out() + runLimits.err());
    assertEquals("", runLimits.err());

    Files.writeString(dir.resolve("stats.json"), "{\"run\": {\"title_max_tokens\": 1, \"max_branches\": 10}}");
    CliRun oneTokenTitles = bench(dir.toString(), "--sample", "0");
    assertEquals(1, oneTokenTitles.exit(), oneTokenTitles.out() + oneTokenTitles.err());
    String id = parallel.get(0).get("id").toString();
    assertTrue(oneTokenTitles.out().contains("no row could be replayed") && !oneTokenTitles.out().contains("NaN"),
        oneTokenTitles.out());
    assertTrue(oneTokenTitles.out().contains("  FAIL " + id + ": ") && oneTokenTitles.out().contains("IN_TITLE"),
        oneTokenTitles.out());
  }

  @Test
  void readingStopsAfterTheRowsAskedFor() throws IOException {
    List<Object> ids = new ArrayList<>();
    assertEquals(3, ShardReader.forEach(job.resolve("data").toFile(), 3, r -> ids.add(r.get("id"))));
    assertEquals(3, ids.size());
  }

  private static void writeShard(Path dir, GenericRecord row) throws IOException {
    File data = dir.resolve("data").toFile();
    Files.createDirectories(data.toPath());
    org.apache.hadoop.fs.Path file = new org.apache.hadoop.fs.Path(new File(data, "shard-00000.parquet").getAbsolutePath());
    try (ParquetWriter<GenericRecord> w = AvroParquetWriter.<GenericRecord>builder(HadoopOutputFile.fromPath(file,
        new Configuration())).withSchema(Schemas.shardRow()).build()) {
      w.write(row);
    }
  }
}
