package org.aspd.decoding;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.EnumSet;
import java.util.HashSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;

/**
 * Validates shard rows as aspd writes them (method §3.5): response arrays {@code input_ids},
 * {@code position_ids} (Same-Seq, relative to the response start), {@code group_ids} (-1 = main)
 * and {@code branch_ids} (0 = main, running count over the response).
 *
 * <p>Static checks ({@link ValidationCheck#SHAPE} .. {@link ValidationCheck#POSITIONS}) need only
 * the special ids and the vocabulary; the numerical checks need a {@link LogitsModel} (the CPU
 * {@link Model} or a {@link GpuModel}; any weights: the properties hold for every model). Method
 * §8 sets what "equal logits" means by the model's compute dtype: in fp32, max |Δlogit| within the
 * tolerance (1e-3); in bf16 (the GPU), the same argmax wherever the reference row's top-2 margin is
 * at least {@link #BF16_ARGMAX_MARGIN}, with max and mean |Δ| reported ({@link #equalDeltas()}).
 * "Different logits" is max |Δlogit| above the tolerance in both (bf16 default 0.05):
 *
 * <ul>
 *   <li>{@code branch_alone}: the packed forward (the row's own labels and positions) gives each
 *       branch the logits of a forward of [tokens &le; p] ++ that branch alone, built from the
 *       structure the ids imply; for the first group that reference is a plain causal forward with
 *       default positions;
 *   <li>{@code sees_branches}: removing any one branch of a group changes the logits of the main
 *       tokens right after the group ({@code <|/para|>} and up to {@link Builder#rowsAfterGroup}
 *       more).
 * </ul>
 *
 * <p>A prompt may be prepended as plain main tokens so that positions are absolute. The validator
 * borrows the model (the caller closes it) and owns a {@link SampleLayouter}.
 */
public final class ShardValidator implements AutoCloseable {
  /** bf16 equality (method §8): equal argmax wherever the reference's top-2 margin is at least this. */
  public static final double BF16_ARGMAX_MARGIN = 0.5;

  /** Logit floats per forward call (64 MB); longer row lists are split into several calls. */
  private static final long LOGIT_BUDGET = 16L << 20;

  private final SpecialTokenIds special;
  private final int vocabSize;
  private final LogitsModel model;
  private final int[] prompt;
  private final Set<Integer> reserved;
  private final double tolerance;
  private final int context;
  private final int rowsAfterGroup;
  private final EnumSet<ValidationCheck> checks;
  private final SampleLayouter layouter;
  private final boolean argmaxRule;
  private double deltaMax;
  private double deltaSum;
  private long deltaRows;

  private ShardValidator(Builder b) {
    this.special = b.special;
    this.vocabSize = b.vocabSize;
    this.model = b.model;
    this.prompt = b.prompt.clone();
    this.reserved = new HashSet<>();
    for (int id : b.reservedIds) reserved.add(id);
    this.tolerance = b.tolerance > 0 ? b.tolerance : defaultTolerance(b.model);
    this.context = b.model != null ? b.model.config().maxPositions() : b.maxLength;
    this.rowsAfterGroup = b.rowsAfterGroup;
    this.checks = b.checks.clone();
    if (model == null) checks.removeIf(ValidationCheck::numerical);
    this.argmaxRule = model != null && !model.computeDType().equals("fp32");
    this.layouter = new SampleLayouter(special, vocabSize, b.headerSeparator);
  }

  /** Tolerance of the model's compute dtype (method §8: fp32 1e-3). */
  static double defaultTolerance(LogitsModel model) {
    return model == null || model.computeDType().equals("fp32") ? 1e-3 : 0.05;
  }

  public static Builder builder(SpecialTokenIds special, int vocabSize) {
    return new Builder(special, vocabSize);
  }

  public double tolerance() {
    return tolerance;
  }

  public Set<ValidationCheck> checks() {
    return EnumSet.copyOf(checks);
  }

  /** Whether equal logits are judged by the bf16 argmax rule (a model that does not compute in fp32). */
  public boolean usesArgmaxRule() {
    return argmaxRule;
  }

  /**
   * {max |Δlogit|, mean over rows of the row's max |Δlogit|, rows} of the equality comparisons so
   * far (branch_alone), for reports: with the bf16 argmax rule these are what method §8 asks to see.
   */
  public double[] equalDeltas() {
    return new double[] {deltaMax, deltaRows == 0 ? 0 : deltaSum / deltaRows, deltaRows};
  }

