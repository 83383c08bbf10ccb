package org.aspd.pipeline.llm;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Set;
import org.aspd.model.Sample;
import org.aspd.teacher.TeacherFactory;
import org.aspd.teacher.llm.DryRunEstimator;
import org.aspd.teacher.llm.LlmTeacherFactory;
import org.aspd.teacher.llm.config.CacheSettings;
import org.aspd.teacher.llm.config.LlmTeacherConfig;
import org.aspd.teacher.llm.config.ModelSettings;
import org.aspd.teacher.llm.config.Provider;
import org.aspd.teacher.llm.config.TeacherConfigFile;

/** Builds the LLM teacher factory from {@link LlmOptions}, in one place. */
public final class LlmTeachers {
  /** The {@code --teacher} names served here. */
  public static final Set<String> NAMES = Set.of("openai", "ollama", "anthropic");

  private LlmTeachers() {}

  public static boolean handles(String teacherName) {
    return NAMES.contains(teacherName);
  }

  /**
   * With {@code --teacherConfig} the file decides every stage and {@code --baseUrl}/{@code --model},
   * when given, override all stages; without it the teacher name picks the provider and one endpoint
   * serves every stage. Cache, replay and in-flight options apply on top either way.
   */
  public static TeacherFactory factory(String teacherName, LlmOptions o) {
    return new LlmTeacherFactory(config(teacherName, o));
  }

  public static LlmTeacherConfig config(String teacherName, LlmOptions o) {
    if (!handles(teacherName)) {
      throw new IllegalArgumentException("not an LLM teacher: '" + teacherName + "'; use one of " + NAMES);
    }
    LlmTeacherConfig config;
    if (o.getTeacherConfig() != null) {
      config = TeacherConfigFile.read(Path.of(o.getTeacherConfig()));
      if (o.getBaseUrl() != null || o.getModel() != null) {
        config = config.mapStages(s -> new ModelSettings(s.provider(), orElse(o.getBaseUrl(), s.baseUrl()),
            orElse(o.getModel(), s.model()), s.temperature(), s.topP(), s.maxTokens(), s.timeoutSeconds(),
            s.apiKeyEnv() == null ? "" : s.apiKeyEnv(), s.inputPricePerMillion(), s.outputPricePerMillion(),
            s.requestsPerMinute(), s.tokensPerMinute(),
            // A scope vouches for the model behind the YAML's endpoint, not for another one.
            o.getBaseUrl() == null || ModelSettings.sameUrl(o.getBaseUrl(), s.baseUrl()) ? s.cacheScope() : null));
      }
    } else {
      if (o.getModel() == null || o.getModel().isBlank()) {
        throw new IllegalArgumentException("--teacher " + teacherName + " needs --model (or --teacherConfig)");
      }
      config = LlmTeacherConfig.single(ModelSettings.of(Provider.of(teacherName), o.getBaseUrl(), o.getModel()));
    }
    CacheSettings c = config.cache();
    config = config.withCache(new CacheSettings(orElse(o.getLlmCache(), c.dir()),
        c.enabled() && !o.getNoCache(), c.replay() || o.getLlmReplay()));
    return o.getMaxInFlight() == null ? config : config.withMaxConcurrency(o.getMaxInFlight());
  }

  /** The {@code --dryRun} report: the estimate table for these samples, as text. */
  public static String dryRun(String teacherName, LlmOptions o, Iterable<Sample> samples,
      DryRunEstimator.Assumptions assumptions) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    DryRunEstimator.print(new DryRunEstimator(config(teacherName, o), assumptions).estimate(samples),
        new PrintStream(out, true, StandardCharsets.UTF_8));
    return out.toString(StandardCharsets.UTF_8);
  }

  private static String orElse(String value, String fallback) {
    return value == null || value.isBlank() ? fallback : value;
  }
}
