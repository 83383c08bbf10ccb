package org.aspd.pipeline;

import org.aspd.pipeline.llm.LlmTeachers;
import org.aspd.teacher.Teacher;
import org.aspd.teacher.TeacherFactory;
import org.aspd.teacher.rules.RulesTeacherFactory;

/** Maps {@code --teacher} names to teacher factories. */
public final class Teachers {
  private Teachers() {}

  public static TeacherFactory factory(AspdOptions options) {
    String name = options.getTeacher();
    if (name.equals("rules")) {
      return new RulesTeacherFactory();
    }
    if (LlmTeachers.handles(name)) {
      return LlmTeachers.factory(name, options);
    }
    throw new IllegalArgumentException("unknown teacher '" + name + "'; available: rules, "
        + String.join(", ", LlmTeachers.NAMES));
  }

  /** Asks a teacher instance for its version once, at pipeline construction. */
  public static String version(TeacherFactory factory) {
    try (Teacher t = factory.create()) {
      return t.version();
    }
  }
}
