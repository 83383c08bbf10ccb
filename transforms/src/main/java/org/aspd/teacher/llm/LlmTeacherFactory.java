package org.aspd.teacher.llm;

import org.aspd.teacher.Teacher;
import org.aspd.teacher.TeacherFactory;
import org.aspd.teacher.llm.config.LlmTeacherConfig;

/**
 * Ships the LLM teacher's configuration to workers; each worker builds its teacher (and reads its key
 * from its own environment) in {@code @Setup}. The rate limits and breakers are JVM-wide, so all
 * teacher instances of a worker share them.
 */
public final class LlmTeacherFactory implements TeacherFactory {
  private static final long serialVersionUID = 1L;

  private final LlmTeacherConfig config;

  public LlmTeacherFactory(LlmTeacherConfig config) {
    this.config = config;
  }

  public LlmTeacherConfig config() {
    return config;
  }

  @Override
  public Teacher create() {
    return LlmTeacher.builder(config).build();
  }

  @Override
  public String name() {
    return LlmTeacher.nameOf(config);
  }
}
