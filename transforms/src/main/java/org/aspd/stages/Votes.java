package org.aspd.stages;

import org.aspd.teacher.TeacherException;
import org.aspd.teacher.Verdict;

/**
 * Runs a check {@code votes} times and passes it when at least {@code accept} votes pass. A
 * deterministic teacher is asked once and that answer decides. Unparsable answers are
 * counted apart: they are neither passes nor fails, and a check decided by them is UNPARSABLE.
 */
final class Votes {
  interface Call {
    Verdict vote(int index) throws TeacherException;
  }

  private Votes() {}

  static CheckResult run(int votes, int accept, boolean deterministic, Call call) throws TeacherException {
    int asked = deterministic ? 1 : votes;
    int passed = 0;
    int unparsable = 0;
    String firstFail = null;
    String firstPass = null;
    for (int i = 0; i < asked; i++) {
      Verdict v = call.vote(i);
      switch (v.outcome()) {
        case PASS -> {
          passed++;
          firstPass = firstPass == null ? v.reason() : firstPass;
        }
        case FAIL -> firstFail = firstFail == null ? v.reason() : firstFail;
        case UNPARSABLE -> {
          unparsable++;
          firstFail = firstFail == null ? "unparsable: " + v.reason() : firstFail;
        }
      }
    }
    // A deterministic teacher's single answer decides alone; the tally reports what was asked.
    boolean accepted = deterministic ? passed == 1 : passed >= accept;
    Verdict.Outcome outcome;
    if (accepted) {
      outcome = Verdict.Outcome.PASS;
    } else if (unparsable > 0 && passed + unparsable == asked) {
      // Every non-passing vote was unparsable: the judge never said no.
      outcome = Verdict.Outcome.UNPARSABLE;
    } else {
      outcome = Verdict.Outcome.FAIL;
    }
    String reason = outcome == Verdict.Outcome.PASS ? nullToEmpty(firstPass) : nullToEmpty(firstFail);
    return new CheckResult(outcome, passed, asked, unparsable, reason);
  }

  private static String nullToEmpty(String s) {
    return s == null ? "" : s;
  }
}
