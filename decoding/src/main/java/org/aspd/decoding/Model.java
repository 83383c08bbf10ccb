package org.aspd.decoding;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.List;
import java.util.Objects;

/**
 * A Llama/Qwen2-architecture decoder on the CPU (float32 compute; F32/F16/BF16 checkpoints are
 * converted on load) whose attention follows the §5 branch rule from per-token labels and whose
 * RoPE uses explicit position ids (§6). Native code: {@code model/model.*}.
 *
 * <p>{@link #forward} returns logits [T, V] row-major. Inputs are validated here before the native
 * call: equal lengths, token ids in [0, V), positions in [0, maxPositions), labels consistent
 * (main = (-1, 0)). Every method throws {@link IllegalStateException} once the model is closed.
 * Calls on one model from several threads take turns, and {@link #close} waits for the call in
 * progress (and for an {@link Engine} run on it), so the native model is never freed under one.
 */
public final class Model implements LogitsModel, AutoCloseable {
  static {
    NativeLibrary.load(NativeLibrary.CPU);
  }

  private final ModelConfig config;
  private long handle;
  private volatile boolean closing;

  private Model(long handle) {
    this.handle = handle;
    long[] sizes = new long[8];
    double[] reals = new double[2];
    boolean[] flags = new boolean[2];
    String type = configNative(handle, sizes, reals, flags);
    this.config = new ModelConfig(type, (int) sizes[0], (int) sizes[1], (int) sizes[2], (int) sizes[3],
        (int) sizes[4], (int) sizes[5], (int) sizes[6], (int) sizes[7], reals[0], reals[1], flags[0], flags[1]);
  }

  /** Loads {@code dir/config.json} + {@code dir/model.safetensors} using all processors. */
  public static Model load(Path dir) throws IOException {
    return load(dir, 0);
  }

  /**
   * @param threads worker threads per forward; 0 = all processors
   * @throws NoSuchFileException when the directory or one of the two files is missing
   * @throws ModelFormatException when a file is malformed or does not match the config
   */
  public static Model load(Path dir, int threads) throws IOException {
    Objects.requireNonNull(dir, "dir");
    WorkerThreads.check(threads);
    for (Path file : List.of(dir.resolve("config.json"), dir.resolve("model.safetensors"))) {
      if (!Files.isRegularFile(file)) {
        String hint = Files.isRegularFile(dir.resolve("model.safetensors.index.json"))
            ? " (sharded checkpoints are not supported: merge the shards into one model.safetensors)" : "";
        throw new NoSuchFileException(file.toString(), null, "model checkpoint file missing" + hint);
      }
    }
    return new Model(loadNative(dir.toAbsolutePath().toString(), threads));
  }

  /** Random weights, deterministic for a seed (see model/model.h for the distributions). */
  public static Model random(ModelConfig config, long seed) {
    return random(config, seed, 0);
  }

  public static Model random(ModelConfig config, long seed, int threads) {
    Objects.requireNonNull(config, "config");
    WorkerThreads.check(threads);
    long[] sizes = {config.vocabSize(), config.hiddenSize(), config.intermediateSize(), config.numLayers(),
        config.numHeads(), config.numKvHeads(), config.headDim(), config.maxPositions()};
    return new Model(createRandomNative(config.modelType(), sizes, new double[] {config.rmsNormEps(), config.ropeTheta()},
        config.tieWordEmbeddings(), config.attentionBias(), seed, threads));
  }

  @Override
  public ModelConfig config() {
    return config;
  }

  /** Compute type of this implementation (sets the comparison tolerance of §8: 1e-3 for fp32). */
  @Override
  public String computeDType() {
    return "fp32";
  }

  /**
   * Logits of every token.
   *
   * @param ids token ids [T]
   * @param positions position ids [T]
   * @param groupIds [T], -1 = main
   * @param branchIds [T], 0 = main
   * @return logits [T, V] row-major
   */
  public float[] forward(int[] ids, int[] positions, int[] groupIds, int[] branchIds) {
    Objects.requireNonNull(ids, "ids");
    int[] all = new int[ids.length];
    for (int i = 0; i < all.length; i++) all[i] = i;
    return forwardRows(ids, positions, groupIds, branchIds, all);
  }

  /**
   * Logits of the tokens in {@code rows} only (the LM head is the largest matrix of a small model).
   *
   * @param rows token indices in [0, T), any order, repeats allowed
   * @return logits [R, V] row-major, row r for token rows[r]
   */
  @Override
  public synchronized float[] forwardRows(int[] ids, int[] positions, int[] groupIds, int[] branchIds, int[] rows) {
    checkOpen();
    float[] out = new float[LogitsModel.logitsSize(config, ids, positions, groupIds, branchIds, rows)];
    forwardNative(handle, ids, positions, groupIds, branchIds, rows, out);
    return out;
  }

  /** Hugging Face names of this model's tensors, in checkpoint order. */
  public synchronized List<String> tensorNames() {
    checkOpen();
    return List.of(tensorNamesNative(handle));
  }

  /** Shape of a tensor; throws for an unknown name. */
  public synchronized long[] tensorShape(String name) {
    Objects.requireNonNull(name, "name");
    checkOpen();
    long[] shape = tensorShapeNative(handle, name);
    if (shape == null) throw new IllegalArgumentException("no tensor named " + name);
    return shape;
  }

  /** The float32 values of a tensor, row-major (a copy). */
  public synchronized float[] tensor(String name) {
    long n = 1;
    for (long d : tensorShape(name)) n *= d;
    if (n > Integer.MAX_VALUE - 8) throw new IllegalArgumentException(name + " has too many elements for an array");
    float[] out = new float[(int) n];
    tensorNative(handle, name, out);
    return out;
  }

  @Override
  public void close() {
    // Calls not yet started refuse from here on, so close() waits for the running call only;
    // the monitor alone is unfair, and a caller that loops could hold close() off for minutes.
    closing = true;
    synchronized (this) {
      if (handle != 0) {
        freeNative(handle);
        handle = 0;
      }
    }
  }

  private void checkOpen() {
    if (closing || handle == 0) throw new IllegalStateException("Model is closed");
  }

  /** The native handle, for other handles of this package that borrow the model (throws once closed). */
  synchronized long nativeHandle() {
    checkOpen();
    return handle;
  }

  private static native long createRandomNative(String modelType, long[] sizes, double[] reals, boolean tie,
      boolean bias, long seed, int threads);

  private static native long loadNative(String dir, int threads);

  private static native void freeNative(long handle);

  private static native String configNative(long handle, long[] sizes, double[] reals, boolean[] flags);

  private static native void forwardNative(long handle, int[] ids, int[] positions, int[] groupIds, int[] branchIds,
      int[] rows, float[] logits);

  private static native String[] tensorNamesNative(long handle);

  private static native long[] tensorShapeNative(long handle, String name);

  private static native void tensorNative(long handle, String name, float[] out);
}
