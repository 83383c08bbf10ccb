package org.aspd.teacher.llm.call;

/**
 * One attempt of one call against a provider, without retries. Failures surface as LangChain4j's
 * exceptions (or any runtime exception for transport trouble); {@link ResilientCaller} decides.
 */
public interface ChatBackend extends AutoCloseable {
  LlmReply send(LlmRequest request);

  @Override
  default void close() {}
}