  /** Runs the configured checks in order and returns the first failure, or pass. */
  public ValidationResult validate(int[] inputIds, int[] positionIds, int[] groupIds, int[] branchIds) {
    if (inputIds == null || positionIds == null || groupIds == null || branchIds == null) {
      return ValidationResult.fail(ValidationCheck.SHAPE, -1, "an array is missing");
    }
    int t = inputIds.length;
    if (t == 0 || positionIds.length != t || groupIds.length != t || branchIds.length != t) {
      return ValidationResult.fail(ValidationCheck.SHAPE, -1, "arrays must be non-empty and of equal length: input_ids "
          + t + ", position_ids " + positionIds.length + ", group_ids " + groupIds.length + ", branch_ids "
          + branchIds.length);
    }
    for (int i = 0; i < t; i++) {
      if (inputIds[i] < 0 || inputIds[i] >= vocabSize) {
        return ValidationResult.fail(ValidationCheck.TOKEN_RANGE, i, "token " + i + ": id " + inputIds[i]
            + " outside [0, " + vocabSize + ")");
      }
    }
    if (checks.contains(ValidationCheck.LENGTH) && prompt.length + (long) t > context) {
      int first = Math.max(0, context - prompt.length);
      return ValidationResult.fail(ValidationCheck.LENGTH, first, "token " + first + ": prompt (" + prompt.length
          + ") + response (" + t + ") tokens exceed the context of " + context);
    }
    if (checks.contains(ValidationCheck.CONTROL_ID)) {
      for (int i = 0; i < t; i++) {
        if (reserved.contains(inputIds[i])) {
          return ValidationResult.fail(ValidationCheck.CONTROL_ID, i, "token " + i + ": reserved control id "
              + inputIds[i] + " inside the response text");
        }
      }
    }
    SampleLayout layout;
    try {
      layout = layouter.layout(inputIds);
    } catch (MalformedSampleException e) {
      ValidationCheck check = e.rule() == GrammarRule.NESTED_MARKER && checks.contains(ValidationCheck.CONTROL_ID)
          ? ValidationCheck.CONTROL_ID : ValidationCheck.MARKUP;
      return ValidationResult.fail(check, e.tokenIndex(), e.getMessage());
    }
    ValidationResult r = compareLabels(layout, positionIds, groupIds, branchIds);
    if (!r.passed()) return r;
    if (!checks.contains(ValidationCheck.BRANCH_ALONE) && !checks.contains(ValidationCheck.SEES_BRANCHES)) return r;
    try {
      new TokenTags(positionIds, groupIds, branchIds);
    } catch (IllegalArgumentException e) {
      return ValidationResult.fail(ValidationCheck.LABELS, -1, "labels cannot drive a forward: " + e.getMessage());
    }
    for (int i = 0; i < t; i++) {
      if (positionIds[i] < 0 || prompt.length + (long) positionIds[i] >= context) {
        return ValidationResult.fail(ValidationCheck.POSITIONS, i, "token " + i + ": position " + positionIds[i]
            + " outside the model's context");
      }
    }
    return new Numerics(inputIds, positionIds, groupIds, branchIds, layout).run();
  }

  private ValidationResult compareLabels(SampleLayout layout, int[] positionIds, int[] groupIds, int[] branchIds) {
    if (checks.contains(ValidationCheck.LABELS)) {
      int[] g = layout.groupId();
      int[] b = layout.branchId();
      for (int i = 0; i < g.length; i++) {
        if (g[i] != groupIds[i] || b[i] != branchIds[i]) {
          return ValidationResult.fail(ValidationCheck.LABELS, i, "token " + i + ": row has (group " + groupIds[i]
              + ", branch " + branchIds[i] + "), the ids imply (group " + g[i] + ", branch " + b[i] + ")");
        }
      }
    }
    if (checks.contains(ValidationCheck.POSITIONS)) {
      int[] p = layout.positions(PositionMode.SAME_SEQ);
      for (int i = 0; i < p.length; i++) {
        if (p[i] != positionIds[i]) {
          return ValidationResult.fail(ValidationCheck.POSITIONS, i, "token " + i + ": row has position "
              + positionIds[i] + ", Same-Seq implies " + p[i]);
        }
      }
    }
    return ValidationResult.pass();
  }

