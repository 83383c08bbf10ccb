package org.aspd.pipeline.regenerate;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.Comparator;
import java.util.stream.Stream;

/**
 * The filesystem steps that make a release atomic: durable writes through a temporary file and a
 * rename, directory renames, and recursive deletes. Renames are POSIX {@code rename(2)} (atomic on
 * local filesystems and NFS); a filesystem that cannot rename atomically is refused with a clear error
 * rather than published to non-atomically.
 */
final class AtomicFiles {
  private AtomicFiles() {}

  /** Writes {@code target} so that a reader sees the old content or the new one, never a mix. */
  static void write(Path target, byte[] content) throws IOException {
    Path temp = target.resolveSibling("." + target.getFileName() + ".tmp-" + ProcessHandle.current().pid());
    try (FileChannel ch = FileChannel.open(temp, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
        StandardOpenOption.TRUNCATE_EXISTING)) {
      ByteBuffer buf = ByteBuffer.wrap(content);
      while (buf.hasRemaining()) {
        ch.write(buf);
      }
      ch.force(true);
    }
    move(temp, target);
  }

  /** Renames a file or folder atomically, replacing a file target. */
  static void move(Path from, Path to) throws IOException {
    try {
      Files.move(from, to, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    } catch (AtomicMoveNotSupportedException e) {
      throw new IOException("the filesystem of " + to + " cannot rename atomically; put the releases root on"
          + " a local or NFS filesystem", e);
    }
    syncDirectory(to.getParent());
  }

  /** Makes a rename durable (POSIX); a no-op where folders cannot be opened for syncing. */
  static void syncDirectory(Path dir) {
    try (FileChannel ch = FileChannel.open(dir, StandardOpenOption.READ)) {
      ch.force(true);
    } catch (IOException e) {
      // Some platforms cannot fsync a folder; the rename itself is still atomic.
    }
  }

  static void deleteRecursively(Path path) throws IOException {
    if (!Files.exists(path)) {
      return;
    }
    try (Stream<Path> tree = Files.walk(path)) {
      for (Path p : tree.sorted(Comparator.reverseOrder()).toList()) {
        Files.deleteIfExists(p);
      }
    }
  }
}
