package org.aspd.stages;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class InFlightTest {
  @Test
  void runsUpToTheLimitAtOnce() throws Exception {
    // Four tasks that each wait until all four have started: they only finish if they overlap.
    CountDownLatch started = new CountDownLatch(4);
    List<Integer> results = new ArrayList<>();
    try (InFlight<Integer> inFlight = new InFlight<>(4, "test")) {
      for (int i = 0; i < 4; i++) {
        int n = i;
        inFlight.submit(() -> {
          started.countDown();
          if (!started.await(20, TimeUnit.SECONDS)) {
            throw new IllegalStateException("tasks did not overlap");
          }
          return n;
        }, results::add);
      }
      inFlight.drain(results::add);
    }
    results.sort(null);
    assertEquals(List.of(0, 1, 2, 3), results);
  }

  @Test
  void aSlowTaskDoesNotHoldBackTheOthers() throws Exception {
    // Task 0 waits until tasks 1..5 have been handed back: with results in submission order the
    // pool (limit 2) would block on task 0 forever and the latch would time out.
    CountDownLatch othersDone = new CountDownLatch(5);
    List<Integer> results = new ArrayList<>();
    try (InFlight<Integer> inFlight = new InFlight<>(2, "test")) {
      inFlight.submit(() -> {
        if (!othersDone.await(20, TimeUnit.SECONDS)) {
          throw new IllegalStateException("the slow task held the others back");
        }
        return 0;
      }, results::add);
      for (int i = 1; i <= 5; i++) {
        int n = i;
        inFlight.submit(() -> n, r -> {
          results.add(r);
          othersDone.countDown();
        });
      }
      inFlight.drain(r -> {
        results.add(r);
        if (r != 0) {
          othersDone.countDown();
        }
      });
    }
    assertEquals(0, results.get(results.size() - 1), "the slow task finishes last: " + results);
    results.sort(null);
    assertEquals(List.of(0, 1, 2, 3, 4, 5), results);
  }

  @Test
  void neverHoldsMoreThanTheLimit() throws Exception {
    List<Integer> results = new ArrayList<>();
    try (InFlight<Integer> inFlight = new InFlight<>(2, "test")) {
      for (int i = 0; i < 50; i++) {
        int n = i;
        inFlight.submit(() -> n, results::add);
        assertTrue(inFlight.pending() < 2, "pending " + inFlight.pending());
      }
      inFlight.drain(results::add);
    }
    assertEquals(50, results.size());
    results.sort(null);
    for (int i = 0; i < 50; i++) {
      assertEquals(i, results.get(i));
    }
  }

  @Test
  void aFailingTaskSurfacesItsOwnException() {
    try (InFlight<Integer> inFlight = new InFlight<>(2, "test")) {
      assertThrows(IllegalArgumentException.class, () -> {
        inFlight.submit(() -> {
          throw new IllegalArgumentException("boom");
        }, r -> { });
        inFlight.drain(r -> { });
      });
    }
  }
}
