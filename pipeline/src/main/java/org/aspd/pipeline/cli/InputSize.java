package org.aspd.pipeline.cli;

import java.io.BufferedInputStream;
import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.util.List;

/**
 * A cheap estimate of the number of input records for the progress ETA: newlines in local JSONL
 * files (other formats and remote paths are not counted; the ETA is then omitted).
 */
final class InputSize {
  private static final long MAX_BYTES_SCANNED = 2L << 30;

  private InputSize() {}

  static long estimate(List<String> inputs) {
    long lines = 0;
    long scanned = 0;
    for (String input : inputs) {
      File f = new File(input);
      File[] files = f.isDirectory() ? f.listFiles((d, n) -> n.endsWith(".jsonl")) : new File[] {f};
      if (files == null) {
        continue;
      }
      for (File file : files) {
        if (!file.isFile() || !file.getName().endsWith(".jsonl") || file.getName().equals("question.jsonl")) {
          continue;
        }
        scanned += file.length();
        if (scanned > MAX_BYTES_SCANNED) {
          return 0;
        }
        lines += countLines(file);
      }
    }
    return lines;
  }

  private static long countLines(File file) {
    long n = 0;
    byte[] buf = new byte[1 << 16];
    try (InputStream in = new BufferedInputStream(Files.newInputStream(file.toPath()))) {
      int r;
      while ((r = in.read(buf)) > 0) {
        for (int i = 0; i < r; i++) {
          if (buf[i] == '\n') {
            n++;
          }
        }
      }
    } catch (IOException e) {
      return 0;
    }
    return n;
  }
}
