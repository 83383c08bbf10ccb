package org.aspd.pipeline.llm;

import org.apache.beam.sdk.options.Default;
import org.apache.beam.sdk.options.Description;
import org.apache.beam.sdk.options.PipelineOptions;

/**
 * Options of the LLM teachers ({@code --teacher openai|ollama|anthropic}). Keys are never options:
 * they come from {@code OPENAI_API_KEY} / {@code ANTHROPIC_API_KEY} (or the variable a config names).
 */
public interface LlmOptions extends PipelineOptions {
  @Description("YAML file with per-stage provider, model and generation settings (see TeacherConfigFile). "
      + "Without it, one endpoint serves every stage: --baseUrl and --model.")
  String getTeacherConfig();

  void setTeacherConfig(String value);

  @Description("Endpoint of the teacher; OpenAI-compatible URLs end in /v1 (vLLM: http://host:8000/v1). "
      + "Defaults to the provider's public endpoint; with --teacherConfig it overrides every stage.")
  String getBaseUrl();

  void setBaseUrl(String value);

  @Description("Model name sent to the endpoint; required without --teacherConfig, "
      + "and with it overrides every stage.")
  String getModel();

  void setModel(String value);

  @Description("Directory of the LLM call cache, shared by workers and runs (default ~/.cache/aspd/llm).")
  String getLlmCache();

  void setLlmCache(String value);

  @Description("Bypass the LLM call cache: neither read nor record calls.")
  @Default.Boolean(false)
  boolean getNoCache();

  void setNoCache(boolean value);

  @Description("Answer only from recorded calls; a call that was never recorded fails its sample.")
  @Default.Boolean(false)
  boolean getLlmReplay();

  void setLlmReplay(boolean value);

  @Description("LLM calls each stage keeps in flight per worker (default 64, or the config's maxConcurrency).")
  Integer getMaxInFlight();

  void setMaxInFlight(Integer value);

  @Description("Print the calls, tokens and cost the run would spend, then stop without calling anything.")
  @Default.Boolean(false)
  boolean getDryRun();

  void setDryRun(boolean value);
}
