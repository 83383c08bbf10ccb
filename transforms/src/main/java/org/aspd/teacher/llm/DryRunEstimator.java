package org.aspd.teacher.llm;

import java.io.PrintStream;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.aspd.format.Branch;
import org.aspd.format.TagEscaper;
import org.aspd.model.Sample;
import org.aspd.teacher.llm.config.LlmStage;
import org.aspd.teacher.llm.config.LlmTeacherConfig;
import org.aspd.teacher.llm.config.ModelSettings;
import org.aspd.teacher.llm.prompt.PromptTemplate;
import org.aspd.teacher.llm.prompt.Prompts;
import org.aspd.tokens.AspdTokenizer;
import org.aspd.tokens.TokenizerCache;

/**
 * What a run would spend, without calling anything: the real prompts are rendered for every sample
 * and counted with {@code o200k_base}. What the models would answer is unknown, so outputs and the
 * number of groups are assumptions (stated in {@link Assumptions}); re-asks and retries are not counted.
 */
public final class DryRunEstimator {
  /**
   * @param candidates rewrite candidates per sample
   * @param independenceVotes votes per group
   * @param formatVotes votes per candidate
   * @param answerVotes votes per candidate
   * @param groupsPerCandidate expected groups per candidate that reach stage 2
   * @param minParallelTokens answers shorter than this stay serial and cost nothing
   * @param judgeOutputTokens expected tokens of one verdict
   * @param rewriteOutputFactor expected rewrite length relative to the answer (tags add a little)
   */
  public record Assumptions(int candidates, int independenceVotes, int formatVotes, int answerVotes,
      double groupsPerCandidate, int minParallelTokens, int judgeOutputTokens, double rewriteOutputFactor) {
    /** The method's defaults (§3) and a guess of one group per candidate. */
    public static Assumptions defaults() {
      return new Assumptions(3, 3, 3, 3, 1.0, 128, 60, 1.15);
    }
  }

  /** Calls, tokens and cost of one stage. */
  public record StageEstimate(LlmStage stage, String model, long calls, long inputTokens, long outputTokens,
      double costUsd) {}

  private final LlmTeacherConfig config;
  private final Assumptions a;
  private final Prompts prompts = Prompts.load();
  private final AspdTokenizer tokens = TokenizerCache.get("o200k_base");

  public DryRunEstimator(LlmTeacherConfig config, Assumptions assumptions) {
    this.config = config;
    this.a = assumptions;
  }

  public List<StageEstimate> estimate(Iterable<Sample> samples) {
    Map<LlmStage, long[]> totals = new EnumMap<>(LlmStage.class); // calls, in, out
    for (LlmStage s : LlmStage.values()) {
      totals.put(s, new long[3]);
    }
    for (Sample sample : samples) {
      int answer = tokens.countText(sample.answer());
      if (answer < a.minParallelTokens()) {
        continue;
      }
      int rewrites = greedy(LlmStage.REWRITE) ? 1 : a.candidates();
      add(totals, LlmStage.REWRITE, rewrites, prompts.rewrite(),
          Map.of("answer", TagEscaper.escape(sample.answer())), Math.round(answer * a.rewriteOutputFactor()));
      double groups = a.candidates() * a.groupsPerCandidate();
      String conversation = Conversations.render(sample);
      add(totals, LlmStage.INDEPENDENCE, Math.round(groups * votes(LlmStage.INDEPENDENCE, a.independenceVotes())),
          prompts.independence(), Map.of("conversation", conversation, "precondition", "",
              "branches", Conversations.branches(List.of(new Branch("title", sample.answer())))),
          a.judgeOutputTokens());
      add(totals, LlmStage.FORMAT, a.candidates() * votes(LlmStage.FORMAT, a.formatVotes()), prompts.format(),
          Map.of("original", sample.answer(), "rewritten", sample.answer()), a.judgeOutputTokens());
      add(totals, LlmStage.ANSWER, a.candidates() * votes(LlmStage.ANSWER, a.answerVotes()), prompts.answer(),
          Map.of("conversation", conversation, "original", sample.answer(), "rewritten", sample.answer()),
          a.judgeOutputTokens());
    }
    List<StageEstimate> out = new ArrayList<>();
    totals.forEach((stage, t) -> {
      ModelSettings m = config.stage(stage);
      out.add(new StageEstimate(stage, m.label(), t[0], t[1], t[2], m.costUsd(t[1], t[2])));
    });
    return out;
  }

  public static void print(List<StageEstimate> estimates, PrintStream out) {
    out.println(String.format(Locale.ROOT, "%-13s %-32s %10s %14s %14s %12s",
        "stage", "model", "calls", "tokens in", "tokens out", "cost USD"));
    long calls = 0;
    long in = 0;
    long outTokens = 0;
    double cost = 0;
    for (StageEstimate e : estimates) {
      out.println(String.format(Locale.ROOT, "%-13s %-32s %10d %14d %14d %12.4f",
          e.stage().id(), e.model(), e.calls(), e.inputTokens(), e.outputTokens(), e.costUsd()));
      calls += e.calls();
      in += e.inputTokens();
      outTokens += e.outputTokens();
      cost += e.costUsd();
    }
    out.println(String.format(Locale.ROOT, "%-13s %-32s %10d %14d %14d %12.4f",
        "total", "", calls, in, outTokens, cost));
  }

  private void add(Map<LlmStage, long[]> totals, LlmStage stage, long calls, PromptTemplate prompt,
      Map<String, String> values, long outputPerCall) {
    long input = tokens.countText(prompt.system()) + tokens.countText(prompt.user(values));
    long[] t = totals.get(stage);
    t[0] += calls;
    t[1] += calls * input;
    t[2] += calls * outputPerCall;
  }

  /** A greedy judge is asked once per check (the stages' rule for deterministic teachers). */
  private int votes(LlmStage stage, int votes) {
    boolean allGreedy = greedy(LlmStage.INDEPENDENCE) && greedy(LlmStage.FORMAT) && greedy(LlmStage.ANSWER);
    return allGreedy ? 1 : votes;
  }

  private boolean greedy(LlmStage stage) {
    Double t = config.stage(stage).temperature();
    return t != null && t == 0.0;
  }
}
