package org.aspd.stages;

import java.util.ArrayList;
import java.util.List;
import org.aspd.teacher.TeacherException;
import org.aspd.teacher.CallTrail;
import org.aspd.teacher.Teacher;
import org.aspd.tokens.AspdTokenizer;

/**
 * Stage 3: the format and answer judges compare the de-tagged rewrite with the original. The
 * deterministic integrity proof (exact alignment) already ran in stage 1, so a candidate that
 * reaches this stage is the source text with whitespace moved at boundaries at most.
 */
public final class CheckIntegrity implements StageFn.Logic {
  @Override
  public SampleState apply(SampleState in, Teacher teacher, AspdTokenizer tokenizer, StageConfig config)
      throws TeacherException {
    List<CandidateState> next = new ArrayList<>();
    for (CandidateState c : in.candidates()) {
      if (!c.alive()) {
        next.add(c);
        continue;
      }
      String rewritten = c.response().plainText();
      CallTrail.about(c.index(), -1);
      CheckResult format = Votes.run(config.formatVotes(), config.formatAccept(), teacher.deterministic(),
          vote -> teacher.judgeFormat(in.sample(), rewritten, vote));
      CheckResult answer = Votes.run(config.answerVotes(), config.answerAccept(), teacher.deterministic(),
          vote -> teacher.judgeAnswer(in.sample(), rewritten, vote));
      CandidateState checked = c.withIntegrity(format, answer);
      if (!format.passed()) {
        checked = checked.reject("format:" + format.outcome().name().toLowerCase());
      } else if (!answer.passed()) {
        checked = checked.reject("answer:" + answer.outcome().name().toLowerCase());
      }
      next.add(checked);
    }
    return in.withCandidates(next);
  }
}
