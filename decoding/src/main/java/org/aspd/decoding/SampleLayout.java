package org.aspd.decoding;

/**
 * Labels and position ids of one packed sample (§5, §6), as computed by the native layout code.
 * Arrays are [T]; group id -1 = main, branch id 0 = main, else the running branch count (1, 2,
 * ...) over the whole sample. Getters return copies.
 */
public final class SampleLayout {
  static {
    NativeLibrary.load(NativeLibrary.CPU);
  }

  private final int[] groupId;
  private final int[] branchId;
  private final int[][] positions; // [PositionMode.ordinal()][T]
  private final int groupCount;

  SampleLayout(int[] groupId, int[] branchId, int[][] positions, int groupCount) {
    this.groupId = groupId;
    this.branchId = branchId;
    this.positions = positions;
    this.groupCount = groupCount;
  }

  public int length() {
    return groupId.length;
  }

  public int groupCount() {
    return groupCount;
  }

  public int[] groupId() {
    return groupId.clone();
  }

  public int[] branchId() {
    return branchId.clone();
  }

  public int[] positions(PositionMode mode) {
    return positions[mode.ordinal()].clone();
  }

  /** §5 rule: may token i attend to token j? */
  public boolean visible(int i, int j) {
    checkIndex(i);
    checkIndex(j);
    return visibleNative(i, j, groupId[i], branchId[i], groupId[j], branchId[j]);
  }

  /** Dense mask [T][T] (row = query); for tests and inspection of small samples only. */
  public boolean[][] mask() {
    int n = length();
    if ((long) n * n > Integer.MAX_VALUE - 8) {
      throw new IllegalStateException("a mask of " + n + " x " + n + " entries does not fit one Java array; use"
          + " visible(i, j) for samples over 46,340 tokens");
    }
    byte[] flat = new byte[n * n];
    maskNative(groupId, branchId, flat);
    boolean[][] out = new boolean[n][n];
    for (int i = 0; i < n; i++) {
      for (int j = 0; j < n; j++) out[i][j] = flat[i * n + j] != 0;
    }
    return out;
  }

  /** Tags for a decode step or a KV cache built from this layout (position ids of {@code mode}). */
  public TokenTags tags(PositionMode mode) {
    return new TokenTags(positions(mode), groupId(), branchId());
  }

  private void checkIndex(int i) {
    if (i < 0 || i >= length()) throw new IndexOutOfBoundsException("token " + i + " of " + length());
  }

  private static native boolean visibleNative(int i, int j, int gi, int bi, int gj, int bj);

  private static native void maskNative(int[] groupId, int[] branchId, byte[] out);
}
