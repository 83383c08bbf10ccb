package org.aspd.testing;

import java.util.List;
import org.aspd.format.SpecialTokens;
import org.aspd.tokens.AspdTokenizer;

/**
 * The method doc's toy vocabulary: one token per character, except that {@code ": "} is a single
 * token (method §5). Control ids start at 1000 in tokenizer order.
 */
public final class ToyTokenizer implements AspdTokenizer {
  public static final int SEPARATOR_ID = 999;

  @Override
  public String name() {
    return "toy";
  }

  @Override
  public int[] encodeText(String text) {
    int[] out = new int[countText(text)];
    int n = 0;
    for (int i = 0; i < text.length(); i++) {
      if (text.startsWith(": ", i)) {
        out[n++] = SEPARATOR_ID;
        i++;
      } else {
        out[n++] = text.charAt(i);
      }
    }
    return out;
  }

  @Override
  public int countText(String text) {
    int n = 0;
    for (int i = 0; i < text.length(); i++) {
      if (text.startsWith(": ", i)) {
        i++;
      }
      n++;
    }
    return n;
  }

  @Override
  public int specialId(String special) {
    int i = SpecialTokens.ALL.indexOf(special);
    if (i < 0) {
      throw new IllegalArgumentException(special);
    }
    return 1000 + i;
  }

  @Override
  public int vocabSize() {
    return 1006;
  }

  public static List<Integer> ids(int... ids) {
    return java.util.Arrays.stream(ids).boxed().toList();
  }

  @Override
  public int[] reservedIds() {
    return new int[0];
  }
}
