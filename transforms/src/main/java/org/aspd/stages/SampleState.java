package org.aspd.stages;

import java.io.Serializable;
import java.util.List;
import org.aspd.model.Sample;

/**
 * A sample between stages. {@code decided} is set when the prefilter already fixed the outcome
 * ({@code serial_short}, {@code serial_fallback:over_limit}); such samples skip stages 1–3.
 */
public record SampleState(Sample sample, int promptTokens, int answerTokens, String decided,
    List<CandidateState> candidates) implements Serializable {

  public SampleState {
    candidates = candidates == null ? List.of() : List.copyOf(candidates);
  }

  public SampleState withCandidates(List<CandidateState> next) {
    return new SampleState(sample, promptTokens, answerTokens, decided, next);
  }
}
