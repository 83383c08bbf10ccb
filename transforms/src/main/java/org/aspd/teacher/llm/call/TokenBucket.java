package org.aspd.teacher.llm.call;

/**
 * A reserving token bucket (like Guava's RateLimiter): a caller takes its tokens at once, possibly
 * going into debt, and is told how long to wait before using them. Reservations are ordered, so the
 * bucket never admits more than its rate plus one second of burst, however many threads ask.
 *
 * <p>Rate = {@code perMinute / 60} per second; capacity = one second's worth (at least one token), so a
 * limit of 120 requests per minute admits 2 at once and then one every half second.
 */
final class TokenBucket {
  private final double perNano;
  private final double capacity;
  private final TimeSource time;
  private double tokens;
  private long last;

  TokenBucket(long perMinute, TimeSource time) {
    if (perMinute <= 0) {
      throw new IllegalArgumentException("perMinute must be > 0");
    }
    this.perNano = perMinute / 60e9;
    this.capacity = Math.max(1.0, perMinute / 60.0);
    this.time = time;
    this.tokens = capacity;
    this.last = time.nanoTime();
  }

  /** Takes {@code n} tokens and returns the nanoseconds to wait before acting on them. */
  synchronized long reserve(double n) {
    refill();
    tokens -= n;
    return tokens >= 0 ? 0 : (long) Math.ceil(-tokens / perNano);
  }

  /** Corrects an earlier estimate once the real count is known (negative gives tokens back). */
  synchronized void adjust(double delta) {
    refill();
    tokens = Math.min(capacity, tokens - delta);
  }

  private void refill() {
    long now = time.nanoTime();
    tokens = Math.min(capacity, tokens + (now - last) * perNano);
    last = now;
  }
}
