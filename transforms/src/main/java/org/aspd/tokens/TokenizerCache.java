package org.aspd.tokens;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.concurrent.ConcurrentHashMap;

/**
 * One tokenizer per name per JVM: loading BPE ranks or a tokenizer.json costs hundreds of
 * milliseconds, and DoFns are instantiated many times per worker.
 */
public final class TokenizerCache {
  /** The file a run writes beside its shards when its target tokenizer is a tokenizer.json. */
  public static final String RUN_FILE = "tokenizer.json";

  private static final ConcurrentHashMap<String, AspdTokenizer> CACHE = new ConcurrentHashMap<>();

  private TokenizerCache() {}

  /**
   * The target tokenizer {@code name}: a tiktoken encoding ({@code o200k_base}, {@code
   * cl100k_base}), or the path of a Hugging Face tokenizer.json or of a folder holding one, which
   * gets the six markers if it lacks them ({@link HfTokenizer}).
   *
   * @throws IllegalArgumentException naming what is wrong with {@code name}
   */
  public static AspdTokenizer get(String name) {
    return CACHE.computeIfAbsent(name, TokenizerCache::load);
  }

  /**
   * The tokenizer a shard row names in its {@code tokenizer} field ({@link AspdTokenizer#name()}):
   * {@code o200k_base+aspd}, or {@code tokenizer.json@<sha256>}, which is the {@value #RUN_FILE}
   * the run wrote into {@code runDir} and must still have that hash.
   */
  public static AspdTokenizer ofRecordedName(String recorded, Path runDir) {
    if (recorded != null && recorded.startsWith(HfTokenizer.NAME_PREFIX)) {
      Path file = runDir.resolve(RUN_FILE).toAbsolutePath().normalize();
      if (!Files.isRegularFile(file)) {
        throw new IllegalArgumentException("rows name tokenizer '" + recorded + "', and their run folder has no "
            + RUN_FILE + " (" + file + "); the job writes it beside the shards");
      }
      AspdTokenizer tokenizer = get(file.toString());
      if (!tokenizer.name().equals(recorded)) {
        throw new IllegalArgumentException("rows name tokenizer '" + recorded + "', but " + file + " is "
            + tokenizer.name() + ": the file changed after the run");
      }
      return tokenizer;
    }
    if (recorded == null || !recorded.endsWith(TiktokenTokenizer.SUFFIX)) {
      throw new IllegalArgumentException("rows name tokenizer '" + recorded + "'; expected <encoding>"
          + TiktokenTokenizer.SUFFIX + " or " + HfTokenizer.NAME_PREFIX + "<sha256>");
    }
    return get(recorded.substring(0, recorded.length() - TiktokenTokenizer.SUFFIX.length()));
  }

  private static AspdTokenizer load(String name) {
    if (TiktokenTokenizer.knows(name)) return TiktokenTokenizer.of(name);
    try {
      return HfTokenizer.load(Path.of(name), HfTokenizer.Markers.ADD_IF_ABSENT);
    } catch (NoSuchFileException e) {
      throw new IllegalArgumentException("unknown tokenizer '" + name + "': not o200k_base or cl100k_base, and no"
          + " tokenizer.json at " + e.getFile() + " (on a cluster, the path must be readable on every worker)");
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read tokenizer " + name, e);
    }
  }
}
