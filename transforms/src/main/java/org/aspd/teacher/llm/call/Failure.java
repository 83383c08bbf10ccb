package org.aspd.teacher.llm.call;

import dev.langchain4j.exception.NonRetriableException;
import dev.langchain4j.exception.RetriableException;
import dev.langchain4j.exception.TimeoutException;
import dev.langchain4j.exception.UnsupportedFeatureException;
import java.time.Duration;
import java.util.Optional;

/**
 * What one failed attempt means for the next one.
 *
 * @param retryable worth another attempt (429, 5xx, timeouts, broken or cut-off responses)
 * @param backPressure the endpoint answered and asked to slow down (429): it is up, so this does
 *     not count against its circuit breaker
 * @param retryAfter the server's requested wait, when it sent {@code Retry-After}
 * @param reason short text for the dead letter (not yet redacted)
 */
record Failure(boolean retryable, boolean backPressure, Optional<Duration> retryAfter, String reason) {
  private static final int MAX_BODY = 300;

  static Failure classify(Throwable error, long nowMillis) {
    ProviderHttpException http = find(error, ProviderHttpException.class);
    if (http != null) {
      Optional<Duration> wait = RetryAfter.parse(http.retryAfter(), nowMillis);
      boolean retry = error instanceof RetriableException || http.statusCode() == 429 || http.statusCode() >= 500;
      return new Failure(retry, http.statusCode() == 429, wait, "HTTP " + http.statusCode() + ": " + shorten(http.getMessage()));
    }
    if (error instanceof TimeoutException || find(error, java.net.http.HttpTimeoutException.class) != null) {
      return new Failure(true, false, Optional.empty(), "timeout");
    }
    if (error instanceof NonRetriableException || error instanceof UnsupportedFeatureException
        || error instanceof IllegalStateException) {
      return new Failure(false, false, Optional.empty(), describe(error));
    }
    // Connection resets, truncated bodies, unparsable provider JSON: usually transient.
    return new Failure(true, false, Optional.empty(), describe(error));
  }

  private static String describe(Throwable e) {
    // The JDK client reports these with empty messages deep in the chain ("ClosedChannelException: null").
    if (find(e, java.net.ConnectException.class) != null) {
      return "connection refused: nothing answers at the base URL's host and port";
    }
    if (find(e, java.nio.channels.UnresolvedAddressException.class) != null
        || find(e, java.net.UnknownHostException.class) != null) {
      return "unknown host: the base URL's host name does not resolve";
    }
    if (e instanceof IndexOutOfBoundsException) {
      return "the provider's reply has no choices (" + e.getMessage() + ")";
    }
    Throwable root = e;
    while (root.getCause() != null && root.getCause() != root) {
      root = root.getCause();
    }
    String msg = root == e ? e.getClass().getSimpleName() + ": " + e.getMessage()
        : e.getClass().getSimpleName() + " caused by " + root.getClass().getSimpleName() + ": " + root.getMessage();
    return shorten(msg);
  }

  private static String shorten(String s) {
    if (s == null) {
      return "";
    }
    String one = s.replaceAll("\\s+", " ").trim();
    return one.length() > MAX_BODY ? one.substring(0, MAX_BODY) + "..." : one;
  }

  private static <T extends Throwable> T find(Throwable e, Class<T> type) {
    for (Throwable t = e; t != null; t = t.getCause() == t ? null : t.getCause()) {
      if (type.isInstance(t)) {
        return type.cast(t);
      }
    }
    return null;
  }
}
