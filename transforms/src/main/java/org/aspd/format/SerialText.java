package org.aspd.format;

import java.util.Objects;

/** Text decoded one token per step; it sees everything before it. */
public record SerialText(String text) implements Item {
  public SerialText {
    Objects.requireNonNull(text, "text");
  }
}
