package org.aspd.model;

import java.io.Serializable;
import java.util.Objects;

/** One earlier message of a conversation; {@code role} is {@code user} or {@code assistant}. */
public record Turn(String role, String content) implements Serializable {
  public Turn {
    Objects.requireNonNull(role, "role");
    Objects.requireNonNull(content, "content");
  }
}
