package org.aspd.teacher.llm;

import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.UnaryOperator;
import org.aspd.teacher.llm.config.ModelSettings;

/**
 * API keys, read from the environment when a model is built and kept only in memory. Every text
 * that may leave the process (exception messages, logs, dead letters) goes through
 * {@link #redact(String)}, because some providers echo parts of a wrong key in their error bodies.
 */
public final class Secrets {
  private final UnaryOperator<String> env;
  private final Set<String> seen = ConcurrentHashMap.newKeySet();

  /** @param env looks up an environment variable ({@code System::getenv} outside tests) */
  public Secrets(UnaryOperator<String> env) {
    this.env = env;
  }

  public static Secrets fromEnvironment() {
    return new Secrets(System::getenv);
  }

  /** The key for these settings, or null when none is configured or set (local servers need none). */
  public String key(ModelSettings s) {
    if (s.apiKeyEnv() == null) {
      return null;
    }
    String key = env.apply(s.apiKeyEnv());
    if (key == null || key.isBlank()) {
      return null;
    }
    seen.add(key);
    return key;
  }

  public String requiredKey(ModelSettings s) {
    String key = key(s);
    if (key == null) {
      throw new IllegalStateException(s.provider().id() + " needs a key: set the environment variable "
          + (s.apiKeyEnv() == null ? "named by apiKeyEnv" : s.apiKeyEnv()));
    }
    return key;
  }

  /** {@code text} with every key handed out so far replaced by {@code ***}. */
  public String redact(String text) {
    if (text == null) {
      return "";
    }
    String out = text;
    for (String key : seen) {
      out = out.replace(key, "***");
    }
    return out;
  }
}
