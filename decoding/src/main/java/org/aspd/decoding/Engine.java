package org.aspd.decoding;

import java.util.Objects;
import java.util.function.LongSupplier;

/**
 * The hybrid serial/parallel decoding engine of method §7 (batch 1) on a {@link Model} (CPU,
 * float32) or a {@link GpuModel} (CUDA, bf16); native code: {@code engine/engine.*}.
 *
 * <ul>
 *   <li>{@link #generate}: free decoding from prompt ids; the logit grammar makes every output
 *       parse under the §1 grammar;
 *   <li>{@link #replay}: teacher-forced decoding of a response (a shard row) the way a trained model
 *       would produce it: serial tokens one per forward, each group's branches step-parallel (one
 *       forward per step, one row per active branch); the row must be producible by the engine
 *       (allowed by the logit grammar, headers = the forced prefixes);
 *   <li>{@link #serial}: the same tokens one per forward, plain causal: the autoregressive cost.
 * </ul>
 *
 * <p>The engine borrows the model (the caller closes it, after the engine). Inputs are validated
 * here; a response the engine cannot run is an {@link IllegalArgumentException}
 * ({@link MalformedSampleException} when it breaks §1), a native failure a
 * {@link NativeFailureException}. Every method throws {@link IllegalStateException} once the engine
 * or its model is closed.
 */
public final class Engine implements AutoCloseable {
  static {
    NativeLibrary.load(NativeLibrary.CPU);
  }

  /**
   * The borrowed model: its config, its handle check (throws once the model is closed) and the
   * monitor its close() takes, held for a whole run so the model cannot be freed mid-run and runs
   * on one model (which own one KV cache on the GPU) never overlap.
   */
  private record Borrowed(ModelConfig config, LongSupplier liveHandle, Object lock) {}

  private interface NativeCreate {
    long create(int[] special, int[] eos, int[] headerSep, int[] limits, boolean branchGreedy);
  }

  private final Borrowed model;
  private final EngineOptions options;
  private final SampleLayouter layouter;
  private long handle;
  private volatile boolean closing;

  /** The engine on the CPU model (float32). */
  public Engine(Model model, EngineOptions options) {
    this(new Borrowed(Objects.requireNonNull(model, "model").config(), model::nativeHandle, model), options,
        (special, eos, sep, limits, greedy) -> {
          synchronized (model) { // close() waits until the native engine holds the model
            return createNative(model.nativeHandle(), special, eos, sep, limits, greedy);
          }
        });
  }

  /** The same engine on the GPU model: forwards, sampling and the KV cache on the device. */
  public Engine(GpuModel model, EngineOptions options) {
    this(new Borrowed(Objects.requireNonNull(model, "model").config(), model::nativeHandle, model), options,
        model::createEngine);
  }

  private Engine(Borrowed model, EngineOptions options, NativeCreate create) {
    int vocab = model.config().vocabSize();
    Objects.requireNonNull(options, "options").checkVocab(vocab);
    if (statCountNative() != DecodeResult.Stat.COUNT) {
      throw new IllegalStateException("native library and Java classes disagree on the engine stats layout");
    }
    this.model = model;
    this.options = options;
    SpecialTokenIds s = options.special();
    this.layouter = new SampleLayouter(s, vocab);
    try {
      this.handle = create.create(s.toArray(), options.eosIds(), options.headerSeparatorIds(),
          new int[] {options.titleMaxTokens(), options.groupMaxBranches(), options.groupMaxSteps()},
          options.branchSampling() == BranchSampling.GREEDY);
    } catch (RuntimeException e) {
      layouter.close();
      throw e;
    }
  }

  public EngineOptions options() {
    return options;
  }

  /**
   * Free decoding.
   *
   * @param prompt prompt ids (>= 1 token, chat template applied by the caller)
   * @param maxNewTokens token budget (markup included), checked between serial tokens: a title list
   *     or a group in progress is completed, so the output may exceed it by one group
   */
  public synchronized DecodeResult generate(int[] prompt, Sampling sampling, int maxNewTokens) {
    synchronized (model.lock()) {
      long h = checkOpen();
      checkIds("prompt", prompt, false);
      if (sampling == null) throw new IllegalArgumentException("sampling must not be null");
      if (maxNewTokens < 1) throw new IllegalArgumentException("maxNewTokens must be >= 1: " + maxNewTokens);
      return result(DecodeResult.Mode.GENERATE, generateNative(h, prompt, sampling.temperature(), sampling.topK(),
          sampling.topP(), sampling.seed(), maxNewTokens), false);
    }
  }

  /** Replay without keeping logits (for timing). */
  public DecodeResult replay(int[] prompt, int[] response) {
    return replay(prompt, response, false);
  }

