package org.aspd.stages;

import java.io.Serializable;
import org.aspd.teacher.Verdict;

/**
 * Stage 2's result for one group of a candidate.
 *
 * @param group index of the group in the candidate before any demotion
 * @param outcome PASS, FAIL or UNPARSABLE after the vote
 * @param votesFor votes that passed
 * @param votesCast votes asked (1 for a deterministic teacher)
 * @param reason the first failing reason, or the passing reason
 */
public record GroupCheck(int group, Verdict.Outcome outcome, int votesFor, int votesCast, String reason)
    implements Serializable {}
