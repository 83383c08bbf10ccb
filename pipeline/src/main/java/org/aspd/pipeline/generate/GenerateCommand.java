package org.aspd.pipeline.generate;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import org.aspd.decoding.BranchSampling;
import org.aspd.decoding.DecodeResult;
import org.aspd.decoding.Engine;
import org.aspd.decoding.EngineOptions;
import org.aspd.decoding.GpuModel;
import org.aspd.decoding.GpuUnavailableException;
import org.aspd.decoding.Model;
import org.aspd.decoding.ModelFormatException;
import org.aspd.decoding.NativeFailureException;
import org.aspd.decoding.Sampling;
import org.aspd.pipeline.checkpoint.CheckpointTokenizer;
import org.aspd.pipeline.checkpoint.Fp32Weights;
import org.aspd.pipeline.cli.EngineDevice;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code aspd generate}: free hybrid decoding (method §7) from a prompt with a checkpoint directory
 * (config.json, model.safetensors, and a tokenizer.json that holds the six markers): serial text,
 * a group's branches one token each per forward, back to serial on {@code <|/para|>}. Prints the
 * answer with its markup on stdout and what the decoding cost on stderr. Exit 0 on success, 1 when
 * the decoding or writing its result fails, 2 on usage errors and on checkpoints, tokenizers or
 * devices that cannot be used.
 */
@Command(name = "generate", mixinStandardHelpOptions = true,
    description = "Decode an answer from a prompt with a checkpoint (hybrid serial/parallel decoding).")
public final class GenerateCommand implements Callable<Integer> {

  @Option(names = "--model", required = true, paramLabel = "DIR",
      description = "Checkpoint directory: config.json, model.safetensors, tokenizer.json with the six markers.")
  Path modelDir;

  static final class PromptSource {
    @Option(names = "--prompt", paramLabel = "TEXT", description = "The user's message.")
    String text;

    @Option(names = "--prompt-file", paramLabel = "FILE", description = "The user's message, from a UTF-8 file.")
    Path file;
  }

  @ArgGroup(exclusive = true, multiplicity = "1")
  PromptSource prompt;

  @Option(names = "--system", paramLabel = "TEXT",
      description = "A system message before the user's (none by default; the chat formats only).")
  String system;

  @Option(names = "--raw", description = "Feed the prompt as it is, without the checkpoint's chat template"
      + " (a prompt already formatted; only what the tokenizer's post-processor adds, such as a BOS, is added).")
  boolean raw;

  @Option(names = "--device", defaultValue = "cpu", description = "cpu | cuda (default: ${DEFAULT-VALUE}).")
  EngineDevice device;

  @Option(names = "--max-new-tokens", defaultValue = "512", paramLabel = "N",
      description = "Token budget, markup included (a group in progress is completed; default: ${DEFAULT-VALUE}).")
  int maxNewTokens;

  @Option(names = "--greedy", description = "Argmax decoding instead of sampling.")
  boolean greedy;

  @Option(names = "--temperature", defaultValue = "0.7", description = "Default: ${DEFAULT-VALUE} (the paper's).")
  float temperature;

  @Option(names = "--top-k", defaultValue = "20", description = "0 = off; default: ${DEFAULT-VALUE} (the paper's).")
  int topK;

  @Option(names = "--top-p", defaultValue = "0.8", description = "1 = off; default: ${DEFAULT-VALUE} (the paper's).")
  float topP;

  @Option(names = "--seed", defaultValue = "0", description = "Sampler seed (default: ${DEFAULT-VALUE}).")
  long seed;

  @Option(names = "--branch-sampling", defaultValue = "SERIAL",
      description = "SERIAL: branches sample like serial text; GREEDY: branches take the argmax (default: ${DEFAULT-VALUE}).")
  BranchSampling branchSampling;

  @Option(names = "--threads", defaultValue = "0", description = "CPU threads per forward (0 = all; default: ${DEFAULT-VALUE}).")
  int threads;

  @Option(names = "--json", paramLabel = "FILE", description = "Also write the ids, the text and the decoding stats here.")
  Path json;

  PrintStream out = System.out;
  PrintStream err = System.err;

