package org.aspd.pipeline;

import java.util.Locale;
import org.aspd.stages.StageConfig;

/** Builds the immutable stage configuration from the options, validating it at start-up. */
final class StageConfigs {
  private StageConfigs() {}

  static StageConfig from(AspdOptions o) {
    StageConfig.OverLimit overLimit;
    try {
      overLimit = StageConfig.OverLimit.valueOf(o.getOverLimit().toUpperCase(Locale.ROOT));
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("--overLimit must be drop or serial, not '" + o.getOverLimit() + "'");
    }
    return new StageConfig(o.getCandidates(), o.getIndependenceVotes(), o.getIndependenceAccept(),
        o.getFormatVotes(), o.getFormatAccept(), o.getAnswerVotes(), o.getAnswerAccept(),
        o.getMinParallelTokens(), o.getMaxTokens(), overLimit, o.getMaxBranches(), o.getTitleMaxTokens(),
        StageConfig.defaults().minContentChars(), o.getEditBudgetMax(), o.getEditBudgetFraction(),
        o.getMaskForcedTargets(), o.getTokenizer());
  }
}
