package org.aspd.testing;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;
import org.junit.jupiter.api.Assumptions;

/**
 * The public answer sets in {@code ../shared/datasets} (outside the project; tests that use them
 * skip when the folder is absent). The parent POM passes the folder as {@code aspd.shared.datasets}.
 */
public final class SharedDatasets {
  private SharedDatasets() {}

  /** The datasets folder, or a skipped test when it is absent. */
  public static Path root() {
    Optional<Path> dir = find();
    Assumptions.assumeTrue(dir.isPresent(), "shared datasets not present; skipping");
    return dir.get();
  }

  /**
   * The {@code aspd.shared.datasets} system property (set by the parent POM), else
   * {@code ../shared/datasets} next to the repository root, if either exists.
   */
  public static Optional<Path> find() {
    String property = System.getProperty("aspd.shared.datasets");
    if (property != null && !property.isBlank() && Files.isDirectory(Path.of(property))) {
      return Optional.of(Path.of(property).toAbsolutePath().normalize());
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
    return find().map(r -> r.resolve(relative)).filter(Files::exists);
  }

  /**
   * Every string value of at least {@code minLength} characters in every JSON / JSONL file under
   * the folder: answers, questions, references. Real text with real markdown, code and symbols.
   */
  public static List<String> allTexts(int minLength) {
    List<String> texts = new ArrayList<>();
    JsonFactory factory = new JsonFactory();
    try (Stream<Path> files = Files.walk(root())) {
      for (Path f : files.filter(p -> p.toString().endsWith(".json") || p.toString().endsWith(".jsonl")).toList()) {
        try (JsonParser parser = factory.createParser(f.toFile())) {
          JsonToken t;
          while ((t = nextOrNull(parser)) != null) {
            if (t == JsonToken.VALUE_STRING && parser.getTextLength() >= minLength) {
              texts.add(parser.getText());
            }
          }
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return texts;
  }

  private static JsonToken nextOrNull(JsonParser parser) throws IOException {
    // JSONL: Jackson's root-level parser reads concatenated values one after the other.
    return parser.nextToken();
  }

  public static File file(String relative) {
    File f = root().resolve(relative).toFile();
    Assumptions.assumeTrue(f.isFile(), relative + " not present; skipping");
    return f;
  }
}
