package org.aspd.pipeline.regenerate;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Instant;
import java.util.Properties;

/**
 * One regeneration per releases root at a time: an exclusive lock on {@code ROOT/.lock}
 * ({@code fcntl}/{@code flock} through {@link FileChannel#tryLock}; honoured across processes, and
 * across hosts on NFSv4). The operating system drops the lock when the holder dies, even by
 * {@code SIGKILL}, so a crashed run never blocks the next one. The holder writes its pid, host and
 * start time into the file for the message the next contender prints. The file itself stays:
 * deleting a lock file would let two runs lock two different files.
 */
final class RegenerationLock implements AutoCloseable {
  static final String FILE = ".lock";

  /** Another run holds the lock; the message says which. */
  static final class HeldException extends Exception {
    HeldException(String message) {
      super(message);
    }
  }

  private final FileChannel channel;
  private final FileLock lock;

  private RegenerationLock(FileChannel channel, FileLock lock) {
    this.channel = channel;
    this.lock = lock;
  }

  static RegenerationLock acquire(Path root, Path spec) throws IOException, HeldException {
    Files.createDirectories(root);
    Path file = root.resolve(FILE);
    FileChannel channel = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.READ,
        StandardOpenOption.WRITE);
    FileLock lock;
    try {
      lock = channel.tryLock();
    } catch (OverlappingFileLockException e) {
      lock = null; // held by another thread of this JVM
    }
    if (lock == null) {
      channel.close();
      throw new HeldException(heldMessage(root, file));
    }
    Properties holder = new Properties();
    holder.setProperty("pid", Long.toString(ProcessHandle.current().pid()));
    holder.setProperty("host", host());
    holder.setProperty("since", Instant.now().toString());
    holder.setProperty("spec", spec.toString());
    java.io.StringWriter text = new java.io.StringWriter();
    holder.store(text, "aspd regenerate holds this lock while it runs");
    channel.truncate(0);
    channel.write(ByteBuffer.wrap(text.toString().getBytes(StandardCharsets.ISO_8859_1)), 0);
    channel.force(true);
    return new RegenerationLock(channel, lock);
  }

  private static String heldMessage(Path root, Path file) {
    Properties holder = new Properties();
    try (var in = Files.newInputStream(file)) {
      holder.load(in);
    } catch (IOException e) {
      // The message then names the lock file only.
    }
    String pid = holder.getProperty("pid", "?");
    String host = holder.getProperty("host", "");
    return "another regeneration of " + root + " is running (pid " + pid + (host.isEmpty() ? "" : " on " + host)
        + " since " + holder.getProperty("since", "?") + "); lock file " + file
        + ". Retry when it has finished; a dead run's lock is released by the system.";
  }

  private static String host() {
    try {
      return java.net.InetAddress.getLocalHost().getHostName();
    } catch (IOException e) {
      return "";
    }
  }

  @Override
  public void close() throws IOException {
    try {
      lock.release();
    } finally {
      channel.close();
    }
  }
}
