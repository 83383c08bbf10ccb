package org.aspd.stages;

import java.io.Serializable;

/**
 * Immutable configuration of the four stages; defaults are the method doc's (§3).
 *
 * @param candidates rewrite.candidates: rewrites asked of the teacher per sample
 * @param independenceVotes indep.votes / independenceAccept indep.accept (unanimous by default)
 * @param minParallelTokens answers with fewer tokens stay serial with no teacher calls
 * @param maxTokens prompt + answer above this are over the limit
 * @param overLimit what to do over the limit: {@code drop} (dead letter) or {@code serial}
 * @param maxBranches group.maxBranches; a candidate with a larger group fails the structure gate
 * @param titleMaxTokens title.maxTokens
 * @param minContentChars branch content must have at least this many characters
 * @param editBudgetMax integrity.editBudget's cap: token edits a rewrite may make (0 = exact integrity only)
 * @param editBudgetFraction integrity.editBudget's share of the answer's tokens (budget = min(cap, share))
 * @param maskForcedTargets train.maskForcedTargets: loss_mask 0 on the tokens the engine forces
 * @param tokenizer name of the target tokenizer for counts, limits and token arrays
 */
public record StageConfig(
    int candidates,
    int independenceVotes,
    int independenceAccept,
    int formatVotes,
    int formatAccept,
    int answerVotes,
    int answerAccept,
    int minParallelTokens,
    int maxTokens,
    OverLimit overLimit,
    int maxBranches,
    int titleMaxTokens,
    int minContentChars,
    int editBudgetMax,
    double editBudgetFraction,
    boolean maskForcedTargets,
    String tokenizer) implements Serializable {

  public enum OverLimit { DROP, SERIAL }

  public static StageConfig defaults() {
    return new StageConfig(3, 3, 3, 3, 3, 3, 3, 128, 8000, OverLimit.DROP, 10, 8, 10, 32, 0.02, false, "o200k_base");
  }

  public StageConfig {
    require(candidates >= 1, "candidates must be >= 1");
    require(independenceAccept >= 1 && independenceAccept <= independenceVotes, "need 1 <= indep.accept <= indep.votes");
    require(formatAccept >= 1 && formatAccept <= formatVotes, "need 1 <= format.accept <= format.votes");
    require(answerAccept >= 1 && answerAccept <= answerVotes, "need 1 <= answer.accept <= answer.votes");
    require(minParallelTokens >= 0, "minParallelTokens must be >= 0");
    require(maxTokens > 0, "maxTokens must be > 0");
    require(maxBranches >= 2, "maxBranches must be >= 2");
    require(titleMaxTokens >= 1, "titleMaxTokens must be >= 1");
    require(editBudgetMax >= 0, "editBudgetMax must be >= 0");
    require(editBudgetFraction >= 0 && editBudgetFraction <= 1, "editBudgetFraction must lie in [0, 1]");
    require(overLimit != null, "overLimit is required");
    require(tokenizer != null && !tokenizer.isBlank(), "tokenizer is required");
  }

  private static void require(boolean ok, String message) {
    if (!ok) {
      throw new IllegalArgumentException(message);
    }
  }
}
