package org.aspd.pipeline.validate;

import java.io.File;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import org.apache.avro.generic.GenericRecord;
import org.apache.parquet.hadoop.util.HadoopInputFile;
import org.aspd.decoding.GpuModel;
import org.aspd.decoding.GpuUnavailableException;
import org.aspd.decoding.LogitsModel;
import org.aspd.decoding.Model;
import org.aspd.decoding.ModelConfig;
import org.aspd.decoding.ModelFormatException;
import org.aspd.decoding.ShardValidator;
import org.aspd.decoding.ValidationCheck;
import org.aspd.decoding.ValidationResult;
import org.aspd.format.SpecialTokens;
import org.aspd.pipeline.write.ShardFooter;
import org.aspd.pipeline.write.ShardReader;
import org.aspd.pipeline.write.ShardRowArrays;
import org.aspd.tokens.AspdTokenizer;
import org.aspd.tokens.HfTokenizer;
import org.aspd.tokens.TokenizerCache;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code aspd validate DIR}: checks every shard row of {@code DIR/data/*.parquet} with
 * {@link ShardValidator}: static checks (markup, labels and positions recomputed from the ids,
 * control ids, length) on every row, and the numerical branch-rule checks of method §8 on the
 * first {@code --sample} rows with a model (a checkpoint, or random weights: the properties hold
 * for any weights). The numerical checks run on the GPU ({@link GpuModel}, bf16) with
 * {@code --device cuda}, or with {@code auto} where a GPU opens, else on the CPU forward (fp32).
 * Exit code 0 when every row passes, 1 when a row fails, 2 on usage errors (and on
 * {@code --device cuda} without a usable GPU).
 */
@Command(name = "validate", mixinStandardHelpOptions = true,
    description = "Validate shard rows: markup, labels, positions and the branch rule on a model.")
public final class ValidateCommand implements Callable<Integer> {
  enum Device { auto, cpu, cuda }

  @Parameters(index = "0", paramLabel = "DIR", description = "An aspd output directory (with data/*.parquet).")
  File dir;

  @Option(names = "--model", paramLabel = "DIR",
      description = "Checkpoint directory (config.json + model.safetensors). Default: random weights, hidden 64, 2 layers.")
  Path modelDir;

  @Option(names = "--device", defaultValue = "auto",
      description = "Where the numerical checks run: auto (the GPU when one opens, else the CPU) | cpu (fp32) | cuda"
          + " (bf16; fails without a GPU) (default: ${DEFAULT-VALUE}).")
  Device device;

  @Option(names = "--tolerance", paramLabel = "X",
      description = "Largest |logit difference| that counts as equal (default: 1e-3 on the CPU's fp32, 0.05 on the"
          + " GPU's bf16; raise it for checkpoints with large logits on the GPU).")
  Double tolerance;

  @Option(names = "--sample", paramLabel = "N", defaultValue = "100",
      description = "Numerical checks on the first N rows (static checks run on all rows; 0 = static only; default: ${DEFAULT-VALUE}).")
  int sample;

  @Option(names = "--seed", defaultValue = "0", description = "Seed of the random-weight model (default: ${DEFAULT-VALUE}).")
  long seed;

  @Option(names = "--reserved-ids", split = ",", paramLabel = "ID",
      description = "Chat-template control ids that must never occur in a response, besides the tokenizer's own"
          + " (<|endoftext|>, <|im_end|>, ...), which are always checked.")
  int[] reservedIds = new int[0];

  @Option(names = "--show", defaultValue = "20", paramLabel = "N", description = "Failing rows to print (default: ${DEFAULT-VALUE}).")
  int show;

  PrintStream out = System.out;
  PrintStream err = System.err;

  @Override
  public Integer call() {
    File data = new File(dir, "data");
    if (!data.isDirectory()) {
      err.println("aspd: " + dir + " has no data/ folder; is it an aspd output directory?");
      return 2;
    }
    if (sample < 0 || show < 0) {
      err.println("aspd: --sample and --show must be >= 0");
      return 2;
    }
    if (tolerance != null && !(tolerance > 0)) {
      err.println("aspd: --tolerance must be > 0");
      return 2;
    }
    Summary summary = new Summary();
    try (Validators validators = new Validators()) {
      ShardReader.forEach(data, new ShardReader.RowConsumer() {
        private ShardFooter recount = new ShardFooter();

        @Override
        public void accept(GenericRecord row) throws IOException {
          boolean numerics = summary.rows < sample;
          summary.add(row, validators.validate(row, numerics), numerics);
          recount.add(row);
        }

        @Override
        public void shardDone(File shard, HadoopInputFile input) throws IOException {
          summary.footer(shard.getName(), ShardFooter.read(input), recount.metadata());
          recount = new ShardFooter();
        }
      });
      summary.deltas = validators.deltaReport();
    } catch (IOException | ModelFormatException | IllegalArgumentException e) {
      err.println("aspd: cannot validate " + dir + ": " + e.getMessage());
      return 2;
    } catch (GpuUnavailableException e) {
      err.println("aspd: --device cuda: " + e.getMessage() + " (use --device cpu or auto)");
      return 2;
    }
    summary.print(out, show);
    return summary.failed.isEmpty() && summary.footersWrong.isEmpty() ? 0 : 1;
  }

  /** One validator per tokenizer named in the rows; the model is shared when it fits their vocabularies. */
  private final class Validators implements AutoCloseable {
    private final Map<String, ShardValidator> staticOnly = new HashMap<>();
    private final Map<String, ShardValidator> withModel = new HashMap<>();
    private Model model;
    private GpuModel gpu;
    private LogitsModel logits;

    ValidationResult validate(GenericRecord row, boolean numerics) throws IOException {
      String tokenizer = String.valueOf(row.get("tokenizer"));
      ShardValidator v = numerics ? withModel(tokenizer) : staticOnly(tokenizer);
      return v.validate(ShardRowArrays.ints(row, "input_ids"), ShardRowArrays.ints(row, "position_ids"),
          ShardRowArrays.ints(row, "group_ids"), ShardRowArrays.ints(row, "branch_ids"));
    }

    private ShardValidator staticOnly(String tokenizer) {
      return staticOnly.computeIfAbsent(tokenizer, t -> builder(t).build());
    }

    private ShardValidator withModel(String tokenizer) throws IOException {
      ShardValidator v = withModel.get(tokenizer);
      if (v != null) return v;
      AspdTokenizer tok = TokenizerCache.ofRecordedName(tokenizer, dir.toPath());
      if (logits == null) open(tok);
      ShardValidator.Builder b = builder(tokenizer).model(logits);
      if (tolerance != null) b.tolerance(tolerance);
      v = b.build();
      withModel.put(tokenizer, v);
      return v;
    }

    /** The model (a checkpoint or random weights): on the GPU unless --device cpu or none opens, else the CPU's. */
    private void open(AspdTokenizer tok) throws IOException {
      if (modelDir != null) sameTokenizer(tok);
      model = modelDir != null ? Model.load(modelDir) : Model.random(ModelConfig.small(tok.vocabSize()), seed);
      logits = model;
      String where = "cpu (fp32)";
      if (device != Device.cpu) {
        try {
          gpu = GpuModel.upload(model, GpuModel.Options.defaults());
          logits = gpu;
          where = "cuda (bf16; " + gpu.describe() + ")";
          model.close(); // the GPU holds its own copy; a checkpoint's fp32 weights need not stay in memory
          model = null;
        } catch (GpuUnavailableException e) {
          if (device == Device.cuda) throw e;
          where = "cpu (fp32; no GPU: " + e.getMessage() + ")";
        }
      }
      err.println("aspd: validating with " + (modelDir != null ? modelDir : "random weights (seed " + seed + ")")
          + " on " + where + ", " + logits.config().modelType() + " hidden " + logits.config().hiddenSize() + ", vocab "
          + logits.config().vocabSize());
    }

    private ShardValidator.Builder builder(String tokenizer) {
      AspdTokenizer tok = TokenizerCache.ofRecordedName(tokenizer, dir.toPath());
      return ShardValidator.builder(SpecialIds.of(tok), tok.vocabSize()).reservedIds(union(reservedIds, tok.reservedIds()))
          .headerSeparator(tok.encodeText(org.aspd.format.SpecialTokens.HEADER_SEPARATOR));
    }

    /**
     * A checkpoint that comes with its tokenizer.json must read the rows' ids as that tokenizer
     * wrote them: the same marker ids (its file as the job would extend it, for a base model) and
     * the same ids for a probe text. Otherwise the numerical checks would pass on ids the model
     * reads as other tokens.
     */
    private void sameTokenizer(AspdTokenizer rows) throws IOException {
      Path file = modelDir.resolve("tokenizer.json");
      if (!Files.isRegularFile(file)) return;
      try (HfTokenizer own = HfTokenizer.load(file, HfTokenizer.Markers.ADD_IF_ABSENT)) {
        for (String marker : SpecialTokens.ALL) {
          if (own.specialId(marker) != rows.specialId(marker)) {
            throw new IllegalArgumentException(file + " is not the rows' tokenizer (" + rows.name() + "): " + marker
                + " is " + own.specialId(marker) + " there and " + rows.specialId(marker) + " in the rows");
          }
        }
        String probe = "Probe: 42 tokens, ünïcödé — \"quotes\" and\n\nparagraphs.";
        if (!java.util.Arrays.equals(own.encodeText(probe), rows.encodeText(probe))) {
          throw new IllegalArgumentException(file + " is not the rows' tokenizer (" + rows.name()
              + "): it encodes text to other ids");
        }
      }
    }

    /** The ids given with --reserved-ids and the tokenizer's own control ids, each once. */
    private static int[] union(int[] given, int[] tokenizers) {
      return java.util.stream.IntStream.concat(java.util.Arrays.stream(given), java.util.Arrays.stream(tokenizers))
          .distinct().toArray();
    }

    /** branch_alone's max and mean |Δlogit| over every numerically checked row (method §8 asks for them in bf16). */
    String deltaReport() {
      double max = 0, sum = 0, rows = 0;
      boolean argmaxRule = false;
      for (ShardValidator v : withModel.values()) {
        double[] d = v.equalDeltas();
        max = Math.max(max, d[0]);
        sum += d[1] * d[2];
        rows += d[2];
        argmaxRule |= v.usesArgmaxRule();
      }
      if (rows == 0) return null;
      return String.format(Locale.ROOT, "branch_alone |Δlogit| over %d token rows: max %.3g, mean %.3g (%s)",
          (long) rows, max, sum / rows, argmaxRule
              ? "bf16: equal means the same top token where the reference leads by >= "
                  + ShardValidator.BF16_ARGMAX_MARGIN
              : "equal means within " + withModel.values().iterator().next().tolerance());
    }

    @Override
    public void close() {
      staticOnly.values().forEach(ShardValidator::close);
      withModel.values().forEach(ShardValidator::close);
      if (gpu != null) gpu.close();
      if (model != null) model.close();
    }
  }

  /** Counts per check and the failing rows, in shard order. */
  private static final class Summary {
    String deltas;
    long rows;
    long numerical;
    final Map<ValidationCheck, Long> perCheck = new EnumMap<>(ValidationCheck.class);
    final List<String> failed = new ArrayList<>();
    int footersMatching;
    int footersAbsent;
    final List<String> footersWrong = new ArrayList<>();

    /** A shard's footer counts (method §3.5) against its rows; shards written before footers are noted. */
    void footer(String shard, Map<String, String> written, Map<String, String> recounted) {
      if (written.isEmpty()) {
        footersAbsent++;
      } else if (written.equals(recounted)) {
        footersMatching++;
      } else {
        footersWrong.add(shard + ": the footer says " + written + ", its rows " + recounted);
      }
    }

    void add(GenericRecord row, ValidationResult r, boolean numerics) {
      rows++;
      if (numerics) numerical++;
      if (!r.passed()) {
        perCheck.merge(r.failedCheck(), 1L, Long::sum);
        failed.add(row.get("id") + ": " + r);
      }
    }

    void print(PrintStream out, int show) {
      out.println("aspd validate: " + rows + " rows (" + numerical + " with numerical checks), "
          + (rows - failed.size()) + " passed, " + failed.size() + " failed");
      if (deltas != null) out.println("  " + deltas);
      out.println("  shard footers (funnel, statuses, candidate fates): " + footersMatching + " match their rows"
          + (footersWrong.isEmpty() ? "" : ", " + footersWrong.size() + " do not")
          + (footersAbsent == 0 ? "" : ", " + footersAbsent + " have none (written before aspd kept them)"));
      footersWrong.forEach(f -> out.println("  FAIL shard " + f));
      for (ValidationCheck c : EnumSet.allOf(ValidationCheck.class)) {
        if (perCheck.containsKey(c)) out.println("  " + c.label() + ": " + perCheck.get(c) + " rows");
      }
      failed.stream().limit(show).forEach(f -> out.println("  FAIL " + f));
      if (failed.size() > show) out.println("  ... " + (failed.size() - show) + " more");
    }
  }
}
