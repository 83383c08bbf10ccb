package org.aspd.decoding;

import java.util.Arrays;

/**
 * The six special-token ids, in the order they are added to the vocabulary (§1). The caller reads
 * them from its tokenizer; nothing in this module hard-codes ids.
 */
public record SpecialTokenIds(int branch, int branchEnd, int title, int titleEnd, int para, int paraEnd) {

  /** Validates: every id non-negative and the six ids distinct. */
  public SpecialTokenIds {
    int[] ids = {branch, branchEnd, title, titleEnd, para, paraEnd};
    for (int id : ids) {
      if (id < 0) throw new IllegalArgumentException("special-token id " + id + " is negative");
    }
    if (Arrays.stream(ids).distinct().count() != 6) {
      throw new IllegalArgumentException("the six special-token ids must be distinct: " + Arrays.toString(ids));
    }
  }

  /** Throws when an id does not fit a vocabulary of {@code vocabSize} entries. */
  void checkVocab(int vocabSize) {
    for (int id : toArray()) {
      if (id >= vocabSize) {
        throw new IllegalArgumentException("special-token id " + id + " >= vocab size " + vocabSize);
      }
    }
  }

  /** Whether {@code id} is one of the six. */
  boolean contains(int id) {
    return Arrays.stream(toArray()).anyMatch(x -> x == id);
  }

  /** Order: branch, /branch, title, /title, para, /para. */
  int[] toArray() {
    return new int[] {branch, branchEnd, title, titleEnd, para, paraEnd};
  }
}
