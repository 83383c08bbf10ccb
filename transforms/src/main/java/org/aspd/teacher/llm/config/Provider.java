package org.aspd.teacher.llm.config;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonValue;
import java.util.Locale;

/**
 * The provider protocols the LLM teacher speaks, each through LangChain4j. {@code OPENAI} covers every
 * OpenAI-compatible server (OpenAI, vLLM, SGLang, llama.cpp server); its base URL ends in {@code /v1}.
 */
public enum Provider {
  OPENAI("https://api.openai.com/v1", "OPENAI_API_KEY", true),
  OLLAMA("http://localhost:11434", null, true),
  ANTHROPIC("https://api.anthropic.com/v1", "ANTHROPIC_API_KEY", false);

  private final String defaultBaseUrl;
  private final String defaultKeyEnv;
  private final boolean jsonMode;

  Provider(String defaultBaseUrl, String defaultKeyEnv, boolean jsonMode) {
    this.defaultBaseUrl = defaultBaseUrl;
    this.defaultKeyEnv = defaultKeyEnv;
    this.jsonMode = jsonMode;
  }

  public String defaultBaseUrl() {
    return defaultBaseUrl;
  }

  /** The environment variable that holds the key, or null when the provider needs none. */
  public String defaultKeyEnv() {
    return defaultKeyEnv;
  }

  /**
   * Whether the provider has a schemaless JSON mode (OpenAI {@code response_format json_object},
   * Ollama {@code format: json}); Anthropic rejects it, so its judges rely on the prompt and parser.
   */
  public boolean supportsJsonMode() {
    return jsonMode;
  }

  @JsonValue
  public String id() {
    return name().toLowerCase(Locale.ROOT);
  }

  @JsonCreator
  public static Provider of(String id) {
    String key = id.trim().toUpperCase(Locale.ROOT).replace('-', '_');
    return switch (key) {
      case "OPENAI", "OPENAI_COMPATIBLE", "VLLM", "SGLANG", "LLAMACPP", "LLAMA_CPP" -> OPENAI;
      case "OLLAMA" -> OLLAMA;
      case "ANTHROPIC" -> ANTHROPIC;
      default -> throw new IllegalArgumentException(
          "unknown provider '" + id + "'; use openai (any OpenAI-compatible server), ollama or anthropic");
    };
  }
}
