package org.aspd.pipeline.regenerate;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * {@code manifest.json} of a release, written last: its presence marks a release as complete and
 * validated. It records what the release was built from (input files and their hashes, the spec,
 * the configuration and its fingerprint, the prompt hashes, the code version), what came out (row
 * counts, carried and recomputed rows, statistics, every shard with its size and hash) and how long
 * it took. Only the fields the next run needs are read back.
 *
 * @param release the release name (its folder under {@code releases/})
 * @param configFingerprint see {@link ConfigFingerprint}
 * @param numShards the number of shards in {@code data/}
 * @param inputs the input files and their hashes
 * @param tokenizerFiles {@link TokenizerFiles#hashes}; empty in releases written before it was recorded
 */
record Manifest(String release, String configFingerprint, int numShards, List<InputFiles.InputFile> inputs,
    Map<String, String> tokenizerFiles) {
  static final String FILE = "manifest.json";

  static Manifest read(Path releaseDir) throws IOException {
    JsonNode m = new ObjectMapper().readTree(releaseDir.resolve(FILE).toFile());
    List<InputFiles.InputFile> inputs = new ArrayList<>();
    for (JsonNode f : m.path("inputs")) {
      inputs.add(new InputFiles.InputFile(f.path("path").asText(), f.path("bytes").asLong(), f.path("sha256").asText()));
    }
    Map<String, String> tokenizerFiles = new TreeMap<>();
    m.path("tokenizer_files").fields().forEachRemaining(f -> tokenizerFiles.put(f.getKey(), f.getValue().asText()));
    return new Manifest(m.path("release").asText(), m.path("config_fingerprint").asText(),
        m.path("num_shards").asInt(), List.copyOf(inputs), tokenizerFiles);
  }

  /** Writes the manifest through a temporary file and a rename, so it is never seen half-written. */
  static void write(Path releaseDir, Map<String, Object> content) throws IOException {
    byte[] json = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT).writeValueAsBytes(content);
    AtomicFiles.write(releaseDir.resolve(FILE), json);
  }

  /** True when a run with these inputs and this configuration would build this release again. */
  boolean sameAs(ConfigFingerprint config, int shards, List<InputFiles.InputFile> files,
      Map<String, String> tokenizerHashes) {
    return configFingerprint.equals(config.sha256()) && numShards == shards && inputs.equals(files)
        && tokenizerFiles.equals(tokenizerHashes);
  }
}
