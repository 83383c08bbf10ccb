package org.aspd.decoding;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;

/**
 * close() from one thread while another thread's call is in the native code: the call finishes
 * with its full result, or (when close came first) throws IllegalStateException; the native object
 * is never freed under a running call. Before the calls took the close lock, the first two cases
 * crashed the JVM (SIGSEGV in the forward and in the layout, 3 runs of 3 each); the attention case
 * did not (its native context is a few bytes, read after free without a fault), so there it guards
 * the contract only.
 * close() waits for the running call only: calls that start after it refuse, where the bare
 * monitor let a looping caller finish 60 more layouts first.
 */
class CloseWhileRunningTest {
  /** Delays before close (ms): at least one lands inside a native call of each case below. */
  private static final int[] CLOSE_AFTER_MS = {2, 7, 15, 30};

  /**
   * Runs call on another thread over and over, each result checked, and closes from this thread
   * after a short delay (mid-call for calls of this length).
   */
  private static <T> void runAndClose(Callable<T> call, AutoCloseable closeable, Consumer<T> check, int delayMs)
      throws Exception {
    ExecutorService worker = Executors.newSingleThreadExecutor();
    AtomicBoolean closeCalled = new AtomicBoolean();
    AtomicInteger finishedAfterClose = new AtomicInteger();
    try {
      Future<?> calls = worker.submit(() -> {
        while (true) {
          T result;
          try {
            result = call.call();
          } catch (IllegalStateException closed) {
            return null;
          }
          check.accept(result);
          if (closeCalled.get()) finishedAfterClose.incrementAndGet();
        }
      });
      Thread.sleep(delayMs);
      closeCalled.set(true);
      closeable.close();
      calls.get(60, TimeUnit.SECONDS);
      // The call running when close() came finishes; one more may have begun in the instant
      // between the flag above and close(). More means close() waited behind new calls.
      assertTrue(finishedAfterClose.get() <= 2,
          finishedAfterClose.get() + " calls finished after close() was called");
    } catch (ExecutionException e) {
      throw new AssertionError("a call failed other than by IllegalStateException", e.getCause());
    } finally {
      worker.shutdownNow();
    }
  }

  @Test
  void modelForwardFinishesOrSeesTheCloseNeverAFreedModel() throws Exception {
    ModelConfig config = new ModelConfig("llama", 4000, 256, 512, 4, 4, 4, 64, 4096, 1e-6, 1e6, false, false);
    int t = 96;
    int[] ids = new int[t], positions = new int[t], groups = new int[t], branches = new int[t];
    for (int i = 0; i < t; i++) {
      ids[i] = i;
      positions[i] = i;
      groups[i] = -1;
    }
    for (int delay : CLOSE_AFTER_MS) {
      Model model = Model.random(config, 3, 2);
      float[] reference = model.forwardRows(ids, positions, groups, branches, new int[] {t - 1});
      runAndClose(() -> model.forwardRows(ids, positions, groups, branches, new int[] {t - 1}), model,
          logits -> assertArrayEquals(reference, logits, "a forward that finished returns the whole result"), delay);
      assertThrows(IllegalStateException.class, () -> model.forward(ids, positions, groups, branches));
    }
  }

  @Test
  void layoutFinishesOrSeesTheClose() throws Exception {
    SpecialTokenIds special = new SpecialTokenIds(290, 291, 292, 293, 294, 295);
    int[] ids = new int[250_000];
    Arrays.fill(ids, 5);
    for (int delay : CLOSE_AFTER_MS) {
      SampleLayouter layouter = new SampleLayouter(special, 300);
      runAndClose(() -> layouter.layout(ids), layouter, layout -> {
        assertEquals(ids.length, layout.length());
        assertEquals(0, layout.groupCount());
      }, delay);
      assertThrows(IllegalStateException.class, () -> layouter.layout(new int[] {1}));
    }
  }

  @Test
  void attentionPrefillFinishesOrSeesTheClose() throws Exception {
    int t = 1024;
    AttentionShape shape = new AttentionShape(4, 4, 64);
    float[] q = new float[t * 4 * 64];
    for (int i = 0; i < q.length; i++) q[i] = (i % 17) * 0.01f;
    int[] groups = new int[t], branches = new int[t];
    Arrays.fill(groups, -1);
    for (int delay : CLOSE_AFTER_MS) {
      CpuAttention attention = new CpuAttention(2);
      float[] reference = attention.prefill(shape, q, q, q, groups, branches, 0.125f);
      runAndClose(() -> attention.prefill(shape, q, q, q, groups, branches, 0.125f), attention,
          out -> assertArrayEquals(reference, out), delay);
      assertThrows(IllegalStateException.class, () -> attention.prefill(shape, q, q, q, groups, branches, 0.125f));
    }
  }

  @Test
  void nullArgumentsAreRefusedBeforeTheNativeCode() {
    try (Model model = Model.random(TinyModels.QWEN2, 1, 1)) {
      // tensorShape(null) used to reach GetStringUTFChars and crash the JVM.
      NullPointerException shape = assertThrows(NullPointerException.class, () -> model.tensorShape(null));
      assertTrue(shape.getMessage().contains("name"), shape.getMessage());
      assertThrows(NullPointerException.class, () -> model.tensor(null));
      int[] one = {1};
      NullPointerException rows = assertThrows(NullPointerException.class,
          () -> model.forwardRows(one, new int[] {0}, new int[] {-1}, new int[] {0}, null));
      assertTrue(rows.getMessage().contains("rows"), rows.getMessage());
      assertThrows(NullPointerException.class, () -> new Engine(model, null));
    }
    assertThrows(NullPointerException.class, () -> new Engine((Model) null, null));
    assertThrows(NullPointerException.class, () -> Model.random(null, 1));
    assertThrows(NullPointerException.class, () -> Model.load(null));
  }

  @Test
  void workerThreadCountsAreBounded() {
    IllegalArgumentException model = assertThrows(IllegalArgumentException.class,
        () -> Model.random(TinyModels.QWEN2, 1, WorkerThreads.MAX + 1));
    assertTrue(model.getMessage().contains("threads"), model.getMessage());
    assertThrows(IllegalArgumentException.class, () -> new CpuAttention(100_000));
    assertThrows(IllegalArgumentException.class, () -> new CpuAttention(-1));
    try (CpuAttention most = new CpuAttention(WorkerThreads.MAX)) {
      assertEquals("cpu", most.backend());
    }
  }
}
