package org.aspd.decoding;

/** A token sequence that breaks the §1 grammar; names the token index and the rule. */
public final class MalformedSampleException extends IllegalArgumentException {
  private static final long serialVersionUID = 1L;
  private final int tokenIndex;
  private final GrammarRule rule;

  /** Called from native code (constructor id cached in JNI_OnLoad) and from Java validation. */
  MalformedSampleException(int tokenIndex, String ruleName, String message) {
    super(message);
    this.tokenIndex = tokenIndex;
    this.rule = GrammarRule.valueOf(ruleName);
  }

  /** Index of the offending token, or the sequence length for an unterminated structure. */
  public int tokenIndex() {
    return tokenIndex;
  }

  public GrammarRule rule() {
    return rule;
  }
}
