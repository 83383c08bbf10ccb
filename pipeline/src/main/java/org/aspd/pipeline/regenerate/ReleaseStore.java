package org.aspd.pipeline.regenerate;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.TreeSet;

/**
 * The releases root of a spec:
 *
 * <pre>
 * ROOT/.lock                     held by the running regeneration (see {@link RegenerationLock})
 * ROOT/LATEST                    the name of the current release, one line
 * ROOT/PUBLISHING                only while a release is being published
 * ROOT/releases/NAME/            complete releases: manifest.json, data/, dead_letters/, stats.json, README.md, plots/
 * ROOT/releases/NAME.partial/    a release being built (or abandoned by a crash)
 * </pre>
 *
 * <p>A release is built in {@code NAME.partial}, validated, given its manifest (the commit point),
 * renamed to {@code NAME}, and only then named in {@code LATEST}. {@code LATEST} is a plain file
 * replaced by rename rather than a symlink: it works on every filesystem and for every reader
 * ({@code ROOT/releases/$(cat ROOT/LATEST)/data}). {@code PUBLISHING} records the one release being
 * published, so that a crash between the two renames is finished by the next run, while an older
 * release that an operator set in {@code LATEST} by hand (a rollback) is never overridden.
 *
 * <p>Release names are UTC timestamps to the millisecond ({@code 20250101T020304.567Z}); they sort
 * in time order and a new one is always greater than every existing one.
 */
final class ReleaseStore {
  static final String LATEST = "LATEST";
  static final String PUBLISHING = "PUBLISHING";
  static final String RELEASES = "releases";
  static final String PARTIAL = ".partial";
  private static final String DELETING = ".deleting";
  private static final DateTimeFormatter NAMES =
      DateTimeFormatter.ofPattern("yyyyMMdd'T'HHmmss.SSS'Z'").withZone(ZoneOffset.UTC);

  private final Path root;

  ReleaseStore(Path root) {
    this.root = root;
  }

  Path root() {
    return root;
  }

  Path release(String name) {
    return root.resolve(RELEASES).resolve(name);
  }

  Path partial(String name) {
    return root.resolve(RELEASES).resolve(name + PARTIAL);
  }

  /** The release named in {@code LATEST}, if any; a name that is not a complete release is an error. */
  Optional<String> latest() throws IOException {
    Path latest = root.resolve(LATEST);
    if (!Files.exists(latest)) {
      return Optional.empty();
    }
    String name = Files.readString(latest, StandardCharsets.UTF_8).strip();
    if (!Files.isRegularFile(release(name).resolve(Manifest.FILE))) {
      throw new IOException(latest + " names '" + name + "', which is not a complete release under "
          + root.resolve(RELEASES) + "; point it at one (or delete it to rebuild from scratch)");
    }
    return Optional.of(name);
  }

  /** A name greater than every release, complete or not, so names sort in build order. */
  String newName(Instant now) throws IOException {
    String last = names().stream().reduce((a, b) -> b).orElse("");
    Instant t = now;
    if (!last.isEmpty()) {
      try {
        Instant afterLast = LocalDateTime.parse(last, NAMES).toInstant(ZoneOffset.UTC).plusMillis(1);
        t = t.isBefore(afterLast) ? afterLast : t;
      } catch (DateTimeParseException e) {
        throw new IOException(root.resolve(RELEASES).resolve(last) + " is not a release folder; move it out of "
            + root.resolve(RELEASES));
      }
    }
    return NAMES.format(t);
  }

  /** Creates an empty {@code NAME.partial} folder to build into. */
  Path startPartial(String name) throws IOException {
    Path dir = partial(name);
    Files.createDirectories(dir);
    return dir;
  }

  /**
   * Publishes a validated partial release that already holds its manifest: renames it into place,
   * then points {@code LATEST} at it.
   */
  void publish(String name, RegenerationListener listener) throws IOException {
    AtomicFiles.write(root.resolve(PUBLISHING), (name + "\n").getBytes(StandardCharsets.UTF_8));
    AtomicFiles.move(partial(name), release(name));
    listener.reached(RegenerationListener.Phase.RELEASE_RENAMED);
    pointLatestAt(name);
    Files.deleteIfExists(root.resolve(PUBLISHING));
  }

