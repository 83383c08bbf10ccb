package org.aspd.teacher;

import java.io.Serializable;

/**
 * Serializable recipe for a {@link Teacher}: the pipeline ships the factory to workers and builds
 * the teacher once per worker in {@code @Setup}.
 */
public interface TeacherFactory extends Serializable {
  Teacher create();

  /** The name the teacher will report, known before any worker starts. */
  String name();
}
