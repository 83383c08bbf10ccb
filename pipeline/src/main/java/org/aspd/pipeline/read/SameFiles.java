package org.aspd.pipeline.read;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Finds reading units whose file was listed more than once under different paths: a symbolic link
 * to a folder above it (a loop) makes a directory listing repeat every file below it some 40 times,
 * and two links to one file list it twice. Read twice, a file without ids would become duplicate
 * rows under made-up ids that differ by path. It runs on the units a scan chose to read, so a file
 * is never dropped in favour of a path the scan passes over (a hidden cache, a blob without an
 * extension): of the units that read one file, a FastChat unit (joined with its questions) is kept
 * over a plain one, then the one under the file's own name, then the shortest; the others are
 * skipped and listed. A FastChat question file is joined, not read, and may be shared; its unit is
 * told apart by the answer file. Paths on other filesystems (HDFS,
 * object stores) are kept as they are.
 */
final class SameFiles {
  /** The units to read, in their given order, and the skipped paths with the reason. */
  record Result(List<InputUnit> kept, List<String> skipped) {}

  /** Fewest folders first, then by name: among detours, the shortest. */
  private static final Comparator<String> SHORTEST_FIRST =
      Comparator.comparingLong((String p) -> p.chars().filter(c -> c == '/').count())
          .thenComparing(Comparator.naturalOrder());

  private SameFiles() {}

  static Result of(List<InputUnit> units) {
    Map<String, Object> identities = new HashMap<>();
    Map<Object, InputUnit> chosen = new HashMap<>();
    for (InputUnit u : units) {
      Object id = identity(u.path());
      identities.put(u.path(), id);
      chosen.merge(id, u, (a, b) -> preferred(a, b, id) ? a : b);
    }
    List<InputUnit> kept = new ArrayList<>();
    List<String> skipped = new ArrayList<>();
    for (InputUnit u : units) {
      String read = chosen.get(identities.get(u.path())).path();
      if (read.equals(u.path())) {
        kept.add(u);
      } else {
        skipped.add(u.path() + " (the same file as " + read + ", reached through a symbolic link)");
      }
    }
    return new Result(reportQuestionFailuresOnce(kept, units), skipped);
  }

  /**
   * Exactly one unit per question file reports its bad lines: when the one that did was dropped,
   * the first kept unit of that question file takes over.
   */
  private static List<InputUnit> reportQuestionFailuresOnce(List<InputUnit> kept, List<InputUnit> all) {
    if (kept.size() == all.size()) {
      return kept;
    }
    Set<String> reported = new HashSet<>();
    for (InputUnit u : kept) {
      if (u.reportQuestionFailures()) reported.add(u.questionPath());
    }
    List<InputUnit> out = new ArrayList<>(kept.size());
    for (InputUnit u : kept) {
      if (u.isFastChat() && reported.add(u.questionPath())) {
        out.add(new InputUnit(u.path(), u.questionPath(), true, u.limit(), u.idPrefix()));
      } else {
        out.add(u);
      }
    }
    return out;
  }

  /**
   * A FastChat unit wins over a plain one (read alone, its answers have no questions); then a path
   * under the file's own name over a link with another name; then the shortest. (Not "the real path
   * itself": the scanned folder may lie below a link, such as macOS's /tmp.)
   */
  private static boolean preferred(InputUnit ua, InputUnit ub, Object realPath) {
    if (ua.isFastChat() != ub.isFastChat()) {
      return ua.isFastChat();
    }
    String a = ua.path();
    String b = ub.path();
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
