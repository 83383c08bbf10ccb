package org.aspd.tokens;

import java.util.concurrent.ConcurrentHashMap;

/**
 * One tokenizer per name per JVM: loading BPE ranks costs hundreds of milliseconds, and DoFns are
 * instantiated many times per worker.
 */
public final class TokenizerCache {
  private static final ConcurrentHashMap<String, AspdTokenizer> CACHE = new ConcurrentHashMap<>();

  private TokenizerCache() {}

  public static AspdTokenizer get(String name) {
    return CACHE.computeIfAbsent(name, TiktokenTokenizer::of);
  }

  /**
   * The tokenizer a shard row names in its {@code tokenizer} field ({@link AspdTokenizer#name()},
   * e.g. {@code o200k_base+aspd}).
   */
  public static AspdTokenizer ofRecordedName(String recorded) {
    if (recorded == null || !recorded.endsWith(TiktokenTokenizer.SUFFIX)) {
      throw new IllegalArgumentException("rows name tokenizer '" + recorded + "'; expected <encoding>"
          + TiktokenTokenizer.SUFFIX);
    }
    return get(recorded.substring(0, recorded.length() - TiktokenTokenizer.SUFFIX.length()));
  }
}
