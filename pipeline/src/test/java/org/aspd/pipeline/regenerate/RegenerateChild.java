package org.aspd.pipeline.regenerate;

import java.util.Arrays;
import picocli.CommandLine;

/**
 * {@code aspd regenerate} in a child JVM that announces each step on standard output
 * ({@code REACHED PHASE}) and stops at one ({@code args[0]}) until the test kills it.
 */
public final class RegenerateChild {
  static final String REACHED = "REACHED ";

  private RegenerateChild() {}

  public static void main(String[] args) throws InterruptedException {
    RegenerationListener.Phase haltAt = RegenerationListener.Phase.valueOf(args[0]);
    RegenerateCommand command = new RegenerateCommand();
    command.listener = phase -> {
      System.out.println(REACHED + phase);
      System.out.flush();
      if (phase == haltAt) {
        sleepForever();
      }
    };
    System.exit(new CommandLine(command).execute(Arrays.copyOfRange(args, 1, args.length)));
  }

  private static void sleepForever() {
    try {
      Thread.sleep(Long.MAX_VALUE);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
