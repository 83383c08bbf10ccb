package org.aspd.teacher.llm.config;

import java.io.Serializable;
import java.time.Duration;
import java.util.Objects;

/**
 * How one stage talks to its model. Only the name of the environment variable holding the key is
 * configured, never the key itself, so this record can be shipped to workers, printed and hashed.
 *
 * @param provider protocol
 * @param baseUrl endpoint; OpenAI-compatible URLs end in {@code /v1}
 * @param model model name sent to the server
 * @param temperature sampling temperature, or null for the server's default
 * @param topP nucleus sampling, or null for the server's default
 * @param maxTokens output token limit
 * @param timeoutSeconds per-request timeout (connect and read)
 * @param apiKeyEnv environment variable with the key; null or absent means "no key" (local servers)
 * @param inputPricePerMillion USD per million input tokens, for cost estimates
 * @param outputPricePerMillion USD per million output tokens
 * @param requestsPerMinute endpoint request limit, 0 = unlimited (shared by all stages on the endpoint)
 * @param tokensPerMinute endpoint token limit, 0 = unlimited
 * @param cacheScope a name for the model behind the endpoint, or null: calls under one scope share
 *     cache entries (and the keys rows name) whatever the base URL, for replicas behind different
 *     URLs or a server that moved. Without it the base URL is part of the key, since two servers may
 *     serve different models under one name; set it only where every URL serves the same weights
 */
public record ModelSettings(
    Provider provider,
    String baseUrl,
    String model,
    Double temperature,
    Double topP,
    Integer maxTokens,
    Double timeoutSeconds,
    String apiKeyEnv,
    Double inputPricePerMillion,
    Double outputPricePerMillion,
    Integer requestsPerMinute,
    Integer tokensPerMinute,
    String cacheScope) implements Serializable {

  /** Fills the provider's defaults into every field left empty. */
  public ModelSettings {
    provider = provider == null ? Provider.OPENAI : provider;
    baseUrl = stripSlash(baseUrl == null || baseUrl.isBlank() ? provider.defaultBaseUrl() : baseUrl.trim());
    Objects.requireNonNull(model, "model");
    maxTokens = maxTokens == null ? 4096 : maxTokens;
    timeoutSeconds = timeoutSeconds == null ? 120.0 : timeoutSeconds;
    apiKeyEnv = apiKeyEnv == null ? provider.defaultKeyEnv() : (apiKeyEnv.isBlank() ? null : apiKeyEnv);
    inputPricePerMillion = inputPricePerMillion == null ? 0.0 : inputPricePerMillion;
    outputPricePerMillion = outputPricePerMillion == null ? 0.0 : outputPricePerMillion;
    requestsPerMinute = requestsPerMinute == null ? 0 : requestsPerMinute;
    tokensPerMinute = tokensPerMinute == null ? 0 : tokensPerMinute;
    cacheScope = cacheScope == null || cacheScope.isBlank() ? null : cacheScope.trim();
    checkBaseUrl(baseUrl);
    if (maxTokens <= 0 || timeoutSeconds <= 0 || requestsPerMinute < 0 || tokensPerMinute < 0) {
      throw new IllegalArgumentException("maxTokens and timeoutSeconds must be > 0, limits >= 0: " + model);
    }
  }

  public static ModelSettings of(Provider provider, String baseUrl, String model) {
    return new ModelSettings(provider, baseUrl, model, null, null, null, null, null, null, null, null, null, null);
  }

  /** Two base URLs name one endpoint when they differ only by surrounding space or a trailing slash. */
  public static boolean sameUrl(String a, String b) {
    return stripSlash(a.trim()).equals(stripSlash(b.trim()));
  }

  /** Rate limits and the circuit breaker are shared by everything that calls this endpoint. */
  public String endpoint() {
    return provider.id() + " " + baseUrl;
  }

  /** {@code provider:model}, as recorded in rows and counters. */
  public String label() {
    return provider.id() + ":" + model;
  }

  public Duration timeout() {
    return Duration.ofMillis(Math.round(timeoutSeconds * 1000));
  }

  public double costUsd(long inputTokens, long outputTokens) {
    return (inputTokens * inputPricePerMillion + outputTokens * outputPricePerMillion) / 1_000_000.0;
  }

  public ModelSettings withTemperature(Double t) {
    return new ModelSettings(provider, baseUrl, model, t, topP, maxTokens, timeoutSeconds, apiKeyEnv,
        inputPricePerMillion, outputPricePerMillion, requestsPerMinute, tokensPerMinute, cacheScope);
  }

  public ModelSettings withLimits(int rpm, int tpm) {
    return new ModelSettings(provider, baseUrl, model, temperature, topP, maxTokens, timeoutSeconds, apiKeyEnv,
        inputPricePerMillion, outputPricePerMillion, rpm, tpm, cacheScope);
  }

  public ModelSettings withTimeoutSeconds(double seconds) {
    return new ModelSettings(provider, baseUrl, model, temperature, topP, maxTokens, seconds, apiKeyEnv,
        inputPricePerMillion, outputPricePerMillion, requestsPerMinute, tokensPerMinute, cacheScope);
  }

  public ModelSettings withCacheScope(String scope) {
    return new ModelSettings(provider, baseUrl, model, temperature, topP, maxTokens, timeoutSeconds, apiKeyEnv,
        inputPricePerMillion, outputPricePerMillion, requestsPerMinute, tokensPerMinute, scope);
  }

  /**
   * A URL without http(s), or without a host, is a typo, not an outage: it was retried as a
   * transient fault and every sample dead-lettered while the run exited 0.
   */
  private static void checkBaseUrl(String url) {
    java.net.URI uri;
    try {
      uri = new java.net.URI(url);
    } catch (java.net.URISyntaxException e) {
      throw new IllegalArgumentException("base URL '" + url + "' is not a URL: " + e.getReason());
    }
    String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(java.util.Locale.ROOT);
    if (!(scheme.equals("http") || scheme.equals("https")) || uri.getHost() == null || uri.getHost().isEmpty()) {
      throw new IllegalArgumentException("base URL '" + url + "' must be http(s)://HOST[:PORT]/..., e.g."
          + " http://localhost:8000/v1");
    }
  }

  private static String stripSlash(String url) {
    return url.endsWith("/") ? url.substring(0, url.length() - 1) : url;
  }
}
