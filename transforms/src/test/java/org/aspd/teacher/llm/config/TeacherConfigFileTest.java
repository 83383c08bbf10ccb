package org.aspd.teacher.llm.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class TeacherConfigFileTest {
  @Test
  void oneEndpointForEverything() {
    LlmTeacherConfig c = TeacherConfigFile.parse("""
        provider: openai
        baseUrl: http://localhost:8000/v1/
        model: qwen3-32b
        temperature: 1.0
        """);
    for (LlmStage s : LlmStage.values()) {
      assertEquals("qwen3-32b", c.stage(s).model());
      assertEquals("http://localhost:8000/v1", c.stage(s).baseUrl());
      assertEquals("OPENAI_API_KEY", c.stage(s).apiKeyEnv());
    }
    assertEquals(64, c.maxConcurrency());
    assertTrue(c.cache().enabled());
  }

  @Test
  void perStageChoicesOverrideDefaultsFieldByField() {
    LlmTeacherConfig c = TeacherConfigFile.parse("""
        defaults:
          provider: vllm
          baseUrl: http://gpu:8000/v1
          model: qwen3-235b
          temperature: 1.0
          topP: 0.95
          inputPricePerMillion: 0.2
          requestsPerMinute: 600
        stages:
          independence: {provider: ollama, model: qwen3:8b, temperature: 0.0}
          answer: {model: small, apiKeyEnv: ""}
        cache: {dir: /tmp/llm-cache, replay: true}
        retry: {maxAttempts: 2}
        circuitBreaker: {failureThreshold: 4, coolDownSeconds: 5}
        maxConcurrency: 16
        """);
    assertEquals("qwen3-235b", c.stage(LlmStage.REWRITE).model());
    assertEquals(0.95, c.stage(LlmStage.REWRITE).topP());
    ModelSettings judge = c.stage(LlmStage.INDEPENDENCE);
    assertEquals(Provider.OLLAMA, judge.provider());
    assertEquals(0.0, judge.temperature());
    assertEquals(0.95, judge.topP(), "inherited");
    assertEquals(null, judge.apiKeyEnv(), "Ollama needs no key");
    assertEquals("http://localhost:11434", judge.baseUrl(), "not the default provider's endpoint");
    assertEquals("small", c.stage(LlmStage.ANSWER).model());
    assertEquals(null, c.stage(LlmStage.ANSWER).apiKeyEnv(), "an empty name means no key");
    assertEquals(600, c.stage(LlmStage.FORMAT).requestsPerMinute());
    assertTrue(c.cache().replay());
    assertEquals(2, c.retry().maxAttempts());
    assertEquals(4, c.breaker().failureThreshold());
    assertEquals(16, c.maxConcurrency());
  }

  @Test
  void aCacheScopeHoldsForTheEndpointItWasGivenWith() {
    LlmTeacherConfig c = TeacherConfigFile.parse("""
        defaults: {provider: vllm, baseUrl: http://gpu-a:8000/v1, model: qwen3-32b, cacheScope: qwen3-32b-prod}
        stages:
          rewrite: {temperature: 1.0}
          independence: {baseUrl: http://gpu-b:8000/v1}
          format: {provider: ollama, model: qwen3:8b}
          answer: {baseUrl: http://gpu-c:8000/v1, cacheScope: qwen3-32b-prod}
        """);
    LlmTeacherConfig sameUrl = TeacherConfigFile.parse("""
        defaults: {provider: vllm, baseUrl: http://gpu-a:8000/v1, model: qwen3-32b, cacheScope: qwen3-32b-prod}
        stages:
          format: {baseUrl: 'http://gpu-a:8000/v1/', temperature: 0.0}
        """);
    assertEquals("qwen3-32b-prod", sameUrl.stage(LlmStage.FORMAT).cacheScope(), "naming the same URL again keeps it");
    assertEquals("qwen3-32b-prod", c.stage(LlmStage.REWRITE).cacheScope(), "inherited on the same endpoint");
    assertEquals(null, c.stage(LlmStage.INDEPENDENCE).cacheScope(), "another URL does not inherit it");
    assertEquals(null, c.stage(LlmStage.FORMAT).cacheScope(), "nor another provider");
    assertEquals("qwen3-32b-prod", c.stage(LlmStage.ANSWER).cacheScope(), "unless it says so");
  }

  @Test
  void typosAndUnknownStagesAreErrors() {
    assertThrows(IllegalArgumentException.class, () -> TeacherConfigFile.parse("model: m\ntemprature: 0.5\n"));
    assertThrows(IllegalArgumentException.class,
        () -> TeacherConfigFile.parse("model: m\nstages:\n  rewriter: {model: x}\n"));
    assertThrows(IllegalArgumentException.class, () -> TeacherConfigFile.parse("provider: openai\n"));
  }
}
