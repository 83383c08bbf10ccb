package org.aspd.teacher.llm.call;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** Token buckets on a frozen clock: the waits they hand out are exact, whatever the thread order. */
class RateLimiterTest {
  /** A clock that only moves when told to; sleeping is not its business here. */
  private static final class FrozenTime implements TimeSource {
    long nanos = 5_000_000_000L;

    @Override
    public long nanoTime() {
      return nanos;
    }

    @Override
    public long currentTimeMillis() {
      return nanos / 1_000_000;
    }

    @Override
    public void sleepNanos(long n) {}
  }

  @Test
  void requestsPerMinuteAdmitOneSecondOfBurstThenSpaceTheRest() throws Exception {
    TokenBucket bucket = new TokenBucket(120, new FrozenTime()); // 2 per second, burst 2
    ConcurrentLinkedQueue<Long> waits = new ConcurrentLinkedQueue<>();
    ExecutorService pool = Executors.newFixedThreadPool(4);
    CountDownLatch start = new CountDownLatch(1);
    for (int i = 0; i < 10; i++) {
      pool.submit(() -> {
        start.await();
        waits.add(bucket.reserve(1));
        return null;
      });
    }
    start.countDown();
    pool.shutdown();
    assertEquals(true, pool.awaitTermination(10, TimeUnit.SECONDS));

    List<Long> sorted = new ArrayList<>(waits);
    sorted.sort(null);
    List<Long> expected = new ArrayList<>();
    for (int i = 0; i < 10; i++) {
      expected.add(Math.max(0, i - 1) * 500_000_000L); // 0, 0, 0.5 s, 1 s, ... 4 s
    }
    assertEquals(expected, sorted, "at most 2 requests in any second");
  }

  @Test
  void tokenUseIsSettledWithTheProvidersCount() {
    FrozenTime time = new FrozenTime();
    TokenBucket tokens = new TokenBucket(600, time); // 10 tokens per second, capacity 10
    assertEquals(2_000_000_000L, tokens.reserve(30), "20 tokens of debt = 2 s");
    tokens.adjust(10 - 30); // the call used 10, not 30: the 20 of debt is forgiven
    assertEquals(1_000_000_000L, tokens.reserve(10), "1 s for 10 tokens, not 3 s");
    time.nanos += 1_500_000_000L;
    assertEquals(0, tokens.reserve(5), "15 refilled, 10 owed");
  }

  @Test
  void breakerLetsExactlyOneTrialThroughAfterCoolDown() {
    FrozenTime time = new FrozenTime();
    CircuitBreaker breaker = new CircuitBreaker(2, 1_000_000_000L, time);
    breaker.onFailure();
    assertEquals(CircuitBreaker.State.CLOSED, breaker.state());
    breaker.onFailure();
    assertEquals(false, breaker.tryAcquire());
    time.nanos += 1_000_000_000L;
    assertEquals(true, breaker.tryAcquire(), "the trial");
    assertEquals(false, breaker.tryAcquire(), "only one trial at a time");
    breaker.onFailure();
    assertEquals(CircuitBreaker.State.OPEN, breaker.state());
    time.nanos += 1_000_000_000L;
    assertEquals(true, breaker.tryAcquire());
    breaker.onSuccess();
    assertEquals(CircuitBreaker.State.CLOSED, breaker.state());
    assertEquals(true, breaker.tryAcquire());
  }
}
