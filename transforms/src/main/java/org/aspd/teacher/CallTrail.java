package org.aspd.teacher;

import java.util.ArrayList;
import java.util.List;
import org.aspd.model.LlmCall;

/**
 * Collects the LLM calls made while a stage works on one sample, so each row can name the calls its
 * verdicts rest on. A teacher call runs start to end on the thread that asked (the stage's worker or
 * pool thread), so the trail is thread-confined, the way Beam carries its metrics container; calls
 * made outside {@link #collect} are not recorded anywhere.
 */
public final class CallTrail {
  private static final ThreadLocal<CallTrail> CURRENT = new ThreadLocal<>();

  private final List<LlmCall> calls = new ArrayList<>();
  private int candidate = -1;
  private int group = -1;

  private CallTrail() {}

  /** What a stage does to one sample, with its teacher calls recorded. */
  public interface Work<T> {
    T run() throws TeacherException;
  }

  /** The result of {@link #collect}: the work's value and the calls made for it, in order. */
  public record Collected<T>(T value, List<LlmCall> calls) {}

  public static <T> Collected<T> collect(Work<T> work) throws TeacherException {
    CallTrail outer = CURRENT.get();
    CallTrail trail = new CallTrail();
    CURRENT.set(trail);
    try {
      T value = work.run();
      return new Collected<>(value, List.copyOf(trail.calls));
    } finally {
      CURRENT.set(outer);
    }
  }

  /** Marks the calls that follow as judging {@code candidate}'s {@code group} (-1: not a group). */
  public static void about(int candidate, int group) {
    CallTrail trail = CURRENT.get();
    if (trail != null) {
      trail.candidate = candidate;
      trail.group = group;
    }
  }

  /** Called by a teacher for every call it makes or answers from its cache. */
  public static void record(String stage, int index, String key) {
    CallTrail trail = CURRENT.get();
    if (trail != null) {
      trail.calls.add(new LlmCall(stage, trail.candidate, trail.group, index, key));
    }
  }
}
