package org.aspd.teacher;

/** A teacher call that failed for good (after its retries); the sample goes to the dead letters. */
public class TeacherException extends Exception {
  public TeacherException(String message, Throwable cause) {
    super(message, cause);
  }

  public TeacherException(String message) {
    super(message);
  }

  /** The dead-letter reason of a sample this failure stops. */
  public String reason() {
    return "teacher_error";
  }
}
