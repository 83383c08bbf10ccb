package org.aspd.pipeline.bench;

import java.io.File;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.AccessDeniedException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import org.apache.avro.generic.GenericRecord;
import org.aspd.decoding.BranchSampling;
import org.aspd.decoding.Engine;
import org.aspd.decoding.EngineOptions;
import org.aspd.decoding.GpuModel;
import org.aspd.decoding.GpuUnavailableException;
import org.aspd.decoding.Model;
import org.aspd.decoding.ModelConfig;
import org.aspd.decoding.ModelFormatException;
import org.aspd.decoding.NativeFailureException;
import org.aspd.decoding.SpecialTokenIds;
import org.aspd.format.AnnotationException;
import org.aspd.format.AspdText;
import org.aspd.format.Response;
import org.aspd.format.SpecialTokens;
import org.aspd.metrics.SampleMetrics;
import org.aspd.pipeline.checkpoint.CheckpointTokenizer;
import org.aspd.pipeline.checkpoint.Fp32Weights;
import org.aspd.pipeline.cli.EngineDevice;
import org.aspd.pipeline.validate.SpecialIds;
import org.aspd.pipeline.write.ShardReader;
import org.aspd.pipeline.write.ShardRowArrays;
import org.aspd.tokens.AspdTokenizer;
import org.aspd.tokens.HfTokenizer;
import org.aspd.tokens.ShardLayout;
import org.aspd.tokens.TokenizerCache;
import org.aspd.tokens.TokenizerJsonEncoding;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code aspd bench DIR}: replays shard rows of {@code DIR/data/*.parquet} through the hybrid
 * decoding engine (teacher-forced, as a trained model would decode them) and through plain serial
 * decoding of the same tokens, on a checkpoint or on random weights of a given shape (speed depends
 * on the shape only), and writes {@code DIR/bench/bench.json}: per row and per dataset the realized
 * speed-up, TPS, P-TPS, forward passes vs Steps_ASPD and time per step by active-branch count,
 * beside the theoretical speed-up. Rows are replayed under the run's grammar limits
 * ({@link RunLimits}). Exit 0 when every row ran, 1 when a row could not be replayed, 2 on usage
 * errors, unreadable shards and models that cannot be built.
 */
@Command(name = "bench", mixinStandardHelpOptions = true,
    description = "Benchmark hybrid (replayed) vs serial decoding of shard rows.")
public final class BenchCommand implements Callable<Integer> {

  /** Above this many parameters, a CPU run of every row takes long: the bench warns. */
  private static final long CPU_PARAMETERS_WARNING = 100_000_000L;
  /** Title and branch length limits of rows laid out with a checkpoint's tokenizer: none in practice. */
  private static final int RELAID_TOKEN_LIMIT = 1 << 20;
  /** Failed rows printed on the console; bench.json has them all. */
  private static final int FAILURES_SHOWN = 5;

  @Parameters(index = "0", paramLabel = "DIR", description = "An aspd output directory (with data/*.parquet).")
  File dir;

  @Option(names = "--model", paramLabel = "DIR", description = "Checkpoint directory (config.json + model.safetensors)."
      + " With a tokenizer.json that encodes as the run's, the rows are replayed as written; with another, they are"
      + " laid out anew with it; without one, its vocabulary must cover the dataset tokenizer's ids"
      + " (o200k_base+aspd: 200025).")
  Path modelDir;

  @Option(names = "--shape", defaultValue = "tiny",
      description = "Random-weight shape without --model: tiny | qwen2.5-0.5b | qwen2.5-7b (default: ${DEFAULT-VALUE}).")
  String shape;

  @Option(names = "--device", defaultValue = "cpu", description = "cpu | cuda (default: ${DEFAULT-VALUE}).")
  EngineDevice device;

  @Option(names = "--sample", paramLabel = "N", defaultValue = "20",
      description = "Benchmark the first N rows (0 = all; default: ${DEFAULT-VALUE}).")
  int sample;

  @Option(names = "--threads", defaultValue = "0",
      description = "CPU threads per forward, at most the processors (0 = all; default: ${DEFAULT-VALUE}).")
  int threads;

  @Option(names = "--seed", defaultValue = "0", description = "Seed of the random weights (default: ${DEFAULT-VALUE}).")
  long seed;

  @Option(names = "--export-rows", paramLabel = "FILE",
      description = "Write the parallel rows' token ids for the native GPU bench (decoding/bench) instead of benching.")
  Path exportRows;

  PrintStream out = System.out;
  PrintStream err = System.err;
  /** The memory the CPU model's fp32 weights must fit in; tests set it. */
  long physicalMemory = Fp32Weights.physicalMemory();

  @Override
  public Integer call() {
    if (!dir.isDirectory()) {
      err.println("aspd: " + dir + " does not exist or is not a directory");
      return 2;
    }
    File data = new File(dir, "data");
    if (!data.isDirectory()) {
      err.println("aspd: " + dir + " has no data/ folder; is it an aspd output directory?");
      return 2;
    }
    if (sample < 0 || threads < 0) {
      err.println("aspd: --sample and --threads must be >= 0");
      return 2;
    }
    int processors = Runtime.getRuntime().availableProcessors();
    if (threads > processors) {
      // Each forward starts its worker threads anew; beyond the processors their start-up cost
      // dominates, and it weighs more on serial steps, inflating the realized speed-up.
      err.println("aspd: --threads " + threads + " exceeds the " + processors + " processors of this machine");
      return 2;
    }
    ModelShape modelShape;
    try {
      modelShape = ModelShape.parse(shape);
    } catch (IllegalArgumentException e) {
      err.println("aspd: " + e.getMessage());
      return 2;
    }
    if (exportRows != null) return export(data);
    Path benchDir = dir.toPath().resolve("bench");
    Path card = dir.toPath().resolve("README.md");
    try { // fail before the benchmark, not after it
      Files.createDirectories(benchDir);
      if (!Files.isWritable(benchDir)) throw new AccessDeniedException(benchDir.toString());
      if (Files.isRegularFile(card) && !Files.isWritable(card)) throw new AccessDeniedException(card.toString());
    } catch (IOException e) {
      err.println("aspd: cannot write " + describe(e));
      return 2;
    }
    try (Benches benches = new Benches(modelShape)) {
      ShardReader.forEach(data, sample == 0 ? Long.MAX_VALUE : sample, benches::add);
      Map<String, Object> report = benches.report();
      Path json = BenchReport.write(dir.toPath(), report);
      print(report, json);
      return benches.bench.failedRows() == 0 ? 0 : 1;
    } catch (IOException e) {
      err.println("aspd: cannot bench " + dir + ": " + describe(e));
      return 2;
    } catch (ModelFormatException | IllegalArgumentException | GpuUnavailableException | NativeFailureException e) {
      err.println("aspd: cannot bench " + dir + ": " + e.getMessage());
      return 2;
    }
  }

  private int export(File data) {
    Path folder = exportRows.toAbsolutePath().getParent();
    if (!Files.isDirectory(folder)) {
      err.println("aspd: cannot export rows to " + exportRows + ": the folder " + folder + " does not exist");
      return 2;
    }
    TokenRowsExport[] export = {null};
    try {
      ShardReader.forEach(data, sample == 0 ? Long.MAX_VALUE : sample, row -> {
        AspdTokenizer tokenizer = TokenizerCache.ofRecordedName(String.valueOf(row.get("tokenizer")), dir.toPath());
        if (export[0] == null) {
          export[0] = new TokenRowsExport(exportRows, SpecialIds.of(tokenizer),
              tokenizer.encodeText(SpecialTokens.HEADER_SEPARATOR));
        }
        export[0].add(benchRow(row, tokenizer));
      });
      if (export[0] != null) export[0].close();
      out.printf("aspd bench: %d parallel rows written to %s%n", export[0] == null ? 0 : export[0].rows(), exportRows);
      return 0;
    } catch (IOException e) {
      err.println("aspd: cannot export rows of " + dir + ": " + describe(e));
      return 2;
    } catch (IllegalArgumentException e) {
      err.println("aspd: cannot export rows of " + dir + ": " + e.getMessage());
      return 2;
    }
  }

  /** java.nio names only the path in its message (AccessDeniedException: "/x/bench"): say what is wrong with it. */
  private static String describe(IOException e) {
    if (e instanceof AccessDeniedException a) return a.getFile() + ": permission denied";
    if (e instanceof NoSuchFileException n) return n.getFile() + ": no such file or folder";
    if (e instanceof FileAlreadyExistsException f) return f.getFile() + ": exists and is not a folder";
    return e.getMessage();
  }

  /**
   * A shard row laid out anew with a checkpoint's tokenizer: its ASPD text parsed and tokenized piece
   * by piece as the job does for the dataset's tokenizer (ShardLayout), its theoretical speed-up the
   * job's SampleMetrics in the new tokens (method §4).
   */
  private static ShardBench.Row relaidRow(GenericRecord row, AspdTokenizer tokenizer) throws AnnotationException {
    Response response = AspdText.parse(String.valueOf(row.get("aspd_text")));
    ShardLayout layout = ShardLayout.of(response, tokenizer);
    double tsu = SampleMetrics.of(response, String.valueOf(row.get("original")), tokenizer).theoreticalSpeedup();
    return new ShardBench.Row(String.valueOf(row.get("id")), promptIds(row, tokenizer),
        layout.inputIds(), layout.groupIds(), layout.branchIds(), Boolean.TRUE.equals(row.get("parallel")), tsu);
  }

  /** A shard row with its prompt tokenized as the bench feeds it. */
  private static ShardBench.Row benchRow(GenericRecord row, AspdTokenizer tokenizer) {
    Object tsu = row.get("theoretical_speedup");
    return new ShardBench.Row(String.valueOf(row.get("id")), promptIds(row, tokenizer),
        ShardRowArrays.required(row, "input_ids"), ShardRowArrays.required(row, "group_ids"),
        ShardRowArrays.required(row, "branch_ids"), Boolean.TRUE.equals(row.get("parallel")),
        tsu instanceof Number n ? n.doubleValue() : Double.NaN);
  }

  /** The row's prompt as the engine is fed it: an empty prompt becomes "\n". */
  private static int[] promptIds(GenericRecord row, AspdTokenizer tokenizer) {
    String prompt = String.valueOf(row.get("prompt"));
    return tokenizer.encodeText(prompt.isEmpty() ? "\n" : prompt);
  }

  @SuppressWarnings("unchecked")
  private void print(Map<String, Object> report, Path json) {
    Map<String, Object> d = (Map<String, Object>) report.get("dataset");
    out.printf(java.util.Locale.ROOT, "aspd bench: %s rows (%s failed) on %s%n", d.get("rows"), d.get("rows_failed"),
        ((Map<String, Object>) report.get("setup")).get("model"));
    if (((Number) d.get("rows")).longValue() == 0) {
      out.println(((Number) d.get("rows_failed")).longValue() == 0 ? "  no rows" : "  no row could be replayed");
    } else {
      out.printf(java.util.Locale.ROOT, "  realized speed-up %.3f (mean per row %.3f); theoretical %.3f, packed %.3f%n",
          d.get("speedup_ratio_of_mean_tps"), d.get("mean_realized_speedup"), d.get("mean_theoretical_speedup"),
          d.get("mean_theoretical_speedup_packed"));
      double pTps = ((Number) d.get("p_tps")).doubleValue();
      out.printf(java.util.Locale.ROOT, "  TPS hybrid %.1f, serial %.1f, P-TPS %s; forward passes %s (Steps_ASPD %s) vs %s serial%n",
          d.get("mean_tps_replay"), d.get("mean_tps_serial"),
          Double.isFinite(pTps) ? String.format(java.util.Locale.ROOT, "%.1f", pTps) : "n/a (no parallel rows)",
          d.get("forward_passes_replay"),
          d.get("steps_aspd"), d.get("forward_passes_serial"));
    }
    List<Map<String, Object>> failed = (List<Map<String, Object>>) report.get("failed");
    failed.stream().limit(FAILURES_SHOWN).forEach(f -> out.println("  FAIL " + f.get("id") + ": " + f.get("reason")));
    if (failed.size() > FAILURES_SHOWN) out.println("  ... " + (failed.size() - FAILURES_SHOWN) + " more in bench.json");
    out.println("  written to " + json);
  }

  /** The engine for the rows' tokenizer (one tokenizer per run; rows name it). */
  private final class Benches implements AutoCloseable {
    private final ModelShape modelShape;
    private String datasetTokenizer;
    private String tokenizerName;
    private AspdTokenizer tokenizer;
    /** The checkpoint's own tokenizer, when --model holds a tokenizer.json: rows are laid out anew with it. */
    private CheckpointTokenizer checkpointTokenizer;
    private Model model;
    private GpuModel gpuModel;
    private Engine engine;
    ShardBench bench;

    Benches(ModelShape modelShape) {
      this.modelShape = modelShape;
    }

    void add(GenericRecord row) throws IOException {
      String name = String.valueOf(row.get("tokenizer"));
      if (engine == null) open(name);
      else if (!name.equals(datasetTokenizer)) {
        throw new IllegalArgumentException("rows use two tokenizers (" + datasetTokenizer + ", " + name + ")");
      }
      if (checkpointTokenizer == null) {
        bench.add(benchRow(row, tokenizer));
        return;
      }
      try {
        bench.add(relaidRow(row, checkpointTokenizer));
      } catch (AnnotationException | IllegalArgumentException e) { // a row this tokenizer cannot lay out
        bench.fail(String.valueOf(row.get("id")), "laying out the row with " + tokenizerName + ": " + e.getMessage());
      }
    }

    private void open(String rowTokenizer) throws IOException {
      datasetTokenizer = rowTokenizer;
      if (modelDir != null && Files.isRegularFile(modelDir.resolve("tokenizer.json"))) {
        checkpointTokenizer = CheckpointTokenizer.load(modelDir); // closed with the benches if what follows throws
        if (madeWith(rowTokenizer, checkpointTokenizer)) {
          checkpointTokenizer.close();
          checkpointTokenizer = null;
        }
      }
      tokenizer = checkpointTokenizer != null ? checkpointTokenizer : TokenizerCache.ofRecordedName(rowTokenizer, dir.toPath());
      tokenizerName = checkpointTokenizer != null ? checkpointTokenizer.name() : rowTokenizer;
      SpecialTokenIds special = SpecialIds.of(tokenizer);
      EngineOptions defaults = EngineOptions.defaults(special, new int[0],
          tokenizer.encodeText(SpecialTokens.HEADER_SEPARATOR));
      EngineOptions options = RunLimits.read(dir.toPath(), defaults, err).apply(defaults);
      if (checkpointTokenizer != null) {
        // The run counted its title and branch limits in the dataset tokenizer's tokens; in another
        // tokenizer's the same titles may be longer, and timing must not fail rows the run accepted.
        options = options.withLimits(RELAID_TOKEN_LIMIT, options.groupMaxBranches(), RELAID_TOKEN_LIMIT);
        err.println("aspd: note: rows laid out with " + tokenizerName + "; the run's token limits (title length,"
            + " branch length) count the dataset tokenizer's tokens and are not applied");
      }
      ModelConfig randomConfig = modelShape.config(tokenizer.vocabSize());
      if (device == EngineDevice.cuda) {
        if (modelDir != null) {
          checkCpuMemory(Fp32Weights.parameters(modelDir));
          try (Model cpu = Model.load(modelDir, threads)) { // weights are copied to the GPU as bf16
            checkVocab(cpu.config());
            gpuModel = GpuModel.upload(cpu, GpuModel.Options.defaults());
          }
        } else {
          gpuModel = GpuModel.random(randomConfig, seed, GpuModel.Options.defaults());
        }
        engine = new Engine(gpuModel, options);
      } else {
        long params = modelDir != null ? Fp32Weights.parameters(modelDir) : Fp32Weights.parameters(randomConfig);
        checkCpuMemory(params);
        if (params > CPU_PARAMETERS_WARNING) {
          err.printf(java.util.Locale.ROOT, "aspd: warning: %.2fB parameters in fp32 on the CPU: expect seconds per token;"
              + " cap the rows with --sample%n", params / 1e9);
        }
        model = modelDir != null ? Model.load(modelDir, threads) : Model.random(randomConfig, seed, threads);
        checkVocab(model.config());
        engine = new Engine(model, options);
      }
      bench = new ShardBench(engine);
    }

    /**
     * Whether the rows were made with the checkpoint's tokenizer: the run's tokenizer.json encodes as
     * the checkpoint's (transformers' save_pretrained rewrites the file without changing an id). Such
     * rows are replayed as written, under the run's limits; other rows are laid out anew.
     */
    private boolean madeWith(String rowTokenizer, CheckpointTokenizer own) throws IOException {
      if (!rowTokenizer.startsWith(HfTokenizer.NAME_PREFIX)) return false;
      AspdTokenizer rows;
      try {
        rows = TokenizerCache.ofRecordedName(rowTokenizer, dir.toPath());
      } catch (IllegalArgumentException e) { // the run folder's tokenizer.json is gone or changed: lay out anew
        return false;
      }
      return rows instanceof HfTokenizer hf && TokenizerJsonEncoding.same(hf.json(), own.json());
    }

    /** Refuses weights that cannot fit: the OOM killer would end the run minutes later without a word. */
    private void checkCpuMemory(long params) {
      Fp32Weights.requireFits(params, physicalMemory, modelDir != null ? modelDir.toString() : modelShape.label(),
          modelDir != null ? "the checkpoint is loaded in fp32 on the CPU, also before a --device cuda upload;"
              + " use --shape for timing" : "use --device cuda or a smaller shape");
    }

    private void checkVocab(ModelConfig config) {
      if (config.vocabSize() >= tokenizer.vocabSize()) return;
      throw new IllegalArgumentException("model vocab " + config.vocabSize() + " is too small: the rows' ids are the"
          + " dataset tokenizer's (" + tokenizerName + ", " + tokenizer.vocabSize() + " ids); use --shape for timing,"
          + " or a checkpoint with its tokenizer.json (the rows are then laid out with it)");
    }

    Map<String, Object> report() {
      Map<String, Object> setup = new LinkedHashMap<>();
      setup.put("model", modelDir != null ? modelDir.toString() : "random " + modelShape.label() + " (seed " + seed + ")");
      if (gpuModel != null) {
        setup.put("device", "cuda: " + gpuModel.describe());
        setup.put("compute", "bf16 weights and KV cache, fp32 accumulation");
      } else {
        setup.put("device", "cpu");
        setup.put("compute", "fp32");
        setup.put("threads", threads == 0 ? Runtime.getRuntime().availableProcessors() : threads);
      }
      setup.put("tokenizer", tokenizerName);
      setup.put("rows", checkpointTokenizer == null ? "as written in the shards"
          : "laid out anew with the checkpoint's tokenizer (the run's token limits not applied)");
      setup.put("branch_sampling", BranchSampling.SERIAL.name().toLowerCase(java.util.Locale.ROOT));
      setup.put("mode", "replay (teacher-forced hybrid) vs serial over the same packed tokens; batch 1");
      if (bench == null) {
        Map<String, Object> empty = new LinkedHashMap<>();
        empty.put("setup", setup);
        empty.put("dataset", Map.of("rows", 0, "rows_failed", 0));
        empty.put("rows", List.of());
        empty.put("failed", List.of());
        return empty;
      }
      return bench.report(setup);
    }

    @Override
    public void close() {
      if (engine != null) engine.close();
      if (model != null) model.close();
      if (gpuModel != null) gpuModel.close();
      if (checkpointTokenizer != null) checkpointTokenizer.close();
    }
  }
}
