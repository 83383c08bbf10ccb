package org.aspd.teacher;

import java.io.Serializable;

/**
 * A judge's answer to one check. {@code UNPARSABLE} is neither a pass nor a fail: it is counted on
 * its own and the check does not pass.
 */
public record Verdict(Outcome outcome, String reason) implements Serializable {
  public enum Outcome { PASS, FAIL, UNPARSABLE }

  public static Verdict pass(String reason) {
    return new Verdict(Outcome.PASS, reason);
  }

  public static Verdict fail(String reason) {
    return new Verdict(Outcome.FAIL, reason);
  }

  public boolean passed() {
    return outcome == Outcome.PASS;
  }
}
