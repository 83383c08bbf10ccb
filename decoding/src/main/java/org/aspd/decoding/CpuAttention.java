package org.aspd.decoding;

/**
 * Fast float32 CPU attention (tiled, online softmax, invisible tiles skipped); no GPU needed. Calls
 * from several threads take turns with each other and with {@link #close}.
 */
public final class CpuAttention implements Attention {
  static {
    NativeLibrary.load(NativeLibrary.CPU);
  }

  private long handle;
  private volatile boolean closing;

  /** @param threads worker threads per call; 0 = all available processors */
  public CpuAttention(int threads) {
    WorkerThreads.check(threads);
    handle = createNative(threads);
  }

  @Override
  public synchronized float[] prefill(AttentionShape shape, float[] q, float[] k, float[] v, int[] groupId,
      int[] branchId, float scale) {
    checkOpen();
    int t = AttentionInputs.checkPrefill(shape, q, k, v, groupId, branchId, scale);
    float[] out = new float[q.length];
    prefillNative(handle, q, k, v, groupId, branchId, t, shape.heads(), shape.kvHeads(), shape.headDim(), scale,
        out, new long[2]);
    return out;
  }

  @Override
  public synchronized float[] decode(AttentionShape shape, float[] q, TokenTags queryTags, float[] kCache,
      float[] vCache, TokenTags cacheTags, float scale) {
    checkOpen();
    int[] an = AttentionInputs.checkDecode(shape, q, queryTags, kCache, vCache, cacheTags, scale);
    float[] out = new float[q.length];
    decodeNative(handle, q, queryTags.positionArray(), queryTags.groupArray(), queryTags.branchArray(), kCache, vCache,
        cacheTags.positionArray(), cacheTags.groupArray(), cacheTags.branchArray(), an[0], an[1], shape.heads(),
        shape.kvHeads(), shape.headDim(), scale, out);
    return out;
  }

  @Override
  public String backend() {
    return "cpu";
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
    if (closing || handle == 0) throw new IllegalStateException("CpuAttention is closed");
  }

  private static native long createNative(int threads);

  private static native void freeNative(long handle);

  private static native void prefillNative(long handle, float[] q, float[] k, float[] v, int[] groupId,
      int[] branchId, int t, int heads, int kvHeads, int headDim, float scale, float[] out, long[] tileStats);

  private static native void decodeNative(long handle, float[] q, int[] qPos, int[] qGroup, int[] qBranch,
      float[] k, float[] v, int[] ePos, int[] eGroup, int[] eBranch, int a, int n, int heads, int kvHeads,
      int headDim, float scale, float[] out);
}
