package org.aspd.pipeline.read;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Finds local files listed more than once under different paths: a symbolic link to a folder above
 * it (a loop) makes a directory listing repeat every file below it some 40 times, and two links to
 * one file list it twice. Read twice, a file without ids would become duplicate rows under made-up
 * ids that differ by path. Each file is read once, under its own name when a path has it, through
 * the shortest such path; the other paths are skipped and listed. Paths on other filesystems (HDFS,
 * object stores) are kept as they are.
 */
final class SameFiles {
  /** The paths to read, in their given order, and the skipped ones with the reason. */
  record Result(List<String> kept, List<String> skipped) {}

  /** Fewest folders first, then by name: among detours, the shortest. */
  private static final Comparator<String> SHORTEST_FIRST =
      Comparator.comparingLong((String p) -> p.chars().filter(c -> c == '/').count())
          .thenComparing(Comparator.naturalOrder());

  private SameFiles() {}

  static Result of(List<String> files) {
    Map<String, Object> identities = new HashMap<>();
    Map<Object, String> chosen = new HashMap<>();
    for (String f : files) {
      Object id = identity(f);
      identities.put(f, id);
      chosen.merge(id, f, (a, b) -> preferred(a, b, id) ? a : b);
    }
    List<String> kept = new ArrayList<>();
    List<String> skipped = new ArrayList<>();
    for (String f : files) {
      String read = chosen.get(identities.get(f));
      if (read.equals(f)) {
        kept.add(f);
      } else {
        skipped.add(f + " (the same file as " + read + ", reached through a symbolic link)");
      }
    }
    return new Result(kept, skipped);
  }

  /**
   * A path under the file's own name wins over a link with another name; then the shortest. (Not
   * "the real path itself": the scanned folder may lie below a link, such as macOS's /tmp.)
   */
  private static boolean preferred(String a, String b, Object realPath) {
    String name = realPath instanceof Path p && p.getFileName() != null ? p.getFileName().toString() : "";
    boolean aOwn = a.endsWith("/" + name);
    boolean bOwn = b.endsWith("/" + name);
    if (aOwn != bOwn) {
      return aOwn;
    }
    return SHORTEST_FIRST.compare(a, b) <= 0;
  }

  /** The real path of a local file; the path itself elsewhere, or when it cannot be resolved. */
  private static Object identity(String file) {
    String local = file.startsWith("file:") ? file.substring("file:".length()) : file;
    if (!local.startsWith("/")) {
      return file;
    }
    try {
      return Path.of(local).toRealPath();
    } catch (IOException | RuntimeException e) {
      return file; // a broken link or unreadable file: the reader reports it
    }
  }
}
