package org.aspd.pipeline.llm;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.apache.beam.sdk.options.PipelineOptionsFactory;
import org.apache.beam.sdk.util.SerializableUtils;
import org.aspd.model.Sample;
import org.aspd.teacher.TeacherFactory;
import org.aspd.teacher.llm.DryRunEstimator;
import org.aspd.teacher.llm.config.LlmStage;
import org.aspd.teacher.llm.config.LlmTeacherConfig;
import org.aspd.teacher.llm.config.Provider;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class LlmTeachersTest {
  @TempDir Path dir;

  private static LlmOptions options(String... args) {
    PipelineOptionsFactory.register(LlmOptions.class);
    return PipelineOptionsFactory.fromArgs(args).withValidation().as(LlmOptions.class);
  }

  @Test
  void oneEndpointFromFlags() {
    LlmTeacherConfig c = LlmTeachers.config("openai", options(
        "--baseUrl=http://127.0.0.1:8000/v1", "--model=qwen3", "--noCache", "--maxInFlight=8"));
    for (LlmStage s : LlmStage.values()) {
      assertEquals("http://127.0.0.1:8000/v1", c.stage(s).baseUrl());
      assertEquals("qwen3", c.stage(s).model());
    }
    assertFalse(c.cache().enabled());
    assertEquals(8, c.maxConcurrency());
    TeacherFactory f = LlmTeachers.factory("openai", options("--model=qwen3"));
    assertEquals("openai:qwen3", f.name());
    SerializableUtils.ensureSerializable(f);
  }

  @Test
  void yamlDecidesStagesAndFlagsOverride() throws Exception {
    Path yaml = dir.resolve("teacher.yaml");
    Files.writeString(yaml, """
        defaults: {provider: ollama, model: big}
        stages:
          format: {model: small}
        cache: {dir: /tmp/from-yaml}
        maxConcurrency: 4
        """);
    LlmTeacherConfig c = LlmTeachers.config("ollama", options(
        "--teacherConfig=" + yaml, "--llmCache=" + dir.resolve("cache"), "--llmReplay"));
    assertEquals(Provider.OLLAMA, c.stage(LlmStage.REWRITE).provider());
    assertEquals("small", c.stage(LlmStage.FORMAT).model());
    assertEquals(dir.resolve("cache"), c.cache().path());
    assertTrue(c.cache().replay());
    assertEquals(4, c.maxConcurrency());
    assertEquals("m2", LlmTeachers.config("ollama", options("--teacherConfig=" + yaml, "--model=m2"))
        .stage(LlmStage.FORMAT).model());
  }

  @Test
  void aBaseUrlFlagForAnotherEndpointDropsTheYamlsCacheScope() throws Exception {
    Path yaml = dir.resolve("scoped.yaml");
    Files.writeString(yaml, "{provider: vllm, baseUrl: 'http://gpu-a:8000/v1', model: m, cacheScope: m-prod}\n");
    LlmTeacherConfig same = LlmTeachers.config("openai", options("--teacherConfig=" + yaml, "--baseUrl=http://gpu-a:8000/v1/"));
    LlmTeacherConfig other = LlmTeachers.config("openai", options("--teacherConfig=" + yaml, "--baseUrl=http://gpu-b:8000/v1"));
    for (LlmStage s : LlmStage.values()) {
      assertEquals("m-prod", same.stage(s).cacheScope(), "the YAML's own endpoint keeps it");
      assertEquals(null, other.stage(s).cacheScope(), "the scope vouches for gpu-a's model, not gpu-b's");
    }
  }

  @Test
  void rejectsUnknownTeachersAndMissingModels() {
    assertThrows(IllegalArgumentException.class, () -> LlmTeachers.factory("rules", options("--model=x")));
    assertThrows(IllegalArgumentException.class, () -> LlmTeachers.factory("anthropic", options()));
    // A typo in the URL is refused before the job, not retried as an outage for every sample.
    for (String url : List.of("not-a-url", "localhost:8000/v1", "http:///v1", "ftp://host/v1")) {
      IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
          () -> LlmTeachers.factory("openai", options("--model=m", "--baseUrl=" + url)), url);
      assertTrue(e.getMessage().startsWith("base URL '" + url + "'"), e.getMessage());
    }
  }

  @Test
  void dryRunPrintsAnEstimateWithoutAnEndpoint() {
    Sample s = new Sample("a", "", "", "", "", List.of(), "Explain.", "word ".repeat(200));
    String report = LlmTeachers.dryRun("openai", options("--model=m", "--baseUrl=http://127.0.0.1:9/v1"),
        List.of(s), DryRunEstimator.Assumptions.defaults());
    assertTrue(report.contains("rewrite") && report.contains("openai:m"), report);
  }
}
