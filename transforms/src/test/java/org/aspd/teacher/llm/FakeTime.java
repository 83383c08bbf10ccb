package org.aspd.teacher.llm;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicLong;
import org.aspd.teacher.llm.call.TimeSource;

/** Simulated time: sleeping advances the clock at once and is recorded, so no test waits for real. */
final class FakeTime implements TimeSource {
  /** 2026-01-01T00:00:00Z, for HTTP-date Retry-After values. */
  static final long EPOCH_MILLIS = 1_767_225_600_000L;

  private final AtomicLong nanos = new AtomicLong(1_000_000_000L);
  private final List<Long> sleeps = new CopyOnWriteArrayList<>();

  @Override
  public long nanoTime() {
    return nanos.get();
  }

  @Override
  public long currentTimeMillis() {
    return EPOCH_MILLIS + nanos.get() / 1_000_000;
  }

  @Override
  public void sleepNanos(long n) {
    if (n > 0) {
      sleeps.add(n);
      nanos.addAndGet(n);
    }
  }

  void advanceSeconds(double s) {
    nanos.addAndGet(Math.round(s * 1e9));
  }

  /** Seconds since this clock was created. */
  double seconds() {
    return (nanos.get() - 1_000_000_000L) / 1e9;
  }

  List<Long> sleeps() {
    return List.copyOf(sleeps);
  }
}
