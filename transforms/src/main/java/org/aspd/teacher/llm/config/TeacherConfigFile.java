package org.aspd.teacher.llm.config;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.EnumMap;
import java.util.Iterator;
import java.util.Set;

/**
 * Reads the teacher's YAML file. The simple form is one endpoint for everything:
 *
 * <pre>
 * provider: openai
 * baseUrl: http://localhost:8000/v1
 * model: qwen3-32b
 * </pre>
 *
 * <p>Per-stage choices put shared settings under {@code defaults} and override them per stage
 * (field by field) under {@code stages.rewrite|independence|format|answer}. Top-level sections
 * {@code cache}, {@code retry}, {@code circuitBreaker} and {@code maxConcurrency} are optional.
 * Unknown keys are errors, so a typo never silently falls back to a default.
 */
public final class TeacherConfigFile {
  private static final Set<String> SECTIONS =
      Set.of("defaults", "stages", "cache", "retry", "circuitBreaker", "maxConcurrency");
  private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory())
      .enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES);

  private TeacherConfigFile() {}

  public static LlmTeacherConfig read(Path file) {
    try {
      return parse(Files.readString(file));
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read teacher config " + file, e);
    }
  }

  public static LlmTeacherConfig parse(String yaml) {
    try {
      JsonNode root = YAML.readTree(yaml);
      if (root == null || !root.isObject()) {
        throw new IllegalArgumentException("teacher config must be a YAML mapping");
      }
      ObjectNode defaults = defaults((ObjectNode) root);
      JsonNode stageNodes = root.path("stages");
      EnumMap<LlmStage, ModelSettings> stages = new EnumMap<>(LlmStage.class);
      for (Iterator<String> it = stageNodes.fieldNames(); it.hasNext(); ) {
        LlmStage.of(it.next()); // rejects unknown stage names early
      }
      for (LlmStage stage : LlmStage.values()) {
        ObjectNode merged = defaults.deepCopy();
        JsonNode override = stageNodes.path(stage.id());
        if (override.isObject()) {
          if (switchesProvider(defaults, override)) {
            // Another provider's endpoint and key variable would be wrong here: use the new one's.
            merged.remove("baseUrl");
            merged.remove("apiKeyEnv");
          }
          if (switchesProvider(defaults, override) || movesEndpoint(defaults, override)) {
            // A cache scope vouches for the model behind one endpoint: another endpoint names its own.
            merged.remove("cacheScope");
          }
          merged.setAll((ObjectNode) override);
        }
        stages.put(stage, YAML.treeToValue(merged, ModelSettings.class));
      }
      return new LlmTeacherConfig(stages,
          section(root, "cache", CacheSettings.class),
          root.path("maxConcurrency").asInt(LlmTeacherConfig.DEFAULT_MAX_CONCURRENCY),
          section(root, "retry", RetrySettings.class),
          section(root, "circuitBreaker", BreakerSettings.class));
    } catch (JsonProcessingException e) {
      throw new IllegalArgumentException("invalid teacher config: " + e.getOriginalMessage(), e);
    }
  }

  /** The {@code defaults} section, or the model fields written at the top level (simple form). */
  private static ObjectNode defaults(ObjectNode root) {
    ObjectNode defaults = root.path("defaults").isObject()
        ? ((ObjectNode) root.get("defaults")).deepCopy() : YAML.createObjectNode();
    root.fields().forEachRemaining(e -> {
      if (!SECTIONS.contains(e.getKey())) {
        defaults.set(e.getKey(), e.getValue());
      }
    });
    return defaults;
  }

  /** A stage that names another base URL than the defaults (a trailing slash aside). */
  private static boolean movesEndpoint(ObjectNode defaults, JsonNode override) {
    if (!override.has("baseUrl")) {
      return false;
    }
    return !ModelSettings.sameUrl(defaults.path("baseUrl").asText(""), override.path("baseUrl").asText(""));
  }

  private static boolean switchesProvider(JsonNode defaults, JsonNode override) {
    return override.has("provider") && (!defaults.has("provider")
        || Provider.of(defaults.get("provider").asText()) != Provider.of(override.get("provider").asText()));
  }

  private static <T> T section(JsonNode root, String name, Class<T> type) throws JsonProcessingException {
    JsonNode node = root.get(name);
    return node == null || node.isNull() ? null : YAML.treeToValue(node, type);
  }
}