  @Override
  public void close() {
    layouter.close();
  }

  /** One group as the ids imply it: response indices of {@code <|para|>}, {@code <|/para|>}, branches. */
  private record Group(int index, int para, int paraEnd, List<int[]> branches) {}

  /** The numerical checks of one row; response index i is absolute index P + i. */
  private final class Numerics {
    private final int p = prompt.length;
    private final int[] ids, pos, gid, bid; // the row's arrays with the prompt prepended
    private final int[] wantPos, wantG, wantB; // the structure the ids imply, prompt prepended
    private final List<Group> groups;
    private final int vocab = model.config().vocabSize();

    Numerics(int[] inputIds, int[] positionIds, int[] groupIds, int[] branchIds, SampleLayout layout) {
      ids = withPrompt(inputIds, prompt);
      pos = withPrompt(shift(positionIds, p), range(0, p));
      gid = withPrompt(groupIds, fill(p, -1));
      bid = withPrompt(branchIds, new int[p]);
      wantPos = withPrompt(shift(layout.positions(PositionMode.SAME_SEQ), p), range(0, p));
      wantG = withPrompt(layout.groupId(), fill(p, -1));
      wantB = withPrompt(layout.branchId(), new int[p]);
      groups = groupsOf(layout.groupId(), layout.branchId());
    }

    ValidationResult run() {
      if (checks.contains(ValidationCheck.BRANCH_ALONE)) {
        for (Group g : groups) {
          for (int[] br : g.branches()) {
            ValidationResult r = branchAlone(g, br);
            if (!r.passed()) return r;
          }
        }
      }
      if (checks.contains(ValidationCheck.SEES_BRANCHES)) {
        for (Group g : groups) {
          for (int[] br : g.branches()) {
            ValidationResult r = seesBranch(g, br);
            if (!r.passed()) return r;
          }
        }
      }
      return ValidationResult.pass();
    }

    /** Packed rows of branch br vs [tokens <= p] ++ br alone (first group: plain causal, default positions). */
    private ValidationResult branchAlone(Group g, int[] br) {
      int prefix = p + g.para() + 1;
      int n = prefix + br[1];
      int[] aIds = new int[n], aPos = new int[n], aG = new int[n], aB = new int[n];
      for (int i = 0; i < prefix; i++) {
        aIds[i] = ids[i];
        aPos[i] = g.index() == 0 ? i : wantPos[i];
        aG[i] = g.index() == 0 ? -1 : wantG[i];
        aB[i] = g.index() == 0 ? 0 : wantB[i];
      }
      int paraPos = g.index() == 0 ? prefix - 1 : wantPos[prefix - 1];
      for (int j = 0; j < br[1]; j++) {
        aIds[prefix + j] = ids[p + br[0] + j];
        aPos[prefix + j] = paraPos + 1 + j;
        aG[prefix + j] = g.index() == 0 ? -1 : wantG[p + br[0] + j];
        aB[prefix + j] = g.index() == 0 ? 0 : wantB[p + br[0] + j];
      }
      int[] packedRows = range(p + br[0], br[1]);
      int[] aloneRows = range(prefix, br[1]);
      int worst = firstOutside(ids, pos, gid, bid, packedRows, aIds, aPos, aG, aB, aloneRows, true);
      if (worst < 0) return ValidationResult.pass();
      int token = br[0] + worst;
      String by = argmaxRule
          ? ": the packed forward picks another top token than prefix + branch alone where that leads by >= "
              + BF16_ARGMAX_MARGIN + " (bf16 rule)"
          : ": logits in the packed forward differ from prefix + branch alone by more than " + tolerance;
      return ValidationResult.fail(ValidationCheck.BRANCH_ALONE, token, "token " + token + by + " (group " + g.index()
          + ", branch at token " + br[0] + ")"
          + (g.index() == 0 ? " (reference: plain causal forward, default positions)" : ""));
    }

