package org.aspd.stages;

import java.io.Serializable;
import org.aspd.teacher.Verdict;

/** A voted check: the outcome after the vote, the tally and the deciding reason. */
public record CheckResult(Verdict.Outcome outcome, int votesFor, int votesCast, int unparsable, String reason)
    implements Serializable {
  public boolean passed() {
    return outcome == Verdict.Outcome.PASS;
  }
}
