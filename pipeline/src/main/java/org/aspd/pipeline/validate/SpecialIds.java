package org.aspd.pipeline.validate;

import org.aspd.decoding.SpecialTokenIds;
import org.aspd.format.SpecialTokens;
import org.aspd.tokens.AspdTokenizer;

/** The six control ids as the native module takes them, looked up through the tokenizer. */
public final class SpecialIds {
  private SpecialIds() {}

  public static SpecialTokenIds of(AspdTokenizer tokenizer) {
    int[] s = SpecialTokens.ALL.stream().mapToInt(tokenizer::specialId).toArray();
    return new SpecialTokenIds(s[0], s[1], s[2], s[3], s[4], s[5]);
  }
}
