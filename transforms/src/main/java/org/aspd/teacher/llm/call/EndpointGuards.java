package org.aspd.teacher.llm.call;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.aspd.teacher.llm.config.BreakerSettings;
import org.aspd.teacher.llm.config.ModelSettings;

/**
 * The rate limiter and circuit breaker of each endpoint, shared JVM-wide: every teacher instance (one
 * per DoFn instance, several per worker) and every stage calling the same provider and base URL draws
 * from one budget. The first settings seen for an endpoint define its limits.
 */
public final class EndpointGuards {
  private static final EndpointGuards SHARED = new EndpointGuards(TimeSource.SYSTEM);

  private final TimeSource time;
  private final Map<String, Guard> guards = new ConcurrentHashMap<>();

  /** The limiter, the breaker, and a shared pause set by a 429's {@code Retry-After}. */
  static final class Guard {
    final RateLimiter limiter;
    final CircuitBreaker breaker;
    private long pausedUntil;

    Guard(RateLimiter limiter, CircuitBreaker breaker) {
      this.limiter = limiter;
      this.breaker = breaker;
    }

    synchronized void pauseUntil(long nanos) {
      pausedUntil = Math.max(pausedUntil, nanos);
    }

    synchronized long pausedUntil() {
      return pausedUntil;
    }
  }

  public EndpointGuards(TimeSource time) {
    this.time = time;
  }

  public static EndpointGuards shared() {
    return SHARED;
  }

  public TimeSource time() {
    return time;
  }

  Guard guard(ModelSettings s, BreakerSettings b) {
    return guards.computeIfAbsent(s.endpoint(), e -> new Guard(
        new RateLimiter(s.requestsPerMinute(), s.tokensPerMinute(), time),
        new CircuitBreaker(b.failureThreshold(), Math.round(b.coolDownSeconds() * 1e9), time)));
  }
}
