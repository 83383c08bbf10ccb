package org.aspd.teacher.rules;

import org.aspd.teacher.Teacher;
import org.aspd.teacher.TeacherFactory;

/** Builds the offline {@link RulesTeacher}; it holds no state, so workers may share the recipe. */
public final class RulesTeacherFactory implements TeacherFactory {
  private static final long serialVersionUID = 1L;

  @Override
  public Teacher create() {
    return new RulesTeacher();
  }

  @Override
  public String name() {
    return RulesTeacher.NAME;
  }
}
