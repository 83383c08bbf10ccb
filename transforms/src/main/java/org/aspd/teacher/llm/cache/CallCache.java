package org.aspd.teacher.llm.cache;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A content-addressed directory of completed calls, shared by every worker and run that points at it:
 * {@code DIR/ab/abcdef....json}, one file per call. An entry is written to a temporary file in the
 * same directory and renamed into place atomically, so readers (other workers, a rerun after SIGKILL)
 * see a whole entry or none; leftover temporary files are never read. Two workers that record the same
 * key race harmlessly: either whole file wins.
 */
public final class CallCache {
  private static final Logger LOG = LoggerFactory.getLogger(CallCache.class);
  private static final ObjectMapper JSON = new ObjectMapper()
      .configure(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES, false);

  private final Path dir;

  public CallCache(Path dir) {
    this.dir = dir;
  }

  public Path dir() {
    return dir;
  }

  public Path fileOf(String key) {
    if (!key.matches("[0-9a-f]{64}")) {
      throw new IllegalArgumentException("not a cache key: " + key);
    }
    return dir.resolve(key.substring(0, 2)).resolve(key + ".json");
  }

  public Optional<CachedCall> get(String key) {
    Path file = fileOf(key);
    try {
      CachedCall call = JSON.readValue(Files.readAllBytes(file), CachedCall.class);
      return key.equals(call.key()) ? Optional.of(call) : Optional.empty();
    } catch (NoSuchFileException e) {
      return Optional.empty();
    } catch (IOException e) {
      // Only foreign or hand-edited files can be unreadable (ours appear whole); treat as a miss.
      LOG.warn("ignoring unreadable cache entry {}: {}", file, e.getMessage());
      return Optional.empty();
    }
  }

  public void put(CachedCall call) {
    Path file = fileOf(call.key());
    try {
      Files.createDirectories(file.getParent());
      Path tmp = Files.createTempFile(file.getParent(), ".tmp-" + call.key().substring(0, 8) + "-", ".json");
      try {
        Files.write(tmp, JSON.writeValueAsBytes(call));
        moveIntoPlace(tmp, file);
      } finally {
        Files.deleteIfExists(tmp);
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write LLM cache entry " + file, e);
    }
  }

  private static void moveIntoPlace(Path tmp, Path file) throws IOException {
    try {
      Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    } catch (AtomicMoveNotSupportedException e) {
      throw new IOException("the cache directory's file system cannot rename atomically: " + file, e);
    }
  }
}
