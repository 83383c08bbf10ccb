package org.aspd.stages;

import java.io.Serializable;
import java.util.List;
import org.aspd.format.Response;
import org.aspd.model.IntegrityEdit;

/**
 * One rewrite candidate as it moves through stages 1–4. {@code rejection} is null while the
 * candidate is alive, else a reason code ({@code structure:...}, {@code independence}, ...).
 *
 * @param index the candidate's position in the teacher's answer (ties in selection go to the lowest)
 * @param response the aligned structure; groups failing stage 2 are already demoted to serial text
 * @param groupChecks stage 2 results, one per group of the parsed rewrite
 * @param format stage 3 format-judge result, or null before stage 3
 * @param answer stage 3 answer-judge result, or null before stage 3
 * @param edits slight edits of the rewriter undone by the token-alignment gate; empty = exact integrity
 */
public record CandidateState(
    int index,
    Response response,
    String rejection,
    List<GroupCheck> groupChecks,
    CheckResult format,
    CheckResult answer,
    List<IntegrityEdit> edits) implements Serializable {

  public CandidateState {
    groupChecks = groupChecks == null ? List.of() : List.copyOf(groupChecks);
    edits = edits == null ? List.of() : List.copyOf(edits);
  }

  public static CandidateState parsed(int index, Response response) {
    return parsed(index, response, List.of());
  }

  public static CandidateState parsed(int index, Response response, List<IntegrityEdit> edits) {
    return new CandidateState(index, response, null, List.of(), null, null, edits);
  }

  public static CandidateState rejected(int index, Response response, String reason) {
    return new CandidateState(index, response, reason, List.of(), null, null, List.of());
  }

  public boolean alive() {
    return rejection == null;
  }

  public CandidateState reject(String reason) {
    return new CandidateState(index, response, reason, groupChecks, format, answer, edits);
  }

  public CandidateState withIndependence(Response demoted, List<GroupCheck> checks) {
    return new CandidateState(index, demoted, rejection, checks, format, answer, edits);
  }

  public CandidateState withIntegrity(CheckResult format, CheckResult answer) {
    return new CandidateState(index, response, rejection, groupChecks, format, answer, edits);
  }
}
