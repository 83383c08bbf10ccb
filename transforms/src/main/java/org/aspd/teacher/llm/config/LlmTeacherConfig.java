package org.aspd.teacher.llm.config;

import java.io.Serializable;
import java.util.EnumMap;
import java.util.Map;

/**
 * Everything that configures the LLM teacher; immutable and serializable, so the factory can ship it
 * to workers. Secrets are not part of it: each stage names the environment variable of its key.
 *
 * @param stages one model setting per stage (all four present)
 * @param cache the call cache and replay mode
 * @param maxConcurrency samples a worker's stage keeps in flight at once (default 64)
 * @param retry retries per call
 * @param breaker the per-endpoint circuit breaker
 */
public record LlmTeacherConfig(
    Map<LlmStage, ModelSettings> stages,
    CacheSettings cache,
    int maxConcurrency,
    RetrySettings retry,
    BreakerSettings breaker) implements Serializable {
  public static final int DEFAULT_MAX_CONCURRENCY = 64;

  public LlmTeacherConfig {
    EnumMap<LlmStage, ModelSettings> copy = new EnumMap<>(LlmStage.class);
    copy.putAll(stages);
    for (LlmStage s : LlmStage.values()) {
      if (!copy.containsKey(s)) {
        throw new IllegalArgumentException("no model configured for stage " + s.id());
      }
    }
    stages = java.util.Collections.unmodifiableMap(copy);
    cache = cache == null ? CacheSettings.defaults() : cache;
    retry = retry == null ? RetrySettings.defaults() : retry;
    breaker = breaker == null ? BreakerSettings.defaults() : breaker;
    if (maxConcurrency < 1) {
      throw new IllegalArgumentException("maxConcurrency must be >= 1");
    }
  }

  /** The "one endpoint for everything" form. */
  public static LlmTeacherConfig single(ModelSettings everywhere) {
    EnumMap<LlmStage, ModelSettings> stages = new EnumMap<>(LlmStage.class);
    for (LlmStage s : LlmStage.values()) {
      stages.put(s, everywhere);
    }
    return new LlmTeacherConfig(stages, null, DEFAULT_MAX_CONCURRENCY, null, null);
  }

  public ModelSettings stage(LlmStage stage) {
    return stages.get(stage);
  }

  public LlmTeacherConfig withCache(CacheSettings c) {
    return new LlmTeacherConfig(stages, c, maxConcurrency, retry, breaker);
  }

  public LlmTeacherConfig withMaxConcurrency(int n) {
    return new LlmTeacherConfig(stages, cache, n, retry, breaker);
  }

  public LlmTeacherConfig withRetry(RetrySettings r) {
    return new LlmTeacherConfig(stages, cache, maxConcurrency, r, breaker);
  }

  public LlmTeacherConfig withBreaker(BreakerSettings b) {
    return new LlmTeacherConfig(stages, cache, maxConcurrency, retry, b);
  }

  /** Applies {@code change} to every stage's settings (e.g. a command-line override). */
  public LlmTeacherConfig mapStages(java.util.function.UnaryOperator<ModelSettings> change) {
    EnumMap<LlmStage, ModelSettings> next = new EnumMap<>(LlmStage.class);
    stages.forEach((k, v) -> next.put(k, change.apply(v)));
    return new LlmTeacherConfig(next, cache, maxConcurrency, retry, breaker);
  }
}
