package org.aspd.teacher;

/** A teacher call that failed for good (after its retries); the sample goes to the dead letters. */
public class TeacherException extends Exception {
  /** The dead-letter reason of a sample stopped by a failed teacher call. */
  public static final String REASON = "teacher_error";

  public TeacherException(String message, Throwable cause) {
    super(message, cause);
  }

  public TeacherException(String message) {
    super(message);
  }

  /** The dead-letter reason of a sample this failure stops. */
  public String reason() {
    return REASON;
  }
}
