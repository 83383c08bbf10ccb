package org.aspd.teacher.llm.call;

/**
 * What a completed call returned.
 *
 * @param text the assistant's text ("" when the provider sent none)
 * @param finishReason LangChain4j's finish reason in lower case ({@code stop}, {@code length}, ...),
 *     or "" when unknown
 * @param inputTokens as reported by the provider (0 when it reports nothing)
 * @param outputTokens as reported by the provider
 */
public record LlmReply(String text, String finishReason, long inputTokens, long outputTokens) {
  public LlmReply {
    text = text == null ? "" : text;
    finishReason = finishReason == null ? "" : finishReason;
  }

  /** The model stopped because it hit the output token limit: the text is cut off. */
  public boolean truncated() {
    return "length".equals(finishReason);
  }
}
