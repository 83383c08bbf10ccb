package org.aspd.teacher.llm.call;

/**
 * Per-endpoint breaker. Closed: calls go through and consecutive failed attempts are counted; at
 * {@code threshold} it opens. Open: calls fail at once until {@code coolDown} has passed; then exactly
 * one trial call goes through (half-open): success closes the breaker, failure opens it again.
 * This stops 64 threads per worker from hammering an endpoint that is down.
 */
final class CircuitBreaker {
  enum State { CLOSED, OPEN, HALF_OPEN }

  private final int threshold;
  private final long coolDownNanos;
  private final TimeSource time;
  private State state = State.CLOSED;
  private int consecutiveFailures;
  private long openedAt;

  CircuitBreaker(int threshold, long coolDownNanos, TimeSource time) {
    this.threshold = threshold;
    this.coolDownNanos = coolDownNanos;
    this.time = time;
  }

  /** True if this call may go ahead; false means fail fast. */
  synchronized boolean tryAcquire() {
    switch (state) {
      case CLOSED:
        return true;
      case OPEN:
        if (time.nanoTime() - openedAt >= coolDownNanos) {
          state = State.HALF_OPEN; // this caller is the single trial
          return true;
        }
        return false;
      default:
        return false; // a trial is already in flight
    }
  }

  /** 0 when closed, the rest of the cool-down when open, 0 while a trial is in flight (poll). */
  synchronized long nanosUntilTrial() {
    return state == State.OPEN ? Math.max(0, coolDownNanos - (time.nanoTime() - openedAt)) : 0;
  }

  synchronized void onSuccess() {
    state = State.CLOSED;
    consecutiveFailures = 0;
  }

  synchronized void onFailure() {
    consecutiveFailures++;
    if (state == State.HALF_OPEN || consecutiveFailures >= threshold) {
      state = State.OPEN;
      openedAt = time.nanoTime();
    }
  }

  /** Frees the trial slot after a call that said nothing about the endpoint's health. */
  synchronized void onNeutral() {
    if (state == State.HALF_OPEN) {
      state = State.OPEN;
      openedAt = time.nanoTime() - coolDownNanos;
    }
  }

  synchronized State state() {
    return state;
  }
}
