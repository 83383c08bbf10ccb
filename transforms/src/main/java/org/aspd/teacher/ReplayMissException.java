package org.aspd.teacher;

/**
 * A call that {@code --llm-replay} did not find in the recorded cache: its sample is dead-lettered
 * as {@code replay_miss}, apart from teacher errors, so a rebuild can tell it was not exact.
 */
public final class ReplayMissException extends TeacherException {
  private static final long serialVersionUID = 1L;

  public ReplayMissException(String message) {
    super(message);
  }

  @Override
  public String reason() {
    return "replay_miss";
  }
}
