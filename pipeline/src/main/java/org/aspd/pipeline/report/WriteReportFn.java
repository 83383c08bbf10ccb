package org.aspd.pipeline.report;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.channels.Channels;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import org.apache.beam.sdk.io.FileSystems;
import org.apache.beam.sdk.io.fs.ResolveOptions;
import org.apache.beam.sdk.io.fs.ResourceId;
import org.apache.beam.sdk.transforms.DoFn;
import org.aspd.metrics.DatasetStats;
import org.aspd.tokens.HfTokenizer;
import org.aspd.tokens.TokenizerCache;
import org.aspd.tokens.TokenizerConfigFiles;

/**
 * Writes {@code stats.json}, the dataset card {@code README.md} and {@code plots/*.png} into the
 * output directory through Beam's filesystems, so it works wherever the shards are written; and,
 * when the target tokenizer is a tokenizer.json, that file with the six markers as the ids in the
 * shards have them ({@code tokenizer.json}: train with it; validate and bench read it) and the
 * transformers configs that go with it ({@link TokenizerConfigFiles}), so that the run folder
 * loads with {@code AutoTokenizer.from_pretrained}.
 */
public class WriteReportFn extends DoFn<DatasetStats, String> {
  private final String outputDir;
  private final LinkedHashMap<String, Object> run;
  private final String tokenizer;
  /** Read when the job is built: a bad source config is a usage error, not a failure at the job's end. */
  private final LinkedHashMap<String, byte[]> tokenizerConfigs = new LinkedHashMap<>();

  /**
   * @param run describes the run (teacher, tokenizer, options) for stats.json and the card
   * @param tokenizer the target tokenizer as the options name it ({@link TokenizerCache#get})
   * @throws IllegalArgumentException when the tokenizer's transformers config is unusable
   */
  public WriteReportFn(String outputDir, Map<String, Object> run, String tokenizer) {
    this.outputDir = outputDir;
    this.run = new LinkedHashMap<>(run);
    this.tokenizer = tokenizer;
    if (TokenizerCache.get(tokenizer) instanceof HfTokenizer hf) {
      try {
        tokenizerConfigs.putAll(TokenizerConfigFiles.of(Path.of(tokenizer), hf));
      } catch (IOException e) {
        throw new UncheckedIOException("cannot read the configs beside tokenizer " + tokenizer, e);
      }
    }
  }

  @ProcessElement
  public void process(@Element DatasetStats stats, OutputReceiver<String> out) throws IOException {
    System.setProperty("java.awt.headless", "true");
    ResourceId dir = FileSystems.matchNewResource(outputDir, true);
    Map<String, Object> json = new LinkedHashMap<>(stats.toMap());
    json.put("run", run);
    ObjectMapper mapper = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);
    write(dir, "stats.json", mapper.writeValueAsBytes(json));
    write(dir, "README.md", DatasetCard.render(stats, run).getBytes(StandardCharsets.UTF_8));
    if (TokenizerCache.get(tokenizer) instanceof HfTokenizer hf) write(dir, TokenizerCache.RUN_FILE, hf.json());
    for (Map.Entry<String, byte[]> file : tokenizerConfigs.entrySet()) write(dir, file.getKey(), file.getValue());
    ResourceId plots = dir.resolve("plots", ResolveOptions.StandardResolveOptions.RESOLVE_DIRECTORY);
    write(plots, "branches_per_group.png", Plots.branchesPerGroup(stats));
    write(plots, "dp.png", Plots.dp(stats));
    write(plots, "theoretical_speedup.png", Plots.theoreticalSpeedup(stats));
    out.output(dir.resolve("stats.json", ResolveOptions.StandardResolveOptions.RESOLVE_FILE).toString());
  }

  private static void write(ResourceId dir, String name, byte[] bytes) throws IOException {
    ResourceId file = dir.resolve(name, ResolveOptions.StandardResolveOptions.RESOLVE_FILE);
    try (OutputStream os = Channels.newOutputStream(FileSystems.create(file, "application/octet-stream"))) {
      os.write(bytes);
    }
  }
}
