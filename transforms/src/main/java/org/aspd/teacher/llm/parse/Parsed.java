package org.aspd.teacher.llm.parse;

/** A parser's result: a value, or the problem that prevented one (said back to the model on re-ask). */
public record Parsed<T>(T value, String problem) {
  public static <T> Parsed<T> ok(T value) {
    return new Parsed<>(value, null);
  }

  public static <T> Parsed<T> problem(String problem) {
    return new Parsed<>(null, problem);
  }

  public boolean ok() {
    return problem == null;
  }
}
