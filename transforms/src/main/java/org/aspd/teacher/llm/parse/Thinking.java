package org.aspd.teacher.llm.parse;

import java.util.regex.Pattern;

/**
 * Removes reasoning blocks ({@code <think>...</think>}) that thinking models such as Qwen3 put before
 * their answer (method §3: "think part stripped"). An unclosed block is a cut-off reply and is kept,
 * so the parsers report it instead of reading half a thought as an answer.
 */
public final class Thinking {
  private static final Pattern BLOCK = Pattern.compile("(?is)<think>.*?</think>");
  private static final Pattern LEADING_CLOSE = Pattern.compile("(?is)^.*?</think>");

  private Thinking() {}

  public static String strip(String text) {
    String out = BLOCK.matcher(text).replaceAll("");
    // Some servers drop the opening tag and return "...reasoning</think>answer".
    if (out.contains("</think>") && !out.contains("<think>")) {
      out = LEADING_CLOSE.matcher(out).replaceFirst("");
    }
    return out;
  }

  /** True if {@code stripped} (a result of {@link #strip}) still opens a block: the reply was cut off. */
  public static boolean unfinished(String stripped) {
    return stripped.toLowerCase(java.util.Locale.ROOT).contains("<think>");
  }
}
