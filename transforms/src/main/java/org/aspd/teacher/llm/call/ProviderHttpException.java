package org.aspd.teacher.llm.call;

import dev.langchain4j.exception.HttpException;

/**
 * A non-2xx answer with the one header LangChain4j drops: {@code Retry-After}. It is thrown without a
 * cause, so LangChain4j's exception mapper (which maps the root cause by status code) still turns it
 * into {@code RateLimitException}, {@code InternalServerException}, ..., with this as the cause.
 */
public class ProviderHttpException extends HttpException {
  private final String retryAfter;

  public ProviderHttpException(int statusCode, String body, String retryAfter) {
    super(statusCode, body);
    this.retryAfter = retryAfter;
  }

  /** The raw header value, or null when the server sent none. */
  public String retryAfter() {
    return retryAfter;
  }
}
