package org.aspd.tokens;

/**
 * The target tokenizer as the pipeline needs it: plain text to ids with added-token matching off
 * (method §1, "Reserved text"), and the ids of the six ASPD control tokens.
 */
public interface AspdTokenizer {
  /** Recorded in stats and rows, e.g. {@code o200k_base+aspd}. */
  String name();

  /** Ids of {@code text}; control strings inside it are encoded as ordinary text. */
  int[] encodeText(String text);

  /** Like {@code encodeText(text).length}, without allocating the ids. */
  int countText(String text);

  /** Id of one of {@link org.aspd.format.SpecialTokens#ALL}. */
  int specialId(String special);

  int vocabSize();

  /**
   * Ids of the vocabulary's own control tokens besides the markers ({@code <|endoftext|>},
   * {@code <|im_end|>}, ...): never in a response, since text is encoded as ordinary text.
   */
  int[] reservedIds();

  /**
   * A reserved id that {@code text} encodes to, or -1. Text is encoded as ordinary text, yet a
   * vocabulary may hold a control token's string as an ordinary piece too (SentencePiece's
   * {@code </s>}); such samples are excluded and counted (method §1, reserved text).
   */
  default int reservedIdIn(String text) {
    int[] reserved = reservedIds();
    for (int id : encodeText(text)) {
      for (int r : reserved) if (id == r) return id;
    }
    return -1;
  }
}
