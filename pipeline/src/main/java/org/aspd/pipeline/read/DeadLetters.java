package org.aspd.pipeline.read;

import org.aspd.model.DeadLetter;

/** Builds the reader's dead letters, keeping each one bounded however large its input was. */
final class DeadLetters {
  static final String STAGE = "ReadSamples";

  /** Inputs longer than this are cut, so one broken multi-GB file cannot blow up the failure output. */
  static final int MAX_INPUT_CHARS = 1 << 20;
  /** How a detail says its input was cut (a dead letter read back as input needs to know). */
  static final String TRUNCATED = " [input truncated to the first ";

  private DeadLetters() {}

  static DeadLetter of(String reason, String detail, String id, String source, String input) {
    String text = input == null ? "" : input;
    if (text.length() > MAX_INPUT_CHARS) {
      int end = MAX_INPUT_CHARS;
      if (Character.isHighSurrogate(text.charAt(end - 1))) {
        end--; // never split a surrogate pair: the truncated text must stay valid UTF-16
      }
      detail = detail + TRUNCATED + end + " of " + text.length() + " chars]";
      text = text.substring(0, end);
    }
    return new DeadLetter(STAGE, reason, detail, id, source, text);
  }
}
