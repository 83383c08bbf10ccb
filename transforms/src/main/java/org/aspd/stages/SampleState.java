package org.aspd.stages;

import java.io.Serializable;
import java.util.List;
import org.aspd.model.LlmCall;
import org.aspd.model.Sample;

/**
 * A sample between stages. {@code decided} is set when the prefilter already fixed the outcome
 * ({@code serial_short}, {@code serial_fallback:over_limit}); such samples skip stages 1–3.
 * {@code llmCalls} lists the teacher's LLM calls so far, stage after stage (method §3.5).
 */
public record SampleState(Sample sample, int promptTokens, int answerTokens, String decided,
    List<CandidateState> candidates, List<LlmCall> llmCalls) implements Serializable {

  public SampleState {
    candidates = candidates == null ? List.of() : List.copyOf(candidates);
    llmCalls = llmCalls == null ? List.of() : List.copyOf(llmCalls);
  }

  /** A sample entering the stages: no candidate and no call yet. */
  public SampleState(Sample sample, int promptTokens, int answerTokens, String decided) {
    this(sample, promptTokens, answerTokens, decided, List.of(), List.of());
  }

  public SampleState withCandidates(List<CandidateState> next) {
    return new SampleState(sample, promptTokens, answerTokens, decided, next, llmCalls);
  }

  /** The same state with {@code more} calls appended after those already made. */
  public SampleState withCallsAppended(List<LlmCall> more) {
    if (more.isEmpty()) {
      return this;
    }
    List<LlmCall> all = new java.util.ArrayList<>(llmCalls);
    all.addAll(more);
    return new SampleState(sample, promptTokens, answerTokens, decided, candidates, all);
  }
}
