package org.aspd.tokens;

import ai.djl.huggingface.tokenizers.jni.LibUtils;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Locale;

/**
 * Lets the Hugging Face tokenizers library load its native part in more than one class loader of
 * a JVM. A Flink TaskManager runs each job in a class loader of its own, and the JVM binds a native
 * library file to the first class loader that loads it: the second job to use a tokenizer.json in
 * the same TaskManager failed with "already loaded in another classloader". The first class loader
 * loads the library where the library puts it (its cache folder); every later one loads a copy of
 * its own, named through the library's {@code RUST_LIBRARY_PATH} override.
 */
final class TokenizersNativeLibrary {
  /** Set, JVM-wide, once a class loader has loaded the library from its usual place. */
  private static final String FIRST_LOADED = "aspd.tokenizers.native.loaded";
  private static final String OVERRIDE = "RUST_LIBRARY_PATH";

  /** Per class loader: this class is loaded once per class loader that loads aspd. */
  private static boolean ready;

  private TokenizersNativeLibrary() {}

  /** Loads the library for this class loader, from a private copy when another one holds it. */
  static synchronized void load() {
    if (ready) return;
    if (System.getenv(OVERRIDE) != null) { // the user's own build of the library
      ready = true;
      return;
    }
    // One lock for every class loader of the JVM: the override is a JVM-wide system property.
    synchronized (FIRST_LOADED.intern()) {
      Path copy = null;
      String previous = System.getProperty(OVERRIDE);
      try {
        if (System.getProperty(FIRST_LOADED) != null) {
          copy = privateCopy();
          if (copy != null) System.setProperty(OVERRIDE, copy.toString());
        }
        LibUtils.checkStatus(); // runs the library's loading in this class loader, now
        System.setProperty(FIRST_LOADED, "true");
        ready = true;
      } finally {
        if (copy != null) {
          if (previous == null) System.clearProperty(OVERRIDE);
          else System.setProperty(OVERRIDE, previous);
          deleteQuietly(copy); // the loaded library stays mapped
        }
      }
    }
  }

  /** A copy of this platform's library from the jar, or null where the jar has none. */
  private static Path privateCopy() {
    String os = System.getProperty("os.name").toLowerCase(Locale.ROOT);
    String arch = System.getProperty("os.arch").toLowerCase(Locale.ROOT);
    String prefix = os.startsWith("linux") ? "linux" : os.startsWith("mac") ? "osx" : null;
    String cpu = arch.equals("amd64") || arch.equals("x86_64") ? "x86_64"
        : arch.equals("aarch64") || arch.equals("arm64") ? "aarch64" : null;
    if (prefix == null || cpu == null) return null;
    String name = System.mapLibraryName("tokenizers");
    try (InputStream in = LibUtils.class.getResourceAsStream("/native/lib/" + prefix + "-" + cpu + "/cpu/" + name)) {
      if (in == null) return null;
      Path dir = Files.createTempDirectory("aspd-tokenizers-");
      Path lib = dir.resolve(name);
      Files.copy(in, lib, StandardCopyOption.REPLACE_EXISTING);
      return lib;
    } catch (IOException e) {
      throw new UncheckedIOException("cannot copy the tokenizers native library to a temporary folder", e);
    }
  }

  private static void deleteQuietly(Path lib) {
    try {
      Files.deleteIfExists(lib);
      Files.deleteIfExists(lib.getParent());
    } catch (IOException e) {
      lib.toFile().deleteOnExit();
      lib.getParent().toFile().deleteOnExit();
    }
  }
}
