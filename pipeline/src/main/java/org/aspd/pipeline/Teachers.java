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
      requireNoLlmSettings(options);
      return new RulesTeacherFactory(options.getTokenizer());
    }
    if (LlmTeachers.handles(name)) {
      return LlmTeachers.factory(name, options);
    }
    throw new IllegalArgumentException("unknown teacher '" + name + "'; available: rules, "
        + String.join(", ", LlmTeachers.NAMES));
  }

  /**
   * Refuses LLM settings for the embedded teacher: it would ignore them, and the run would look like
   * an LLM run that cost nothing.
   */
  private static void requireNoLlmSettings(AspdOptions options) {
    String llm = llmSetting(options);
    if (llm != null) {
      throw new IllegalArgumentException(llm + " is an LLM teacher setting, but the teacher is the embedded"
          + " 'rules' one: add --teacher openai|ollama|anthropic");
    }
  }

  /** The first LLM-only setting given, or null. */
  private static String llmSetting(AspdOptions o) {
    return o.getTeacherConfig() != null ? "--teacher-config" : o.getBaseUrl() != null ? "--base-url"
        : o.getModel() != null ? "--model" : o.getLlmReplay() ? "--llm-replay" : o.getLlmCache() != null ? "--llm-cache"
        : o.getMaxInFlight() != null ? "--max-in-flight" : null;
  }

  /** Asks a teacher instance for its version once, at pipeline construction. */
  public static String version(TeacherFactory factory) {
    try (Teacher t = factory.create()) {
      return t.version();
    }
  }
}