    /** Main rows right after the group must change when branch br is removed. */
    private ValidationResult seesBranch(Group g, int[] br) {
      List<Integer> after = new ArrayList<>();
      for (int i = p + g.paraEnd(); i < ids.length && after.size() <= rowsAfterGroup && wantG[i] < 0; i++) after.add(i);
      int removeFrom = p + br[0], removeTo = p + br[0] + br[1];
      int n = ids.length - br[1];
      int[] rIds = new int[n], rPos = new int[n], rG = new int[n], rB = new int[n];
      for (int i = 0, k = 0; i < ids.length; i++) {
        if (i >= removeFrom && i < removeTo) continue;
        rIds[k] = ids[i];
        rPos[k] = pos[i];
        rG[k] = gid[i];
        rB[k] = bid[i];
        k++;
      }
      int[] packedRows = after.stream().mapToInt(Integer::intValue).toArray();
      int[] removedRows = after.stream().mapToInt(i -> i - br[1]).toArray();
      int same = firstOutside(ids, pos, gid, bid, packedRows, rIds, rPos, rG, rB, removedRows, false);
      if (same < 0) return ValidationResult.pass();
      int token = packedRows[same] - p;
      return ValidationResult.fail(ValidationCheck.SEES_BRANCHES, token, "token " + token + ": a main token after "
          + "group " + g.index() + " does not see the branch at token " + br[0] + " (removing it leaves its logits "
          + "within " + tolerance + ")");
    }

    /**
     * Compares logits rows aRows of sequence A with bRows of sequence B. wantEqual: index of the
     * first row pair further apart than the tolerance; else: the first pair not further apart.
     * -1 when every pair is as wanted. Rows go through the model in chunks within LOGIT_BUDGET.
     */
    private int firstOutside(int[] aIds, int[] aPos, int[] aG, int[] aB, int[] aRows, int[] bIds, int[] bPos, int[] bG,
        int[] bB, int[] bRows, boolean wantEqual) {
      int chunk = (int) Math.max(1, Math.min(aRows.length, LOGIT_BUDGET / vocab));
      for (int from = 0; from < aRows.length; from += chunk) {
        int to = Math.min(aRows.length, from + chunk);
        float[] a = model.forwardRows(aIds, aPos, aG, aB, Arrays.copyOfRange(aRows, from, to));
        float[] b = model.forwardRows(bIds, bPos, bG, bB, Arrays.copyOfRange(bRows, from, to));
        for (int r = 0; r < to - from; r++) {
          double d = 0;
          for (int v = 0; v < vocab; v++) d = Math.max(d, Math.abs((double) a[r * vocab + v] - b[r * vocab + v]));
          boolean close;
          if (wantEqual) {
            deltaMax = Math.max(deltaMax, d);
            deltaSum += d;
            deltaRows++;
            close = argmaxRule ? sameArgmaxWhereClear(a, b, r * vocab, vocab) : d <= tolerance; // NaN never close
          } else {
            close = !(d > tolerance);
          }
          if (close != wantEqual) return from + r;
        }
      }
      return -1;
    }
  }

  /**
   * The bf16 rule: where the reference row b leads by at least the margin, a picks the same token
   * (a NaN anywhere fails).
   */
  static boolean sameArgmaxWhereClear(float[] a, float[] b, int off, int vocab) {
    int bestA = off, bestB = off;
    float second = Float.NEGATIVE_INFINITY;
    for (int v = off; v < off + vocab; v++) {
      if (Float.isNaN(a[v]) || Float.isNaN(b[v])) return false;
      if (a[v] > a[bestA]) bestA = v;
      if (b[v] > b[bestB]) {
        second = b[bestB];
        bestB = v;
      } else if (v != bestB && b[v] > second) {
        second = b[v];
      }
    }
    return (double) b[bestB] - second < BF16_ARGMAX_MARGIN || bestA == bestB;
  }

  /** Groups and branch spans (response indices) from recomputed labels. */
  private static List<Group> groupsOf(int[] g, int[] b) {
    List<Group> out = new ArrayList<>();
    int i = 0;
    while (i < g.length) {
      if (g[i] < 0) {
        i++;
        continue;
      }
      int group = g[i];
      int para = i - 1;
      List<int[]> branches = new ArrayList<>();
      while (i < g.length && g[i] == group) {
        int start = i;
        while (i < g.length && g[i] == group && b[i] == b[start]) i++;
        branches.add(new int[] {start, i - start});
      }
      out.add(new Group(group, para, i, branches));
    }
    return out;
  }

  /** prefix ++ row. */
  private static int[] withPrompt(int[] row, int[] prefix) {
    int[] out = Arrays.copyOf(prefix, prefix.length + row.length);
    System.arraycopy(row, 0, out, prefix.length, row.length);
    return out;
  }

