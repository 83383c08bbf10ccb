package org.aspd.teacher;

import java.util.List;
import org.aspd.model.Sample;

/**
 * What the four stages ask of a teacher (method §3). The embedded {@code rules} teacher answers
 * offline and deterministically; LLM teachers answer through providers.
 *
 * <p>Instances are created once per worker by a {@link TeacherFactory} and may hold clients, so they
 * are not serialized. Every method may be called from several threads.
 */
public interface Teacher extends AutoCloseable {

  /** A short stable name recorded in every row ({@code rules}, {@code openai:gpt-4o}, ...). */
  String name();

  /** Changes whenever the teacher's behaviour changes: code version and prompt hashes. */
  String version();

  /**
   * True when the same question always gets the same answer, so one call stands for all votes.
   */
  boolean deterministic();

  /**
   * Stage 1: up to {@code candidates} rewrites of the answer in the annotation format (method §2),
   * most preferred first. The answer text has literal tags escaped ({@code TagEscaper}); an empty
   * list or an empty string means "not parallel", a null entry a reply that could not be read as a
   * rewrite at all (counted apart: a rewriter cut off at its token limit is not one that declined).
   */
  List<String> rewrite(Sample sample, String escapedAnswer, int candidates) throws TeacherException;

  /** Stage 2, one vote ({@code vote} numbers the sample for caching and replay). */
  Verdict judgeIndependence(IndependenceQuery query, int vote) throws TeacherException;

  /** Stage 3, format judge: do original and de-tagged rewrite keep the same form? */
  Verdict judgeFormat(Sample sample, String rewritten, int vote) throws TeacherException;

  /** Stage 3, answer judge: do they give the same answer? */
  Verdict judgeAnswer(Sample sample, String rewritten, int vote) throws TeacherException;

  /**
   * How many samples a stage may hand this teacher at once. Remote teachers return their in-flight
   * limit (e.g. 64) so that a worker keeps that many calls open instead of one per element.
   */
  default int maxConcurrency() {
    return 1;
  }

  @Override
  default void close() {}
}
