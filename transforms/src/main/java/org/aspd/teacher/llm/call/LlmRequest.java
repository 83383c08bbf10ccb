package org.aspd.teacher.llm.call;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.List;
import org.aspd.teacher.llm.Hashing;
import org.aspd.teacher.llm.config.LlmStage;
import org.aspd.teacher.llm.config.ModelSettings;

/**
 * One LLM call as the teacher means it.
 *
 * @param stage which of the four stages asks
 * @param settings the stage's model settings
 * @param promptVersion SHA-256 of the prompt file the messages were rendered from
 * @param messages the conversation sent
 * @param json whether to ask for the provider's JSON mode (ignored where the provider has none)
 * @param index the candidate index (rewrite) or vote index (judges): equal prompts asked twice on
 *     purpose get distinct cache entries
 */
public record LlmRequest(
    LlmStage stage, ModelSettings settings, String promptVersion, List<Message> messages, boolean json,
    int index) {
  private static final ObjectMapper JSON = new ObjectMapper();
  /** Bumped when the key layout changes, so old entries are never misread. */
  private static final int KEY_LAYOUT = 1;

  public LlmRequest {
    messages = List.copyOf(messages);
  }

  public boolean jsonMode() {
    return json && settings.provider().supportsJsonMode();
  }

  /**
   * SHA-256 over everything that shapes the answer: provider, base URL (or the cache scope that
   * stands for it), model, generation parameters, prompt version, messages, stage and index. Never
   * the key (it is not in {@link ModelSettings}), nor timeouts, prices or limits, which do not change
   * what the model says. Without a scope the text hashed is as it always was, so caches stay valid.
   */
  public String cacheKey() {
    ObjectNode k = JSON.createObjectNode();
    k.put("layout", KEY_LAYOUT);
    k.put("provider", settings.provider().id());
    if (settings.cacheScope() == null) {
      k.put("baseUrl", settings.baseUrl());
    } else {
      k.put("cacheScope", settings.cacheScope());
    }
    k.put("model", settings.model());
    k.put("temperature", settings.temperature());
    k.put("topP", settings.topP());
    k.put("maxTokens", settings.maxTokens());
    k.put("jsonMode", jsonMode());
    k.put("promptVersion", promptVersion);
    k.put("stage", stage.id());
    k.put("index", index);
    ArrayNode ms = k.putArray("messages");
    for (Message m : messages) {
      ms.addObject().put("role", m.role().name()).put("text", m.text());
    }
    return Hashing.sha256(k.toString());
  }

  /** Characters / 4: a cheap token estimate for the rate limiter, settled with real usage later. */
  public int estimatedInputTokens() {
    long chars = 0;
    for (Message m : messages) {
      chars += m.text().length();
    }
    return (int) Math.min(Integer.MAX_VALUE, chars / 4 + 16L * messages.size());
  }

  /** The same call continued: the model's reply and a corrective user turn appended. */
  public LlmRequest followUp(String assistantReply, String userMessage, String followUpPromptVersion) {
    List<Message> next = new ArrayList<>(messages);
    next.add(Message.assistant(assistantReply));
    next.add(Message.user(userMessage));
    return new LlmRequest(stage, settings, promptVersion + "+" + followUpPromptVersion, next, json, index);
  }
}
