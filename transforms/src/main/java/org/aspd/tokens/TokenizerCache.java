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
}
