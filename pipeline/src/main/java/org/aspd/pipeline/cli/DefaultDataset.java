package org.aspd.pipeline.cli;

import java.io.File;

/**
 * The bundled default input: Vicuna Bench's 80 questions with real gpt-4o answers (Apache-2.0),
 * in {@code datasets/vicuna-bench/} of the aspd checkout. The launcher sets {@code aspd.home}.
 */
final class DefaultDataset {
  private DefaultDataset() {}

  static String path() {
    String home = System.getProperty("aspd.home", ".");
    File dir = new File(home, "datasets/vicuna-bench");
    if (!dir.isDirectory()) {
      throw new IllegalStateException("no --input given and the bundled dataset is not at " + dir.getAbsolutePath()
          + "; pass --input PATH or run through ./aspd from the checkout");
    }
    return dir.getAbsolutePath();
  }
}