  private static int[] shift(int[] x, int by) {
    int[] out = new int[x.length];
    for (int i = 0; i < x.length; i++) out[i] = x[i] + by;
    return out;
  }

  private static int[] fill(int n, int value) {
    int[] out = new int[n];
    Arrays.fill(out, value);
    return out;
  }

  private static int[] range(int start, int n) {
    int[] out = new int[n];
    for (int i = 0; i < n; i++) out[i] = start + i;
    return out;
  }

  /** Configuration of a {@link ShardValidator}; defaults: no prompt, every check, tolerance by dtype. */
  public static final class Builder {
    private final SpecialTokenIds special;
    private final int vocabSize;
    private LogitsModel model;
    private int[] prompt = new int[0];
    private int[] reservedIds = new int[0];
    private int[] headerSeparator = new int[0];
    private double tolerance;
    private int maxLength = Integer.MAX_VALUE;
    private int rowsAfterGroup = 3;
    private EnumSet<ValidationCheck> checks = EnumSet.allOf(ValidationCheck.class);

    private Builder(SpecialTokenIds special, int vocabSize) {
      if (special == null) throw new IllegalArgumentException("special ids are required");
      if (vocabSize <= 0) throw new IllegalArgumentException("vocab size must be positive: " + vocabSize);
      special.checkVocab(vocabSize);
      this.special = special;
      this.vocabSize = vocabSize;
    }

    /**
     * Enables the numerical checks on a CPU {@link Model} or a {@link GpuModel}; the model's
     * vocabulary must cover the tokenizer's.
     */
    public Builder model(LogitsModel model) {
      if (model != null && model.config().vocabSize() < vocabSize) {
        throw new IllegalArgumentException("model vocab " + model.config().vocabSize() + " < tokenizer vocab " + vocabSize);
      }
      this.model = model;
      return this;
    }

    /** Plain main tokens before every response (no control ids); positions become absolute. */
    public Builder prompt(int... ids) {
      Objects.requireNonNull(ids, "prompt ids");
      Set<Integer> controls = Set.of(special.branch(), special.branchEnd(), special.title(), special.titleEnd(),
          special.para(), special.paraEnd());
      for (int id : ids) {
        if (id < 0 || id >= vocabSize || controls.contains(id)) {
          throw new IllegalArgumentException("prompt id " + id + " is out of range or a control id");
        }
      }
      this.prompt = ids.clone();
      return this;
    }

    /** Other control ids that must never occur in a response (chat template: end-of-turn, ...). */
    public Builder reservedIds(int... ids) {
      Objects.requireNonNull(ids, "reserved ids");
      this.reservedIds = ids.clone();
      return this;
    }

    /**
     * The tokenizer's ids of {@code ": "}: every branch header must follow its title with them
     * (method §1; the engine forces them, §7). Unset, headers are checked up to the title only.
     */
    public Builder headerSeparator(int... ids) {
      Objects.requireNonNull(ids, "header separator ids");
      this.headerSeparator = ids.clone();
      return this;
    }

    /** Max |Δlogit|; 0 = by the model's compute dtype. */
    public Builder tolerance(double tolerance) {
      if (!(tolerance >= 0) || Double.isInfinite(tolerance)) throw new IllegalArgumentException("bad tolerance " + tolerance);
      this.tolerance = tolerance;
      return this;
    }

    /** Context length used without a model (with one: its max_position_embeddings). */
    public Builder maxLength(int maxLength) {
      if (maxLength <= 0) throw new IllegalArgumentException("maxLength must be positive");
      this.maxLength = maxLength;
      return this;
    }

    /** Main rows after {@code <|/para|>} that sees_branches also inspects. */
    public Builder rowsAfterGroup(int rows) {
      if (rows < 0) throw new IllegalArgumentException("rows must be >= 0");
      this.rowsAfterGroup = rows;
      return this;
    }

    /** The checks to run (default: all; numerical ones only with a model). */
    public Builder checks(Set<ValidationCheck> checks) {
      Objects.requireNonNull(checks, "checks");
      this.checks = checks.isEmpty() ? EnumSet.noneOf(ValidationCheck.class) : EnumSet.copyOf(checks);
      return this;
    }

    public ShardValidator build() {
      return new ShardValidator(this);
    }
  }
}
