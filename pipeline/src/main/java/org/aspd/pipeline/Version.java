package org.aspd.pipeline;

/** The aspd version, from the jar manifest when packaged, else "dev". */
public final class Version {
  private Version() {}

  public static String get() {
    String v = Version.class.getPackage().getImplementationVersion();
    return v == null ? "dev" : v;
  }
}
