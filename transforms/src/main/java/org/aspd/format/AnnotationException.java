package org.aspd.format;

/** A rewrite that cannot be read as a valid annotation, or that does not match its source. */
public class AnnotationException extends Exception {
  private final String code;

  public AnnotationException(String code, String message) {
    super(message);
    this.code = code;
  }

  /** A short machine-readable reason ({@code nesting}, {@code text_changed}, ...) for the funnel. */
  public String code() {
    return code;
  }
}