  @Override
  public Integer call() {
    if (maxNewTokens < 1) return usage("--max-new-tokens must be >= 1");
    int processors = Runtime.getRuntime().availableProcessors();
    if (threads < 0 || threads > processors) return usage("--threads must be 0 to the " + processors + " processors");
    Sampling sampling;
    try {
      sampling = greedy ? Sampling.greedy() : new Sampling(temperature, topK, topP, seed);
    } catch (IllegalArgumentException e) {
      return usage(e.getMessage());
    }
    if (json != null && json.toAbsolutePath().getParent() != null && !Files.isDirectory(json.toAbsolutePath().getParent())) {
      return usage("cannot write " + json + ": the folder " + json.toAbsolutePath().getParent() + " does not exist");
    }
    String userText;
    try {
      userText = prompt.text != null ? prompt.text : Files.readString(prompt.file, StandardCharsets.UTF_8);
    } catch (IOException e) {
      return usage("cannot read the prompt file " + prompt.file + ": "
          + (e instanceof NoSuchFileException ? "no such file" : e.getMessage()));
    }
    if (raw && system != null) return usage("--system goes into the chat format, which --raw leaves out");
    if (userText.isEmpty()) return usage("the prompt is empty");
    try (CheckpointTokenizer tokenizer = CheckpointTokenizer.load(modelDir)) {
      int[] promptIds = tokenizer.encodePrompt(system, userText, raw);
      EngineOptions options = EngineOptions.defaults(tokenizer.special(), tokenizer.eosIds(),
          tokenizer.headerSeparatorIds()).withBranchSampling(branchSampling);
      DecodeResult result = decode(promptIds, options, sampling);
      String text = tokenizer.decode(result.responseIds());
      out.println(text);
      err.printf(Locale.ROOT, "aspd generate: %d tokens (%d groups, %d branches) in %d forward passes, %.1f tokens/s;"
              + " stopped on %s; %s template%n", result.generatedTokens(), result.groups(), result.branches(),
          result.forwardPasses(), result.tokensPerSecond(), result.stopReason(), raw ? "no" : tokenizer.template());
      if (json != null) {
        try {
          writeJson(promptIds, result, text);
        } catch (IOException e) {
          err.println("aspd: cannot write " + json + ": " + e.getMessage());
          return 1;
        }
      }
      return 0;
    } catch (NoSuchFileException e) {
      return usage("cannot generate with " + modelDir + ": " + e.getFile() + " does not exist"
          + (e.getReason() != null ? " (" + e.getReason() + ")" : ""));
    } catch (IOException | ModelFormatException | IllegalArgumentException | GpuUnavailableException e) {
      return usage("cannot generate with " + modelDir + ": " + e.getMessage());
    } catch (NativeFailureException e) { // out of memory, or a CUDA failure while decoding
      err.println("aspd: generation failed: " + e.getMessage());
      return 1;
    }
  }

  private DecodeResult decode(int[] promptIds, EngineOptions options, Sampling sampling) throws IOException {
    Fp32Weights.requireFits(Fp32Weights.parameters(modelDir), Fp32Weights.physicalMemory(), modelDir.toString(),
        "the checkpoint is loaded in fp32 on the CPU, also before a --device cuda upload");
    if (device == EngineDevice.cpu) {
      try (Model cpu = Model.load(modelDir, threads); Engine engine = new Engine(cpu, options)) {
        return engine.generate(promptIds, sampling, maxNewTokens);
      }
    }
    GpuModel gpu;
    try (Model cpu = Model.load(modelDir, threads)) { // freed once its weights are on the device as bf16
      gpu = GpuModel.upload(cpu, GpuModel.Options.defaults());
    }
    try (gpu; Engine engine = new Engine(gpu, options)) {
      return engine.generate(promptIds, sampling, maxNewTokens);
    }
  }

  private void writeJson(int[] promptIds, DecodeResult r, String text) throws IOException {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("model", modelDir.toString());
    m.put("device", device.name());
    m.put("prompt_ids", promptIds);
    m.put("response_ids", r.responseIds());
    m.put("text", text);
    m.put("stop_reason", r.stopReason().name());
    m.put("generated_tokens", r.generatedTokens());
    m.put("forward_passes", r.forwardPasses());
    m.put("groups", r.groups());
    m.put("branches", r.branches());
    m.put("tokens_per_second", r.tokensPerSecond());
    m.put("parallel_tokens_per_second", r.parallelTokensPerSecond());
    new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT).writeValue(json.toFile(), m);
  }

  private int usage(String message) {
    err.println("aspd: " + message);
    return 2;
  }
}
