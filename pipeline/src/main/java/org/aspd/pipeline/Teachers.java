package org.aspd.pipeline;

import org.aspd.teacher.Teacher;
import org.aspd.teacher.TeacherFactory;
import org.aspd.teacher.rules.RulesTeacherFactory;

/** Maps {@code --teacher} names to teacher factories. */
final class Teachers {
  private Teachers() {}

  static TeacherFactory factory(String name) {
    return switch (name) {
      case "rules" -> new RulesTeacherFactory();
      default -> throw new IllegalArgumentException("unknown teacher '" + name + "'; available: rules");
    };
  }

  /** Asks a teacher instance for its version once, at pipeline construction. */
  static String version(TeacherFactory factory) {
    try (Teacher t = factory.create()) {
      return t.version();
    }
  }
}
