package org.aspd.teacher.llm.config;

import java.util.Locale;

/** The four teacher calls of the method (§3); each may use its own model and settings. */
public enum LlmStage {
  REWRITE,
  INDEPENDENCE,
  FORMAT,
  ANSWER;

  /** The name used in YAML, counters, cache entries and error messages. */
  public String id() {
    return name().toLowerCase(Locale.ROOT);
  }

  public static LlmStage of(String id) {
    return valueOf(id.trim().toUpperCase(Locale.ROOT));
  }
}
