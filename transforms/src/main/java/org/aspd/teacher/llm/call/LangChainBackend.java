package org.aspd.teacher.llm.call;

import dev.langchain4j.data.message.AiMessage;
import dev.langchain4j.data.message.ChatMessage;
import dev.langchain4j.data.message.SystemMessage;
import dev.langchain4j.data.message.UserMessage;
import dev.langchain4j.model.anthropic.AnthropicChatModel;
import dev.langchain4j.model.chat.ChatModel;
import dev.langchain4j.model.chat.request.ChatRequest;
import dev.langchain4j.model.chat.request.ResponseFormat;
import dev.langchain4j.model.chat.response.ChatResponse;
import dev.langchain4j.model.ollama.OllamaChatModel;
import dev.langchain4j.model.openai.OpenAiChatModel;
import dev.langchain4j.model.output.TokenUsage;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.aspd.teacher.llm.Secrets;
import org.aspd.teacher.llm.config.ModelSettings;

/**
 * Sends calls through LangChain4j's chat models: {@code OpenAiChatModel} for every OpenAI-compatible
 * server, {@code OllamaChatModel} ({@code /api/chat}) and {@code AnthropicChatModel}. One model per
 * distinct settings, built on first use. LangChain4j's retries are off ({@code maxRetries(0)}) and
 * request logging stays off, so the key never reaches a log; {@link ResilientCaller} retries.
 */
public final class LangChainBackend implements ChatBackend {
  private final Secrets secrets;
  private final Map<ModelSettings, ChatModel> models = new ConcurrentHashMap<>();

  public LangChainBackend(Secrets secrets) {
    this.secrets = secrets;
  }

  @Override
  public LlmReply send(LlmRequest request) {
    ChatModel model = models.computeIfAbsent(request.settings(), this::build);
    ChatRequest.Builder chat = ChatRequest.builder().messages(toLangChain(request.messages()));
    if (request.jsonMode()) {
      chat.responseFormat(ResponseFormat.JSON);
    }
    ChatResponse response = model.chat(chat.build());
    TokenUsage usage = response.tokenUsage();
    return new LlmReply(
        response.aiMessage() == null ? "" : response.aiMessage().text(),
        response.finishReason() == null ? "" : response.finishReason().name().toLowerCase(Locale.ROOT),
        usage == null || usage.inputTokenCount() == null ? 0 : usage.inputTokenCount(),
        usage == null || usage.outputTokenCount() == null ? 0 : usage.outputTokenCount());
  }

  private ChatModel build(ModelSettings s) {
    String key = secrets.key(s);
    return switch (s.provider()) {
      case OPENAI -> OpenAiChatModel.builder()
          .httpClientBuilder(HeaderAwareHttpClient.builder())
          .baseUrl(s.baseUrl())
          .apiKey(key)
          .modelName(s.model())
          .temperature(s.temperature())
          .topP(s.topP())
          .maxTokens(s.maxTokens())
          .timeout(s.timeout())
          .maxRetries(0)
          .logRequests(false)
          .logResponses(false)
          .build();
      case OLLAMA -> OllamaChatModel.builder()
          .httpClientBuilder(HeaderAwareHttpClient.builder())
          .baseUrl(s.baseUrl())
          .modelName(s.model())
          .temperature(s.temperature())
          .topP(s.topP())
          .numPredict(s.maxTokens())
          .timeout(s.timeout())
          .customHeaders(key == null ? Map.of() : Map.of("Authorization", "Bearer " + key))
          .maxRetries(0)
          .logRequests(false)
          .logResponses(false)
          .build();
      case ANTHROPIC -> AnthropicChatModel.builder()
          .httpClientBuilder(HeaderAwareHttpClient.builder())
          .baseUrl(s.baseUrl())
          .apiKey(secrets.requiredKey(s))
          .modelName(s.model())
          .temperature(s.temperature())
          .topP(s.topP())
          .maxTokens(s.maxTokens())
          .timeout(s.timeout())
          .maxRetries(0)
          .logRequests(false)
          .logResponses(false)
          .build();
    };
  }

  private static List<ChatMessage> toLangChain(List<Message> messages) {
    List<ChatMessage> out = new ArrayList<>(messages.size());
    for (Message m : messages) {
      out.add(switch (m.role()) {
        case SYSTEM -> SystemMessage.from(m.text());
        case USER -> UserMessage.from(m.text());
        case ASSISTANT -> AiMessage.from(m.text());
      });
    }
    return out;
  }
}
