/**
 * The LLM teacher: the four stage calls of the method (§3) answered by models through LangChain4j
 * (OpenAI-compatible servers, Ollama, Anthropic).
 *
 * <ul>
 *   <li>{@link org.aspd.teacher.llm.LlmTeacher} (entry point) and its serializable
 *       {@link org.aspd.teacher.llm.LlmTeacherFactory};
 *   <li>{@code config}: per-stage model settings and the YAML file that sets them;
 *   <li>{@code prompt}: the versioned prompt files of {@code prompts/};
 *   <li>{@code call}: one call with rate limits, retries, {@code Retry-After}, circuit breaker;
 *   <li>{@code cache}: the content-addressed call cache behind resume and replay;
 *   <li>{@code parse}: tolerant readers of verdicts and rewrite replies;
 *   <li>{@link org.aspd.teacher.llm.UsageLedger} and {@link org.aspd.teacher.llm.DryRunEstimator}:
 *       what was spent, and what would be.
 * </ul>
 */
package org.aspd.teacher.llm;
