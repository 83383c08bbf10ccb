package org.aspd.pipeline.regenerate;

import java.io.IOException;
import java.nio.file.Path;
import java.util.Map;
import java.util.TreeMap;
import org.aspd.tokens.HfTokenizer;
import org.aspd.tokens.TokenizerCache;
import org.aspd.tokens.TokenizerConfigFiles;

/**
 * The transformers files a release writes beside its tokenizer.json ({@link TokenizerConfigFiles}),
 * each by name and the SHA-256 of what would be written. They change no token id, so they stay out of
 * the {@link ConfigFingerprint} and rows are still carried over; but a release whose files differ
 * (a new chat template, say) is out of date, and the next run writes a new one.
 */
final class TokenizerFiles {
  private TokenizerFiles() {}

  /** Empty for a tiktoken encoding, which writes no such files. */
  static Map<String, String> hashes(String tokenizer) throws IOException {
    Map<String, String> hashes = new TreeMap<>();
    if (TokenizerCache.get(tokenizer) instanceof HfTokenizer hf) {
      TokenizerConfigFiles.of(Path.of(tokenizer), hf).forEach((name, bytes) -> hashes.put(name, Sha256.of(bytes)));
    }
    return hashes;
  }
}
