package org.aspd.pipeline.regenerate;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.jar.JarEntry;
import java.util.jar.JarFile;
import java.util.stream.Stream;
import org.aspd.pipeline.Version;
import org.aspd.pipeline.write.ShardRowRecords;
import org.aspd.stages.AspdStages;

/**
 * The version of the code that computes a row: the aspd version plus a digest of the compiled
 * classes that shape row content (the transforms library: stages, teachers, tokens, metrics; and the
 * row writer package). A development build is always "dev" or a SNAPSHOT, so the version alone would
 * let a changed stage carry stale rows over; the digest of class bytes (not of jar files, whose
 * timestamps change on every build) changes exactly when the code does.
 */
final class CodeVersion {
  private static volatile String cached;

  private CodeVersion() {}

  static String get() {
    if (cached == null) {
      cached = Version.get() + " classes=" + digest().substring(0, 16);
    }
    return cached;
  }

  private static String digest() {
    // Keyed by entry name, so the same classes hash the same from a folder or from a jar.
    Map<String, byte[]> classes = new TreeMap<>();
    collect(AspdStages.class, "", classes);
    collect(ShardRowRecords.class, "org/aspd/pipeline/write/", classes);
    MessageDigest md = Sha256.digest();
    classes.forEach((name, bytes) -> {
      md.update(name.getBytes(java.nio.charset.StandardCharsets.UTF_8));
      md.update(bytes);
    });
    return java.util.HexFormat.of().formatHex(md.digest());
  }

  private static void collect(Class<?> anchor, String prefix, Map<String, byte[]> out) {
    try {
      Path location = Path.of(anchor.getProtectionDomain().getCodeSource().getLocation().toURI());
      if (Files.isDirectory(location)) {
        try (Stream<Path> files = Files.walk(location.resolve(prefix.isEmpty() ? "." : prefix))) {
          for (Path f : files.filter(p -> p.toString().endsWith(".class")).toList()) {
            out.put(location.relativize(f.normalize()).toString().replace('\\', '/'), Files.readAllBytes(f));
          }
        }
        return;
      }
      try (JarFile jar = new JarFile(location.toFile())) {
        for (JarEntry e : List.copyOf(jar.stream().toList())) {
          if (e.getName().endsWith(".class") && e.getName().startsWith(prefix)) {
            try (InputStream in = jar.getInputStream(e)) {
              out.put(e.getName(), in.readAllBytes());
            }
          }
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read the classes of " + anchor.getName(), e);
    } catch (URISyntaxException | NullPointerException e) {
      throw new IllegalStateException("cannot locate the classes of " + anchor.getName(), e);
    }
  }
}
