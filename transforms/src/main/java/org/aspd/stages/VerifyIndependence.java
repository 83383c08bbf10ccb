package org.aspd.stages;

import java.util.ArrayList;
import java.util.List;
import org.aspd.format.Group;
import org.aspd.format.Item;
import org.aspd.format.Response;
import org.aspd.teacher.CallTrail;
import org.aspd.teacher.IndependenceQuery;
import org.aspd.teacher.TeacherException;
import org.aspd.teacher.Teacher;
import org.aspd.tokens.AspdTokenizer;
import org.aspd.teacher.Verdict;

/**
 * Stage 2: votes on each group of each live candidate. A failed group becomes serial text (its
 * source text kept); a candidate survives while at least one group passes.
 */
public final class VerifyIndependence implements StageFn.Logic {
  @Override
  public SampleState apply(SampleState in, Teacher teacher, AspdTokenizer tokenizer, StageConfig config)
      throws TeacherException {
    List<CandidateState> next = new ArrayList<>();
    for (CandidateState c : in.candidates()) {
      next.add(c.alive() ? verify(in, c, teacher, config) : c);
    }
    return in.withCandidates(next);
  }

  private static CandidateState verify(SampleState in, CandidateState c, Teacher teacher, StageConfig config)
      throws TeacherException {
    Response response = c.response();
    List<GroupCheck> checks = new ArrayList<>();
    List<Integer> failed = new ArrayList<>();
    int groupIndex = 0;
    StringBuilder before = new StringBuilder();
    List<Item> items = response.items();
    for (int i = 0; i < items.size(); i++) {
      Item item = items.get(i);
      if (item instanceof Group g) {
        IndependenceQuery query = new IndependenceQuery(in.sample(), before.toString(), g, textAfter(items, i));
        CallTrail.about(c.index(), groupIndex);
        CheckResult r = Votes.run(config.independenceVotes(), config.independenceAccept(),
            teacher.deterministic(), vote -> teacher.judgeIndependence(query, vote));
        checks.add(new GroupCheck(groupIndex, r.outcome(), r.votesFor(), r.votesCast(), r.reason()));
        if (r.outcome() != Verdict.Outcome.PASS) {
          failed.add(groupIndex);
        }
        groupIndex++;
      }
      before.append(new Response(List.of(item)).plainText());
    }
    for (int k = failed.size() - 1; k >= 0; k--) {
      response = response.demoteGroup(failed.get(k));
    }
    CandidateState verified = c.withIndependence(response, checks);
    if (response.isParallel()) {
      return verified;
    }
    // A judge that never answered readably is not a judge that said no: keep that visible.
    boolean allUnparsable = checks.stream().allMatch(g -> g.outcome() == Verdict.Outcome.UNPARSABLE);
    return verified.reject(allUnparsable ? "independence:unparsable" : "independence");
  }

  private static String textAfter(List<Item> items, int index) {
    return new Response(items.subList(index + 1, items.size())).plainText();
  }
}
