package org.aspd.eval;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;

/**
 * Finds the public answer sets: the {@code aspd.shared.datasets} system property (set by the
 * parent POM), else {@code ../shared/datasets} next to the repository root. Tests that need them
 * skip when neither exists.
 */
public final class SharedDatasets {
  private SharedDatasets() {}

  public static Optional<Path> root() {
    String property = System.getProperty("aspd.shared.datasets");
    if (property != null && !property.isBlank() && Files.isDirectory(Path.of(property))) {
      return Optional.of(Path.of(property).normalize());
    }
    Path dir = Path.of(System.getProperty("user.dir")).toAbsolutePath();
    for (int up = 0; up < 3 && dir != null; up++, dir = dir.getParent()) {
      Path candidate = dir.resolve("../shared/datasets").normalize();
      if (Files.isDirectory(candidate)) {
        return Optional.of(candidate);
      }
    }
    return Optional.empty();
  }

  /** A file or folder under the datasets root, if present. */
  public static Optional<Path> resolve(String relative) {
    return root().map(r -> r.resolve(relative)).filter(Files::exists);
  }
}
