package org.aspd.teacher.llm.call;

/**
 * Time as the rate limiter, back-off and circuit breaker see it. Tests pass a fake whose
 * {@code sleep} advances its clock, so waiting is asserted on a simulated clock, never on wall time.
 */
public interface TimeSource {
  long nanoTime();

  long currentTimeMillis();

  void sleepNanos(long nanos) throws InterruptedException;

  TimeSource SYSTEM = new TimeSource() {
    @Override
    public long nanoTime() {
      return System.nanoTime();
    }

    @Override
    public long currentTimeMillis() {
      return System.currentTimeMillis();
    }

    @Override
    public void sleepNanos(long nanos) throws InterruptedException {
      if (nanos > 0) {
        Thread.sleep(nanos / 1_000_000, (int) (nanos % 1_000_000));
      }
    }
  };
}
