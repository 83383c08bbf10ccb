package org.aspd.teacher.llm.call;

import java.util.Objects;

/** One chat message, provider-neutral (LangChain4j's types stay inside the backend). */
public record Message(Role role, String text) {
  public enum Role { SYSTEM, USER, ASSISTANT }

  public Message {
    Objects.requireNonNull(role, "role");
    Objects.requireNonNull(text, "text");
  }

  public static Message system(String text) {
    return new Message(Role.SYSTEM, text);
  }

  public static Message user(String text) {
    return new Message(Role.USER, text);
  }

  public static Message assistant(String text) {
    return new Message(Role.ASSISTANT, text);
  }
}
