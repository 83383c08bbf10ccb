package org.aspd.decoding;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * Loads this module's JNI libraries in one documented order:
 *
 * <ol>
 *   <li>the directory named by the system property {@value #DIR_PROPERTY}, if set;
 *   <li>{@code java.library.path} ({@link System#loadLibrary});
 *   <li>the copy inside the jar under {@code native/<os>-<arch>/}, extracted to a temporary file.
 * </ol>
 *
 * <p>A failure throws {@link UnsatisfiedLinkError} naming every path tried and why it failed.
 */
public final class NativeLibrary {
  public static final String DIR_PROPERTY = "aspd.decoding.native.dir";
  static final String CPU = "aspd_decoding";
  static final String CUDA = "aspd_decoding_cuda";

  private static final Set<String> LOADED = new HashSet<>();

  private NativeLibrary() {}

  /** Loads {@code lib<name>.so} once per JVM. */
  static synchronized void load(String name) {
    if (LOADED.contains(name)) return;
    List<String> tried = new ArrayList<>();
    String dir = System.getProperty(DIR_PROPERTY);
    if (dir != null && !dir.isBlank()) {
      Path file = Path.of(dir, System.mapLibraryName(name)).toAbsolutePath();
      if (tryLoad(file, tried)) {
        LOADED.add(name);
        return;
      }
    }
    try {
      System.loadLibrary(name);
      LOADED.add(name);
      return;
    } catch (UnsatisfiedLinkError e) {
      tried.add("java.library.path=" + System.getProperty("java.library.path") + " (" + e.getMessage() + ")");
    }
    String resource = resourcePath(name);
    try (InputStream in = NativeLibrary.class.getResourceAsStream(resource)) {
      if (in == null) {
        tried.add("classpath:" + resource + " (not in the jar)");
      } else {
        Path tmp = Files.createTempFile("lib" + name, ".so");
        tmp.toFile().deleteOnExit();
        Files.copy(in, tmp, StandardCopyOption.REPLACE_EXISTING);
        if (tryLoad(tmp, tried)) {
          LOADED.add(name);
          return;
        }
      }
    } catch (IOException e) {
      tried.add("classpath:" + resource + " (" + e + ")");
    }
    throw new UnsatisfiedLinkError("cannot load native library '" + name + "'; tried: " + String.join("; ", tried));
  }

  private static boolean tryLoad(Path file, List<String> tried) {
    if (!Files.isRegularFile(file)) {
      tried.add(file + " (no such file)");
      return false;
    }
    try {
      System.load(file.toString());
      return true;
    } catch (UnsatisfiedLinkError e) {
      tried.add(file + " (" + e.getMessage() + ")");
      return false;
    }
  }

  /** {@code /native/<os>-<arch>/lib<name>.so}, with the names used by the build (linux-x86_64). */
  static String resourcePath(String name) {
    return "/native/" + platform() + "/" + System.mapLibraryName(name);
  }

  static String platform() {
    String os = System.getProperty("os.name").toLowerCase(Locale.ROOT);
    String arch = System.getProperty("os.arch").toLowerCase(Locale.ROOT);
    String osName = os.contains("linux") ? "linux" : os.contains("mac") ? "macos" : os.contains("win") ? "windows" : os;
    String archName = arch.equals("amd64") || arch.equals("x86_64") ? "x86_64"
        : arch.equals("aarch64") || arch.equals("arm64") ? "aarch64" : arch;
    return osName + "-" + archName;
  }
}
