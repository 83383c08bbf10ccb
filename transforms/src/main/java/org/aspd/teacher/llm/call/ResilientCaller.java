package org.aspd.teacher.llm.call;

import java.time.Duration;
import java.util.concurrent.ThreadLocalRandom;
import java.util.function.UnaryOperator;
import org.aspd.teacher.TeacherException;
import org.aspd.teacher.llm.config.BreakerSettings;
import org.aspd.teacher.llm.config.RetrySettings;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One call with everything around it: the endpoint's circuit breaker (fail fast while open), its
 * shared pause after a 429, its rate limiter, and retries with exponential back-off and full jitter,
 * where a {@code Retry-After} from the server replaces the computed back-off. A call that fails for
 * good becomes a {@link TeacherException} naming the stage, the endpoint and the last reason.
 */
public final class ResilientCaller {
  private static final Logger LOG = LoggerFactory.getLogger(ResilientCaller.class);
  /** How often a waiting retry looks at a breaker whose trial call is in flight. */
  private static final long BREAKER_POLL_NANOS = 50_000_000L;
  private final ChatBackend backend;
  private final EndpointGuards guards;
  private final RetrySettings retry;
  private final BreakerSettings breaker;
  private final UnaryOperator<String> redact;

  public ResilientCaller(ChatBackend backend, EndpointGuards guards, RetrySettings retry,
      BreakerSettings breaker, UnaryOperator<String> redact) {
    this.backend = backend;
    this.guards = guards;
    this.retry = retry;
    this.breaker = breaker;
    this.redact = redact;
  }

  public LlmReply call(LlmRequest request) throws TeacherException {
    EndpointGuards.Guard guard = guards.guard(request.settings(), breaker);
    TimeSource time = guards.time();
    int estimate = request.estimatedInputTokens();
    Failure last = null;
    for (int attempt = 1; attempt <= retry.maxAttempts(); attempt++) {
      if (!mayProceed(guard.breaker, time, attempt)) {
        throw new TeacherException(prefix(request) + "circuit open after repeated failures, failing fast"
            + (last == null ? "" : "; last error: " + redact.apply(last.reason())));
      }
      try {
        waitForPause(guard, time);
        guard.limiter.acquire(estimate);
        LlmReply reply = backend.send(request);
        guard.breaker.onSuccess();
        guard.limiter.settle(estimate, reply.inputTokens() + reply.outputTokens());
        return reply;
      } catch (InterruptedException e) {
        guard.breaker.onNeutral();
        Thread.currentThread().interrupt();
        throw new TeacherException(prefix(request) + "interrupted");
      } catch (RuntimeException e) {
        last = Failure.classify(e, time.currentTimeMillis());
        String reason = redact.apply(last.reason());
        if (!last.retryable()) {
          guard.breaker.onSuccess(); // the endpoint answered; the request itself is at fault
          LOG.warn("{}not retryable: {}", prefix(request), reason);
          throw new TeacherException(prefix(request) + "not retryable: " + reason);
        }
        if (last.backPressure()) {
          guard.breaker.onSuccess(); // a 429 is an endpoint that is up and busy, not one that is down
        } else {
          guard.breaker.onFailure();
        }
        LOG.warn("{}attempt {} of {} failed: {}", prefix(request), attempt, retry.maxAttempts(), reason);
        if (attempt < retry.maxAttempts() && !sleepBeforeRetry(guard, time, attempt, last)) {
          throw new TeacherException(prefix(request) + "interrupted");
        }
      }
    }
    throw new TeacherException(prefix(request) + "failed after " + retry.maxAttempts() + " attempts: "
        + redact.apply(last.reason()));
  }

  /**
   * Whether attempt {@code attempt} may be sent. A first attempt meets an open breaker and fails
   * fast: new work is not queued behind an endpoint that is down. A retry was in flight when the
   * endpoint went down; it waits, within one back-off, for the breaker's next trial, so a short
   * outage does not cost the samples that happened to be retrying through it.
   */
  private boolean mayProceed(CircuitBreaker breaker, TimeSource time, int attempt) throws TeacherException {
    if (breaker.tryAcquire()) return true;
    if (attempt == 1) return false;
    long deadline = time.nanoTime() + Duration.ofMillis(retry.maxBackoffMillis()).toNanos();
    while (time.nanoTime() < deadline) {
      long wait = Math.min(breaker.nanosUntilTrial(), deadline - time.nanoTime());
      try {
        time.sleepNanos(Math.max(wait, BREAKER_POLL_NANOS));
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new TeacherException("interrupted while waiting for the circuit breaker");
      }
      if (breaker.tryAcquire()) return true;
    }
    return false;
  }

  /** The back-off before attempt {@code attempt + 1}; false if interrupted. */
  private boolean sleepBeforeRetry(EndpointGuards.Guard guard, TimeSource time, int attempt, Failure f) {
    long nanos;
    if (f.retryAfter().isPresent()) {
      nanos = Math.min(f.retryAfter().get().toNanos(), Duration.ofMillis(retry.maxBackoffMillis()).toNanos());
      // Everyone calling this endpoint waits, not just this thread: the server asked for a pause.
      guard.pauseUntil(time.nanoTime() + nanos);
    } else {
      long cap = Math.min(retry.maxBackoffMillis(), retry.initialBackoffMillis() << Math.min(attempt - 1, 20));
      // Full jitter over (0, cap]: a draw of exactly 0 would retry at once, which a back-off is not.
      nanos = cap == 0 ? 0 : Duration.ofMillis(1 + ThreadLocalRandom.current().nextLong(cap)).toNanos();
    }
    try {
      time.sleepNanos(nanos);
      return true;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return false;
    }
  }

  private static void waitForPause(EndpointGuards.Guard guard, TimeSource time) throws InterruptedException {
    long wait = guard.pausedUntil() - time.nanoTime();
    if (wait > 0) {
      time.sleepNanos(wait);
    }
  }

  private static String prefix(LlmRequest r) {
    return "llm " + r.stage().id() + " call to " + r.settings().label() + " at " + r.settings().baseUrl() + ": ";
  }
}
