package org.aspd.decoding;

import java.util.Objects;

/**
 * The model on one GPU for the decoding engine ({@link Engine#Engine(GpuModel, EngineOptions)}):
 * bf16 weights and KV cache, fp32 accumulation, cuBLAS matrix products (opened at run time; the
 * built-in GEMV kernel without it), CUDA graphs for decode steps. Native code:
 * {@code cuda/gpu_model.*}. A missing CUDA library, driver, GPU or cuBLAS throws
 * {@link GpuUnavailableException}; every method throws {@link IllegalStateException} once closed.
 */
public final class GpuModel implements LogitsModel, AutoCloseable {
  /**
   * @param device CUDA device index
   * @param cacheCapacity KV-cache entries (0 = the model's context); the engine's context is the
   *     smaller of the two
   * @param cudaGraphs replay decode steps from CUDA graphs
   * @param cublas cuBLAS for the matrix products (false: the built-in GEMV kernel)
   */
  public record Options(int device, int cacheCapacity, boolean cudaGraphs, boolean cublas) {
    public Options {
      if (device < 0) throw new IllegalArgumentException("device must be >= 0: " + device);
      if (cacheCapacity < 0) throw new IllegalArgumentException("cacheCapacity must be >= 0: " + cacheCapacity);
    }

    public static Options defaults() {
      return new Options(0, 0, true, true);
    }
  }

  private final ModelConfig config;
  private long handle;
  private volatile boolean closing;

  private GpuModel(long handle, ModelConfig config) {
    this.handle = handle;
    long capacity = capacityNative(handle);
    this.config = new ModelConfig(config.modelType(), config.vocabSize(), config.hiddenSize(),
        config.intermediateSize(), config.numLayers(), config.numHeads(), config.numKvHeads(), config.headDim(),
        (int) Math.min(config.maxPositions(), capacity), config.rmsNormEps(), config.ropeTheta(),
        config.tieWordEmbeddings(), config.attentionBias());
  }

  /** Uploads a CPU model's weights, rounded to bf16. */
  public static GpuModel upload(Model cpu, Options options) {
    Objects.requireNonNull(cpu, "cpu");
    Objects.requireNonNull(options, "options");
    GpuAttention.loadLibrary();
    synchronized (cpu) { // the CPU model's close() waits for the upload that reads its weights
      return new GpuModel(uploadNative(cpu.nativeHandle(), options.device(), options.cacheCapacity(),
          options.cudaGraphs(), options.cublas()), cpu.config());
    }
  }

  /** Random bf16 weights drawn on the device (the step cost depends on the shape only). */
  public static GpuModel random(ModelConfig config, long seed, Options options) {
    Objects.requireNonNull(config, "config");
    Objects.requireNonNull(options, "options");
    GpuAttention.loadLibrary();
    long[] sizes = {config.vocabSize(), config.hiddenSize(), config.intermediateSize(), config.numLayers(),
        config.numHeads(), config.numKvHeads(), config.headDim(), config.maxPositions()};
    return new GpuModel(randomNative(config.modelType(), sizes, new double[] {config.rmsNormEps(), config.ropeTheta()},
        config.tieWordEmbeddings(), config.attentionBias(), seed, options.device(), options.cacheCapacity(),
        options.cudaGraphs(), options.cublas()), config);
  }

  /** The model's config, its context capped at the KV-cache capacity. */
  @Override
  public ModelConfig config() {
    return config;
  }

  /** bf16 weights and activations, fp32 accumulation. */
  @Override
  public String computeDType() {
    return "bf16";
  }

  /**
   * Logits of chosen rows of one sequence, as {@link Model#forwardRows} (native
   * {@code gpu_model_forward_rows}): the KV cache is emptied and the sequence fed in chunks.
   * Waits for a decoding run on this model to finish (both hold the model's monitor).
   */
  @Override
  public synchronized float[] forwardRows(int[] ids, int[] positions, int[] groupIds, int[] branchIds, int[] rows) {
    float[] out = new float[LogitsModel.logitsSize(config, ids, positions, groupIds, branchIds, rows)];
    forwardRowsNative(nativeHandle(), ids, positions, groupIds, branchIds, rows, out);
    return out;
  }

  /** Device, GEMM path and graph state, for reports. */
  public synchronized String describe() {
    return describeNative(nativeHandle());
  }

  public synchronized long weightBytes() {
    return weightBytesNative(nativeHandle());
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

  synchronized long nativeHandle() {
    if (closing || handle == 0) throw new IllegalStateException("GpuModel is closed");
    return handle;
  }

  /** A native engine on this model (engine/engine.h create_engine_on); freed by Engine. */
  synchronized long createEngine(int[] special, int[] eos, int[] headerSep, int[] limits, boolean branchGreedy) {
    return createEngineNative(nativeHandle(), special, eos, headerSep, limits, branchGreedy);
  }

  private static native long uploadNative(long cpuModel, int device, long capacity, boolean graphs, boolean cublas);

  private static native long randomNative(String modelType, long[] sizes, double[] reals, boolean tie, boolean bias,
      long seed, int device, long capacity, boolean graphs, boolean cublas);

  private static native void forwardRowsNative(long handle, int[] ids, int[] positions, int[] groupIds,
      int[] branchIds, int[] rows, float[] logits);

  private static native void freeNative(long handle);

  private static native long capacityNative(long handle);

  private static native String describeNative(long handle);

  private static native long weightBytesNative(long handle);

  private static native long createEngineNative(long handle, int[] special, int[] eos, int[] headerSep, int[] limits,
      boolean branchGreedy);
}
