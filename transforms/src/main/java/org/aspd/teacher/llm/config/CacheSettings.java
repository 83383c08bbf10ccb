package org.aspd.teacher.llm.config;

import java.io.Serializable;
import java.nio.file.Path;

/**
 * The call cache (a directory shared by workers and runs).
 *
 * @param dir the cache directory; null means {@code ~/.cache/aspd/llm}; a leading {@code ~/} is the home
 * @param enabled false bypasses the cache entirely ({@code --noCache})
 * @param replay answer only from recorded calls and fail on a miss ({@code --llmReplay})
 */
public record CacheSettings(String dir, Boolean enabled, Boolean replay) implements Serializable {
  public CacheSettings {
    enabled = enabled == null || enabled;
    replay = replay != null && replay;
    if (replay && !enabled) {
      throw new IllegalArgumentException("replay needs the cache: do not combine --llmReplay with --noCache");
    }
  }

  public static CacheSettings defaults() {
    return new CacheSettings(null, true, false);
  }

  public Path path() {
    String home = System.getProperty("user.home");
    if (dir == null || dir.isBlank()) {
      return Path.of(home, ".cache", "aspd", "llm");
    }
    return dir.startsWith("~/") ? Path.of(home, dir.substring(2)) : Path.of(dir);
  }
}
