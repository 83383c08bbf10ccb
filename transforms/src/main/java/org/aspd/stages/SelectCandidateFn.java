package org.aspd.stages;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.List;
import org.apache.beam.sdk.metrics.Counter;
import org.apache.beam.sdk.metrics.Metrics;
import org.apache.beam.sdk.transforms.DoFn;
import org.apache.beam.sdk.values.TupleTag;
import org.aspd.format.AspdText;
import org.aspd.format.Response;
import org.aspd.metrics.SampleMetrics;
import org.aspd.model.DeadLetter;
import org.aspd.model.Sample;
import org.aspd.model.ShardRow;
import org.aspd.model.Turn;
import org.aspd.tokens.AspdTokenizer;
import org.aspd.tokens.ShardLayout;
import org.aspd.tokens.TokenizerCache;

/**
 * Stage 4: picks the eligible candidate with the highest DP, then ABN, then APE, ties to the lowest
 * index (method §3), serializes it, and emits exactly one row per sample. A sample without an
 * eligible candidate keeps its original serial answer; this stage never drops a sample.
 */
public class SelectCandidateFn extends DoFn<SampleState, ShardRow> {
  public static final TupleTag<ShardRow> OUT = new TupleTag<>() {};

  private final StageConfig config;
  private final String teacherName;
  private final String teacherVersion;
  private final Counter parallel = Metrics.counter("SelectCandidate", "parallel");
  private final Counter serial = Metrics.counter("SelectCandidate", "serial");
  private final Counter failed = Metrics.counter("SelectCandidate", "failed");
  private transient AspdTokenizer tokenizer;

  public SelectCandidateFn(StageConfig config, String teacherName, String teacherVersion) {
    this.config = config;
    this.teacherName = teacherName;
    this.teacherVersion = teacherVersion;
  }

  @Setup
  public void setup() {
    tokenizer = TokenizerCache.get(config.tokenizer());
  }

  @ProcessElement
  public void process(@Element SampleState in, MultiOutputReceiver out) {
    try {
      ShardRow row = select(in);
      (row.parallel() ? parallel : serial).inc();
      out.get(OUT).output(row);
    } catch (RuntimeException e) {
      failed.inc();
      DeadLetter dl = DeadLetters.of("SelectCandidate", "internal_error", String.valueOf(e), in.sample());
      out.get(StageFn.FAILURES).output(dl);
    }
  }

  ShardRow select(SampleState in) {
    Sample s = in.sample();
    List<Scored> scored = new ArrayList<>();
    for (CandidateState c : in.candidates()) {
      // Only live parallel candidates compete; rejected ones are summarized without a DP.
      boolean competes = c.alive() && c.response().isParallel();
      scored.add(new Scored(c, competes ? SampleMetrics.of(c.response(), in.answerTokens(), tokenizer) : null));
    }
    Scored best = scored.stream()
        .filter(x -> x.metrics != null)
        .min(Comparator.<Scored>comparingDouble(x -> -x.metrics.dp())
            .thenComparingDouble(x -> -x.metrics.abn())
            .thenComparingDouble(x -> -x.metrics.ape())
            .thenComparingInt(x -> x.candidate.index()))
        .orElse(null);

    String status;
    Response chosen;
    if (in.decided() != null) {
      status = in.decided();
      chosen = Response.serial(s.answer());
    } else if (best == null) {
      status = "serial_fallback:" + fallbackReason(in.candidates());
      chosen = Response.serial(s.answer());
    } else if (in.promptTokens() + best.metrics.responseTokens() > config.maxTokens()) {
      status = "serial_fallback:over_limit_after_serialization";
      chosen = Response.serial(s.answer());
      best = null;
    } else {
      status = "parallel";
      chosen = best.candidate.response();
    }
    List<ShardRow.CandidateSummary> summaries = new ArrayList<>();
    for (Scored x : scored) {
      summaries.add(summarize(x, best != null && x.candidate.index() == best.candidate.index()));
    }
    SampleMetrics metrics = best != null ? best.metrics : SampleMetrics.of(chosen, in.answerTokens(), tokenizer);
    ShardLayout layout = ShardLayout.of(chosen, tokenizer);
    return new ShardRow(s, status, chosen, AspdText.serialize(chosen), layout,
        layout.lossMask(config.maskForcedTargets()), metrics, best == null ? -1 : best.candidate.index(), summaries,
        teacherName, teacherVersion, tokenizer.name(), contentHash(s), in.llmCalls());
  }

  /** The furthest stage any candidate reached decides the reason a sample stayed serial. */
  private static String fallbackReason(List<CandidateState> candidates) {
    if (candidates.isEmpty()) {
      return "no_candidate";
    }
    String[] order = {"answer:", "format:", "independence", "structure:", "annotation:", "rewrite:", "not_parallel"};
    for (String prefix : order) {
      for (CandidateState c : candidates) {
        if (c.rejection() != null && c.rejection().startsWith(prefix)) {
          return c.rejection().contains(":") ? c.rejection().substring(0, c.rejection().indexOf(':'))
              : c.rejection();
        }
      }
    }
    return "no_candidate";
  }

  private static ShardRow.CandidateSummary summarize(Scored x, boolean selected) {
    CandidateState c = x.candidate;
    int passed = (int) c.groupChecks().stream().filter(g -> g.outcome() == org.aspd.teacher.Verdict.Outcome.PASS).count();
    String independence = c.groupChecks().isEmpty() ? "" : c.groupChecks().stream()
        .map(g -> g.outcome().name().toLowerCase() + " " + g.votesFor() + "/" + g.votesCast()
            + (g.reason().isEmpty() ? "" : " (" + g.reason() + ")"))
        .reduce((a, b) -> a + "; " + b).orElse("");
    String fate = selected ? "selected" : c.alive() ? "eligible" : c.rejection();
    return new ShardRow.CandidateSummary(c.index(), fate, x.metrics == null ? 0 : x.metrics.dp(),
        c.groupChecks().isEmpty() ? c.response().groups().size() : c.groupChecks().size(), passed, independence,
        describe(c.format()), describe(c.answer()), integrity(c), c.edits());
  }

  private static String integrity(CandidateState c) {
    if (!c.edits().isEmpty()) return "edited";
    if (c.rejection() == null) return "exact";
    if (c.rejection().startsWith("annotation:")) return "failed";
    if (c.rejection().startsWith("rewrite:")) return "";
    return c.rejection().equals("not_parallel") && c.response().groups().isEmpty() ? "" : "exact";
  }

  private static String describe(CheckResult r) {
    if (r == null) {
      return "";
    }
    return r.outcome().name().toLowerCase() + " " + r.votesFor() + "/" + r.votesCast()
        + (r.reason().isEmpty() ? "" : " (" + r.reason() + ")");
  }

  /** SHA-256 over the fields that define the sample; identical inputs hash identically. */
  public static String contentHash(Sample s) {
    try {
      MessageDigest md = MessageDigest.getInstance("SHA-256");
      for (String part : fields(s)) {
        byte[] bytes = part.getBytes(StandardCharsets.UTF_8);
        md.update(Integer.toString(bytes.length).getBytes(StandardCharsets.UTF_8));
        md.update((byte) ':');
        md.update(bytes);
      }
      return HexFormat.of().formatHex(md.digest());
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  private static List<String> fields(Sample s) {
    List<String> parts = new ArrayList<>(List.of(s.id(), s.system(), s.question(), s.answer()));
    for (Turn t : s.history()) {
      parts.add(t.role());
      parts.add(t.content());
    }
    return parts;
  }

  private record Scored(CandidateState candidate, SampleMetrics metrics) {}
}