  private void pointLatestAt(String name) throws IOException {
    AtomicFiles.write(root.resolve(LATEST), (name + "\n").getBytes(StandardCharsets.UTF_8));
  }

  /**
   * Puts the root back in a clean state after a crash (the caller holds the lock, so no other run
   * owns anything here). A release that got its manifest was validated, so its publication is
   * finished: the one named in {@code PUBLISHING}, or a partial one with a manifest that is newer
   * than {@code LATEST}. Every other partial build is deleted.
   *
   * @return what was done, one line each, for the log
   */
  List<String> recover() throws IOException {
    List<String> done = new ArrayList<>();
    Path publishing = root.resolve(PUBLISHING);
    if (Files.exists(publishing)) {
      String name = Files.readString(publishing, StandardCharsets.UTF_8).strip();
      if (finish(name)) {
        done.add("finished publishing release " + name + ", which a crashed run had validated but not published");
      }
      Files.delete(publishing);
    }
    for (String name : names()) {
      Path partial = partial(name);
      if (!Files.isDirectory(partial)) {
        continue;
      }
      String latest = Files.exists(root.resolve(LATEST)) ? latest().orElse("") : "";
      if (name.compareTo(latest) > 0 && finish(name)) {
        done.add("finished publishing release " + name + ", which a crashed run had validated but not published");
      } else {
        AtomicFiles.deleteRecursively(partial);
        done.add("removed " + partial + ", left unfinished by a crashed or killed run");
      }
    }
    Path releases = root.resolve(RELEASES);
    if (Files.isDirectory(releases)) {
      try (DirectoryStream<Path> dirs = Files.newDirectoryStream(releases, d -> d.toString().endsWith(DELETING))) {
        for (Path dir : dirs) {
          AtomicFiles.deleteRecursively(dir);
        }
      }
    }
    return done;
  }

  /** Renames a validated partial release into place if needed and points LATEST at it; false if it has no manifest. */
  private boolean finish(String name) throws IOException {
    if (Files.isRegularFile(partial(name).resolve(Manifest.FILE))) {
      AtomicFiles.move(partial(name), release(name));
    }
    if (!Files.isRegularFile(release(name).resolve(Manifest.FILE))) {
      return false;
    }
    pointLatestAt(name);
    return true;
  }

  /**
   * Deletes the oldest complete releases beyond the newest {@code keep}, never the one in
   * {@code LATEST}; {@code keep = 0} keeps everything. A release is renamed away before it is
   * deleted, so a crash mid-delete leaves garbage that {@link #recover} removes, never a broken release.
   */
  List<String> prune(int keep) throws IOException {
    List<String> deleted = new ArrayList<>();
    if (keep <= 0) {
      return deleted;
    }
    String latest = latest().orElse("");
    List<String> complete = complete();
    for (int i = 0; i < complete.size() - keep; i++) {
      String name = complete.get(i);
      if (!name.equals(latest)) {
        Path doomed = release(name).resolveSibling(name + DELETING);
        AtomicFiles.move(release(name), doomed);
        AtomicFiles.deleteRecursively(doomed);
        deleted.add(name);
      }
    }
    return deleted;
  }

  /** The complete releases (a folder with a manifest), oldest first. */
  List<String> complete() throws IOException {
    return names().stream().filter(n -> Files.isRegularFile(release(n).resolve(Manifest.FILE))).toList();
  }

  /** Every release name under {@code releases/}, complete or partial, sorted. */
  private TreeSet<String> names() throws IOException {
    TreeSet<String> names = new TreeSet<>();
    Path releases = root.resolve(RELEASES);
    if (Files.isDirectory(releases)) {
      try (DirectoryStream<Path> dirs = Files.newDirectoryStream(releases, Files::isDirectory)) {
        dirs.forEach(d -> names.add(d.getFileName().toString().replace(PARTIAL, "").replace(DELETING, "")));
      }
    }
    return names;
  }
}
