package org.aspd.decoding;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class NativeLibraryTest {

  @Test
  void libraryInsideTheJarIsUnderOsArch() {
    String platform = NativeLibrary.platform();
    assertTrue(platform.matches("[a-z0-9]+-[a-z0-9_]+"), platform);
    assertEquals("/native/" + platform + "/" + System.mapLibraryName("aspd_decoding"),
        NativeLibrary.resourcePath("aspd_decoding"));
    assertTrue(NativeLibrary.class.getResource(NativeLibrary.resourcePath(NativeLibrary.CPU)) != null,
        "the build must place the CPU library on the classpath");
  }

  @Test
  void failureNamesEveryPlaceTried() {
    String previous = System.getProperty(NativeLibrary.DIR_PROPERTY);
    System.setProperty(NativeLibrary.DIR_PROPERTY, "/nonexistent-aspd-dir");
    try {
      UnsatisfiedLinkError e = assertThrows(UnsatisfiedLinkError.class, () -> NativeLibrary.load("aspd_no_such_lib"));
      String m = e.getMessage();
      assertTrue(m.contains("/nonexistent-aspd-dir/" + System.mapLibraryName("aspd_no_such_lib")), m);
      assertTrue(m.contains("java.library.path="), m);
      assertTrue(m.contains("classpath:" + NativeLibrary.resourcePath("aspd_no_such_lib")), m);
    } finally {
      if (previous == null) System.clearProperty(NativeLibrary.DIR_PROPERTY);
      else System.setProperty(NativeLibrary.DIR_PROPERTY, previous);
    }
  }
}