  /**
   * Teacher-forced hybrid decoding of {@code response} (a shard row's {@code input_ids}).
   *
   * @param keepLogits keep logits [T, V] of every token (prompt rows included) for checks
   * @throws MalformedSampleException when the response breaks the §1 grammar
   * @throws IllegalArgumentException when the engine could not produce it (the message names the
   *     token and the rule: a title over titleMaxTokens, a header without the separator, ...)
   */
  public synchronized DecodeResult replay(int[] prompt, int[] response, boolean keepLogits) {
    synchronized (model.lock()) {
      long h = checkOpen();
      checkIds("prompt", prompt, false);
      checkIds("response", response, false);
      checkLength(prompt, response, keepLogits);
      layouter.layout(response);
      return result(DecodeResult.Mode.REPLAY, replayNative(h, prompt, response, keepLogits), keepLogits);
    }
  }

  /** Plain autoregressive decoding of the same tokens, without logits. */
  public DecodeResult serial(int[] prompt, int[] response) {
    return serial(prompt, response, false);
  }

  /** Plain autoregressive decoding: every token one forward, position = index, no labels. */
  public synchronized DecodeResult serial(int[] prompt, int[] response, boolean keepLogits) {
    synchronized (model.lock()) {
      long h = checkOpen();
      checkIds("prompt", prompt, false);
      checkIds("response", response, true);
      checkLength(prompt, response, keepLogits);
      return result(DecodeResult.Mode.SERIAL, serialNative(h, prompt, response, keepLogits), keepLogits);
    }
  }

  @Override
  public void close() {
    // Refuse calls not yet started first (Model.close() says why).
    closing = true;
    synchronized (this) {
      if (handle != 0) {
        freeNative(handle);
        handle = 0;
        layouter.close();
      }
    }
  }

  private long checkOpen() {
    if (closing || handle == 0) throw new IllegalStateException("Engine is closed");
    model.liveHandle().getAsLong(); // throws once the borrowed model is closed
    return handle;
  }

  private void checkIds(String what, int[] ids, boolean emptyAllowed) {
    if (ids == null) throw new IllegalArgumentException(what + " must not be null");
    if (ids.length == 0 && !emptyAllowed) throw new IllegalArgumentException(what + " must not be empty");
    int vocab = model.config().vocabSize();
    for (int i = 0; i < ids.length; i++) {
      if (ids[i] < 0 || ids[i] >= vocab) {
        throw new IllegalArgumentException(what + " token " + i + ": id " + ids[i] + " outside [0, " + vocab + ")");
      }
    }
  }

  private void checkLength(int[] prompt, int[] response, boolean keepLogits) {
    long t = (long) prompt.length + response.length;
    if (t > model.config().maxPositions()) {
      throw new IllegalArgumentException("prompt (" + prompt.length + ") + response (" + response.length
          + ") tokens exceed the model's context of " + model.config().maxPositions());
    }
    if (keepLogits && t * model.config().vocabSize() > Integer.MAX_VALUE - 8) {
      throw new IllegalArgumentException(t + " tokens x vocab " + model.config().vocabSize()
          + " logits do not fit one Java array; replay without keepLogits");
    }
  }

  /** Copies a native run out and frees it. */
  private DecodeResult result(DecodeResult.Mode mode, long run, boolean keepLogits) {
    try {
      long[] stats = new long[DecodeResult.Stat.COUNT];
      runStatsNative(run, stats);
      int t = (int) stats[DecodeResult.Stat.TOKENS];
      int h = (int) stats[DecodeResult.Stat.HISTOGRAM_LENGTH];
      int vocab = model.config().vocabSize();
      int[] ids = new int[t], pos = new int[t], group = new int[t], branch = new int[t], forward = new int[t];
      long[] steps = new long[h], ns = new long[h];
      float[] logits = keepLogits ? new float[t * vocab] : null;
      runArraysNative(run, ids, pos, group, branch, forward, steps, ns, logits);
      return new DecodeResult(mode, vocab, stats, ids, pos, group, branch, forward, steps, ns, logits);
    } finally {
      freeRunNative(run);
    }
  }

  private static native int statCountNative();

  private static native long createNative(long model, int[] special, int[] eos, int[] headerSep, int[] limits,
      boolean branchGreedy);

  private static native void freeNative(long handle);

  private static native long replayNative(long handle, int[] prompt, int[] response, boolean keepLogits);

  private static native long serialNative(long handle, int[] prompt, int[] response, boolean keepLogits);

  private static native long generateNative(long handle, int[] prompt, float temperature, int topK, float topP,
      long seed, long maxNewTokens);

  private static native void runStatsNative(long run, long[] stats);

  private static native void runArraysNative(long run, int[] ids, int[] positions, int[] groupIds, int[] branchIds,
      int[] forwardIndex, long[] stepsByActive, long[] nsByActive, float[] logits);

  private static native void freeRunNative(long run);
}
