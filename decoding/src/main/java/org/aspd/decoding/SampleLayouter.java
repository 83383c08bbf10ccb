package org.aspd.decoding;

import java.util.Objects;

/**
 * Computes {@link SampleLayout}s for one tokenizer: the six special ids and the vocabulary size
 * are validated once and held by a native handle. Token ids are range-checked here before any
 * native call; the §1 grammar is checked natively and reported as {@link MalformedSampleException}.
 */
public final class SampleLayouter implements AutoCloseable {
  static {
    NativeLibrary.load(NativeLibrary.CPU);
  }

  private final int vocabSize;
  private long handle;
  private volatile boolean closing;

  /**
   * @param special ids read from the tokenizer (never literals)
   * @param vocabSize number of token ids; every id must lie in [0, vocabSize)
   */
  public SampleLayouter(SpecialTokenIds special, int vocabSize) {
    this(special, vocabSize, new int[0]);
  }

  /**
   * @param headerSeparator the tokenizer's ids of {@code ": "}, which must follow the title in every
   *     branch header (method §1; the engine forces them, §7); empty: not checked
   */
  public SampleLayouter(SpecialTokenIds special, int vocabSize, int[] headerSeparator) {
    Objects.requireNonNull(special, "special");
    Objects.requireNonNull(headerSeparator, "headerSeparator");
    if (vocabSize <= 0) throw new IllegalArgumentException("vocab size must be positive: " + vocabSize);
    special.checkVocab(vocabSize);
    for (int id : headerSeparator) {
      if (id < 0 || id >= vocabSize || special.contains(id)) {
        throw new IllegalArgumentException("header separator id " + id + " is out of range or a marker");
      }
    }
    this.vocabSize = vocabSize;
    this.handle = createNative(special.toArray(), vocabSize, headerSeparator.clone());
  }

  /**
   * Labels and positions of a packed sample (prompt + response ids). Calls from several threads
   * take turns with each other and with {@link #close}.
   */
  public synchronized SampleLayout layout(int[] ids) {
    Objects.requireNonNull(ids, "ids");
    checkOpen();
    for (int i = 0; i < ids.length; i++) {
      if (ids[i] < 0) {
        throw new MalformedSampleException(i, GrammarRule.NEGATIVE_TOKEN_ID.name(),
            "token " + i + ": negative token id " + ids[i] + " [NEGATIVE_TOKEN_ID]");
      }
      if (ids[i] >= vocabSize) {
        throw new MalformedSampleException(i, GrammarRule.TOKEN_ID_OUT_OF_RANGE.name(),
            "token " + i + ": token id " + ids[i] + " >= vocab size " + vocabSize + " [TOKEN_ID_OUT_OF_RANGE]");
      }
    }
    int n = ids.length;
    int[] group = new int[n];
    int[] branch = new int[n];
    int[][] positions = new int[PositionMode.values().length][n];
    int groups = layoutNative(handle, ids, group, branch, positions[0], positions[1], positions[2]);
    return new SampleLayout(group, branch, positions, groups);
  }

  @Override
  public void close() {
    // Refuse calls not yet started first (Model.close() says why).
    closing = true;
    synchronized (this) {
      if (handle != 0) {
        freeNative(handle);
        handle = 0;
      }
    }
  }

  private void checkOpen() {
    if (closing || handle == 0) throw new IllegalStateException("SampleLayouter is closed");
  }

  private static native long createNative(int[] special, long vocabSize, int[] headerSeparator);

  private static native void freeNative(long handle);

  private static native int layoutNative(long handle, int[] ids, int[] group, int[] branch,
      int[] posSameSeq, int[] posSameMax, int[] posFixedRange);
}
