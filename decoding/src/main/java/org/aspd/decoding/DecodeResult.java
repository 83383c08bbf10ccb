package org.aspd.decoding;

import java.util.Arrays;

/**
 * One run of the {@link Engine}. Token arrays are [T] in packed order (prompt first, then the
 * response with each group's branches in title order), exactly the arrays a shard row holds for
 * the same tokens (positions absolute: prompt length + the row's {@code position_ids}).
 *
 * <p>Counts and times: {@link #forwardPasses()} counts decode forwards after the prefill (in
 * replay = Steps_ASPD of method §4); step times are bucketed by the number of active branches of
 * the forward, 0 = a serial step. Times are wall-clock nanoseconds of the CPU forward (batch 1).
 */
public final class DecodeResult {
  /** Which engine entry point produced the result. */
  public enum Mode { GENERATE, REPLAY, SERIAL }

  private final Mode mode;
  private final int promptLength;
  private final int[] ids;
  private final int[] positions;
  private final int[] groupIds;
  private final int[] branchIds;
  private final int[] forwardIndex;
  private final float[] logits;
  private final int vocabSize;
  private final long[] stats;
  private final long[] stepsByActive;
  private final long[] nsByActive;

  DecodeResult(Mode mode, int vocabSize, long[] stats, int[] ids, int[] positions, int[] groupIds, int[] branchIds,
      int[] forwardIndex, long[] stepsByActive, long[] nsByActive, float[] logits) {
    this.mode = mode;
    this.vocabSize = vocabSize;
    this.stats = stats;
    this.promptLength = (int) stats[Stat.PROMPT_TOKENS];
    this.ids = ids;
    this.positions = positions;
    this.groupIds = groupIds;
    this.branchIds = branchIds;
    this.forwardIndex = forwardIndex;
    this.stepsByActive = stepsByActive;
    this.nsByActive = nsByActive;
    this.logits = logits;
  }

  /** Indices into the stats array filled natively (engine_jni.cpp, enum Stat). */
  static final class Stat {
    static final int TOKENS = 0, PROMPT_TOKENS = 1, FORWARD_PASSES = 2, GROUPS = 3, BRANCHES = 4, BRANCH_TOKENS = 5,
        DROPPED_TITLES = 6, PREFILL_NS = 7, SERIAL_NS = 8, PARALLEL_NS = 9, TOTAL_NS = 10, HISTOGRAM_LENGTH = 11,
        STOP_REASON = 12, LOGITS_KEPT = 13, COUNT = 14;

    private Stat() {}
  }

  public Mode mode() {
    return mode;
  }

  public int promptLength() {
    return promptLength;
  }

  /** Prompt + response ids [T] in packed order. */
  public int[] ids() {
    return ids.clone();
  }

  /** The response ids (generated, or replayed) without the prompt. */
  public int[] responseIds() {
    return Arrays.copyOfRange(ids, promptLength, ids.length);
  }

  /** Position id [T] the engine fed each token at. */
  public int[] positions() {
    return positions.clone();
  }

  /** Group id [T] of each token's cache entry (-1 = main). */
  public int[] groupIds() {
    return groupIds.clone();
  }

  /** Branch id [T] of each token's cache entry (0 = main; running count over the response). */
  public int[] branchIds() {
    return branchIds.clone();
  }

  /**
   * Index of the forward pass that fed each token [T] (0 = the prefill). Token i could attend to
   * token j iff j was cached no later than i (forwardIndex[j] <= forwardIndex[i]) and the tag rule
   * allows it (see {@link TokenTags}).
   */
  public int[] forwardIndex() {
    return forwardIndex.clone();
  }

  /** True when the run kept the logits of every token ({@code keepLogits}). */
  public boolean hasLogits() {
    return logits != null;
  }

  /** Logits [T, V] row-major, row t = output of the forward that fed token t; throws when not kept. */
  public float[] logits() {
    if (logits == null) throw new IllegalStateException("this run did not keep its logits (keepLogits = false)");
    return logits.clone();
  }

  public int vocabSize() {
    return vocabSize;
  }

  /** Response tokens produced (markup included; EOS excluded). */
  public int generatedTokens() {
    return ids.length - promptLength;
  }

  /** Decode forwards after the prefill. Replay: Steps_ASPD = M + sum over groups of the longest branch. */
  public long forwardPasses() {
    return stats[Stat.FORWARD_PASSES];
  }

  public long groups() {
    return stats[Stat.GROUPS];
  }

  public long branches() {
    return stats[Stat.BRANCHES];
  }

  /** Tokens fed in parallel steps (branch markup and headers included). */
  public long branchTokens() {
    return stats[Stat.BRANCH_TOKENS];
  }

  /** Duplicate titles dropped at a switch (§7 step 3); the logit grammar keeps this 0 in generate. */
  public long droppedTitles() {
    return stats[Stat.DROPPED_TITLES];
  }

  public StopReason stopReason() {
    return StopReason.values()[(int) stats[Stat.STOP_REASON]];
  }

  /** Time of the prompt prefill (the first token's forward). */
  public long prefillNs() {
    return stats[Stat.PREFILL_NS];
  }

  /** Sum of serial-step forward times. */
  public long serialNs() {
    return stats[Stat.SERIAL_NS];
  }

  /** Sum of parallel-step forward times. */
  public long parallelNs() {
    return stats[Stat.PARALLEL_NS];
  }

  /** Wall time of the whole run (prefill, forwards, sampling, bookkeeping). */
  public long totalNs() {
    return stats[Stat.TOTAL_NS];
  }

  /** Decode time: the run without its prefill (method §4: TPS excludes the first token's time). */
  public long decodeNs() {
    return totalNs() - prefillNs();
  }

  /** Forwards by active-branch count: index k = forwards with k branch rows (0 = serial steps). */
  public long[] stepsByActiveBranches() {
    return stepsByActive.clone();
  }

  /** Summed forward time by active-branch count (same indexing). */
  public long[] nsByActiveBranches() {
    return nsByActive.clone();
  }

  /** Mean forward time of steps with {@code active} branch rows (0 = serial), NaN when none ran. */
  public double meanStepNs(int active) {
    if (active < 0 || active >= stepsByActive.length || stepsByActive[active] == 0) return Double.NaN;
    return (double) nsByActive[active] / stepsByActive[active];
  }

  /** TPS of method §4: generated tokens (markup included) / decode time. */
  public double tokensPerSecond() {
    return perSecond(generatedTokens(), decodeNs());
  }

  /** P-TPS of method §4: branch tokens / parallel-step time (NaN without groups). */
  public double parallelTokensPerSecond() {
    return branchTokens() == 0 ? Double.NaN : perSecond(branchTokens(), parallelNs());
  }

  /** S-TPS of method §4: (generated - branch tokens) / serial-step time. */
  public double serialTokensPerSecond() {
    return perSecond(generatedTokens() - branchTokens(), serialNs());
  }

  private static double perSecond(long tokens, long ns) {
    return ns <= 0 ? Double.NaN : tokens * 1e9 / ns;
  }
}
