package org.aspd.decoding;

/**
 * The worker-thread count of the CPU classes ({@link Model}, {@link CpuAttention}): 0 = all
 * processors, else 1 to {@link #MAX}. The native code starts that many short-lived threads for each
 * matrix product or attention call, so a count far above the processors only adds start-up cost
 * (and, in a container with a process limit, fails to start them).
 */
final class WorkerThreads {
  static final int MAX = 256;

  private WorkerThreads() {}

  static void check(int threads) {
    if (threads < 0 || threads > MAX) {
      throw new IllegalArgumentException("threads must be 0 (all processors) to " + MAX + ": " + threads);
    }
  }
}
