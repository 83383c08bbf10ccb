package org.aspd.decoding;

import java.util.Optional;

/**
 * CUDA attention (bf16/fp16 inputs, fp32 accumulation). Inputs are float arrays rounded to the
 * dtype on upload. The CUDA code is a separate library, loaded on first use: a missing library,
 * driver or device throws {@link GpuUnavailableException} with the CUDA error string.
 * Kernel limits: prefill needs D % 16 == 0 and D <= 256; decode needs D <= 256.
 */
public final class GpuAttention implements Attention {
  private final DType dtype;
  private final int device;
  private long handle;
  private volatile boolean closing;

  private GpuAttention(long handle, int device, DType dtype) {
    this.handle = handle;
    this.device = device;
    this.dtype = dtype;
  }

  /** Opens a CUDA context on {@code device}; throws GpuUnavailableException when that is impossible. */
  public static GpuAttention open(int device, DType dtype) {
    if (device < 0) throw new IllegalArgumentException("device must be >= 0: " + device);
    if (dtype == null) throw new IllegalArgumentException("dtype is required");
    loadLibrary();
    return new GpuAttention(createNative(device), device, dtype);
  }

  /** Number of CUDA devices; throws GpuUnavailableException without a library or driver. */
  public static int deviceCount() {
    loadLibrary();
    return deviceCountNative();
  }

  /** Empty when a GPU can be used, else why not (for logs and test assumptions). */
  public static Optional<String> unavailableReason() {
    try {
      return deviceCount() > 0 ? Optional.empty() : Optional.of("no CUDA device present");
    } catch (GpuUnavailableException e) {
      return Optional.of(e.getMessage());
    }
  }

  /** Loads the CUDA library; a missing library becomes {@link GpuUnavailableException}. */
  static void loadLibrary() {
    try {
      NativeLibrary.load(NativeLibrary.CUDA);
    } catch (UnsatisfiedLinkError e) {
      throw new GpuUnavailableException("CUDA library unavailable (built without nvcc, or its dependencies are missing): "
          + e.getMessage(), e);
    }
  }

  @Override
  public synchronized float[] prefill(AttentionShape shape, float[] q, float[] k, float[] v, int[] groupId,
      int[] branchId, float scale) {
    checkOpen();
    if (shape.headDim() % 16 != 0 || shape.headDim() > 256) {
      throw new IllegalArgumentException("GPU prefill needs headDim % 16 == 0 and <= 256, got " + shape.headDim());
    }
    int t = AttentionInputs.checkPrefill(shape, q, k, v, groupId, branchId, scale);
    float[] out = new float[q.length];
    prefillNative(handle, dtype.ordinal(), q, k, v, groupId, branchId, t, shape.heads(), shape.kvHeads(),
        shape.headDim(), scale, out, new long[2]);
    return out;
  }

  @Override
  public synchronized float[] decode(AttentionShape shape, float[] q, TokenTags queryTags, float[] kCache,
      float[] vCache, TokenTags cacheTags, float scale) {
    checkOpen();
    if (shape.headDim() > 256) {
      throw new IllegalArgumentException("GPU decode needs headDim <= 256, got " + shape.headDim());
    }
    int[] an = AttentionInputs.checkDecode(shape, q, queryTags, kCache, vCache, cacheTags, scale);
    float[] out = new float[q.length];
    decodeNative(handle, dtype.ordinal(), q, queryTags.positionArray(), queryTags.groupArray(), queryTags.branchArray(),
        kCache, vCache, cacheTags.positionArray(), cacheTags.groupArray(), cacheTags.branchArray(), an[0], an[1],
        shape.heads(), shape.kvHeads(), shape.headDim(), scale, out);
    return out;
  }

  @Override
  public String backend() {
    return "cuda:" + device + "/" + dtype.label();
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
    if (closing || handle == 0) throw new IllegalStateException("GpuAttention is closed");
  }

  private static native int deviceCountNative();

  private static native long createNative(int device);

  private static native void freeNative(long handle);

  private static native void prefillNative(long handle, int dtype, float[] q, float[] k, float[] v, int[] groupId,
      int[] branchId, int t, int heads, int kvHeads, int headDim, float scale, float[] out, long[] tileStats);

  private static native void decodeNative(long handle, int dtype, float[] q, int[] qPos, int[] qGroup,
      int[] qBranch, float[] k, float[] v, int[] ePos, int[] eGroup, int[] eBranch, int a, int n, int heads,
      int kvHeads, int headDim, float scale, float[] out);
}
