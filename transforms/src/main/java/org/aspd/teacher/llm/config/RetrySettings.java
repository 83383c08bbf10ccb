package org.aspd.teacher.llm.config;

import java.io.Serializable;

/**
 * Retries of one call (LangChain4j's own retries are switched off: they ignore {@code Retry-After}).
 *
 * @param maxAttempts attempts per call, first one included
 * @param initialBackoffMillis the first back-off; it doubles per attempt, with full jitter
 * @param maxBackoffMillis the cap of one back-off, and of an honoured {@code Retry-After}
 */
public record RetrySettings(Integer maxAttempts, Long initialBackoffMillis, Long maxBackoffMillis)
    implements Serializable {
  public RetrySettings {
    maxAttempts = maxAttempts == null ? 5 : maxAttempts;
    initialBackoffMillis = initialBackoffMillis == null ? 1000L : initialBackoffMillis;
    maxBackoffMillis = maxBackoffMillis == null ? 120_000L : maxBackoffMillis;
    if (maxAttempts < 1 || initialBackoffMillis < 0 || maxBackoffMillis < initialBackoffMillis) {
      throw new IllegalArgumentException("retry: maxAttempts >= 1 and 0 <= initial <= max back-off");
    }
  }

  public static RetrySettings defaults() {
    return new RetrySettings(null, null, null);
  }
}
