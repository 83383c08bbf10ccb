package org.aspd.decoding;

/**
 * Outcome of validating one shard row: pass, or the first failing check with the response token
 * index it concerns (-1 when not tied to a token) and a reason that names that index.
 */
public record ValidationResult(ValidationCheck failedCheck, int tokenIndex, String reason) {
  private static final ValidationResult PASS = new ValidationResult(null, -1, "pass");

  public static ValidationResult pass() {
    return PASS;
  }

  public static ValidationResult fail(ValidationCheck check, int tokenIndex, String reason) {
    if (check == null) throw new IllegalArgumentException("a failure names its check");
    return new ValidationResult(check, tokenIndex, reason);
  }

  public boolean passed() {
    return failedCheck == null;
  }

  @Override
  public String toString() {
    return passed() ? "pass" : failedCheck.label() + ": " + reason;
  }
}
