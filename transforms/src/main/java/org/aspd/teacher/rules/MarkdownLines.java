package org.aspd.teacher.rules;

import java.util.ArrayList;
import java.util.List;

/**
 * Splits an answer into classified lines: headings ({@code #}, whole-line bold, short {@code
 * Title:} lines), list items, fenced code, display math, tables, rules and plain text.
 *
 * <p>Hand-written character scans, no regular expressions: the cost is linear in the text and a
 * pathological line cannot trigger backtracking.
 */
final class MarkdownLines {
  /** Lines longer than this are never headings or list labels; they are plain text. */
  private static final int MAX_HEADING_CHARS = 160;

  private MarkdownLines() {}

  static List<Line> split(String text) {
    List<Line> lines = new ArrayList<>();
    int n = text.length();
    int pos = 0;
    boolean inFence = false;
    boolean inMath = false;
    while (pos <= n) {
      int nl = text.indexOf('\n', pos);
      int end = nl < 0 ? n : nl;
      int lineEnd = end > pos && text.charAt(end - 1) == '\r' ? end - 1 : end;
      lines.add(classify(text, pos, lineEnd, inFence, inMath));
      Line line = lines.get(lines.size() - 1);
      String trimmed = trimmedStart(text, pos, lineEnd);
      if (line.kind() == Line.Kind.CODE && (trimmed.startsWith("```") || trimmed.startsWith("~~~"))) {
        inFence = !inFence;
      } else if (line.kind() == Line.Kind.MATH) {
        inMath = nextMathState(text, pos, lineEnd, inMath);
      }
      if (nl < 0) {
        break;
      }
      pos = nl + 1;
    }
    return lines;
  }

  private static String trimmedStart(String text, int start, int end) {
    int p = skipSpaces(text, start, end);
    return text.substring(p, Math.min(end, p + 4));
  }

  private static Line classify(String text, int start, int end, boolean inFence, boolean inMath) {
    int p = start;
    int indent = 0;
    while (p < end && (text.charAt(p) == ' ' || text.charAt(p) == '\t')) {
      indent += text.charAt(p) == '\t' ? 4 : 1;
      p++;
    }
    if (inFence) {
      return new Line(start, end, indent, Line.Kind.CODE, 0, false, p);
    }
    if (p >= end) {
      return new Line(start, end, indent, Line.Kind.BLANK, 0, false, p);
    }
    if (text.startsWith("```", p) || text.startsWith("~~~", p)) {
      return new Line(start, end, indent, Line.Kind.CODE, 0, false, p);
    }
    if (inMath || text.startsWith("\\[", p) || text.startsWith("$$", p)) {
      return new Line(start, end, indent, Line.Kind.MATH, 0, false, p);
    }
    char c = text.charAt(p);
    if (c == '#' && indent <= 3) {
      int h = p;
      while (h < end && text.charAt(h) == '#') {
        h++;
      }
      if (h - p <= 6 && h < end && text.charAt(h) == ' ') {
        return new Line(start, end, indent, Line.Kind.HEADING, h - p, false, skipSpaces(text, h, end));
      }
    }
    if (c == '|') {
      return new Line(start, end, indent, Line.Kind.TABLE, 0, false, p);
    }
    if (isRule(text, p, end)) {
      return new Line(start, end, indent, Line.Kind.RULE, 0, false, p);
    }
    int marker = listMarkerEnd(text, p, end);
    if (marker > 0) {
      boolean ordered = Character.isDigit(c) || Character.isLetter(c);
      return new Line(start, end, indent, Line.Kind.ITEM, 0, ordered, skipSpaces(text, marker, end));
    }
    if (indent == 0 && end - p <= MAX_HEADING_CHARS) {
      if (plainHeading(text.substring(p, end))) {
        return new Line(start, end, indent, Line.Kind.HEADING, 6, false, p);
      }
      if (isBoldLine(text, p, end)) {
        return new Line(start, end, indent, Line.Kind.HEADING, 7, false, p);
      }
      if (isTitleLine(text, p, end)) {
        return new Line(start, end, indent, Line.Kind.HEADING, 8, false, p);
      }
    }
    return new Line(start, end, indent, Line.Kind.TEXT, 0, false, p);
  }

  /**
   * A plain line of an outline numbered in Roman numerals, "III. Gift ideas for different occasions":
   * a heading of the lowest level, under any {@code #} heading. A sentence that ends on a full stop,
   * and initials ("V. S. Naipaul"), are no such line.
   */
  private static final java.util.regex.Pattern ROMAN_OUTLINE_LINE =
      java.util.regex.Pattern.compile("[IVXL]{1,6}\\. [A-Z][A-Za-z][^\\n]{0,78}(?<![.!?])\\s*");

  /**
   * An essay's bare "Introduction", "Conclusion" or "Works Cited" line, or a story's "Prologue:": a
   * heading, as its sections' are.
   */
  private static final java.util.regex.Pattern FRAME_LINE = java.util.regex.Pattern.compile(
      "(?:Introduction|Conclusion|Summary|References|Works Cited|Bibliography|Final Thoughts)\\s*"
          + "|(?:Prologue|Epilogue):?\\s*");

  /** A heading line with no markup: an outline's "III. Gift ideas" or an essay's "Conclusion". */
  static boolean plainHeading(String line) {
    return ROMAN_OUTLINE_LINE.matcher(line).matches() || FRAME_LINE.matcher(line).matches();
  }

  private static boolean nextMathState(String text, int start, int end, boolean inMath) {
    String line = text.substring(start, end).strip();
    if (line.startsWith("$$")) {
      boolean closesSameLine = line.length() > 2 && line.endsWith("$$") && line.length() >= 4;
      return inMath ? false : !closesSameLine;
    }
    if (!inMath) {
      return line.startsWith("\\[") && !line.contains("\\]");
    }
    return !line.contains("\\]");
  }

  private static int skipSpaces(String text, int p, int end) {
    while (p < end && Character.isWhitespace(text.charAt(p))) {
      p++;
    }
    return p;
  }

  private static boolean isRule(String text, int p, int end) {
    char c = text.charAt(p);
    if (c != '-' && c != '*' && c != '_' && c != '=') {
      return false;
    }
    int count = 0;
    for (int i = p; i < end; i++) {
      char d = text.charAt(i);
      if (d == c) {
        count++;
      } else if (d != ' ') {
        return false;
      }
    }
    return count >= 3;
  }

  /**
   * End of a list marker ({@code - }, {@code * }, {@code + }, {@code • }, {@code 12. }, {@code 3) },
   * {@code 7.} before a capitalised word), or -1.
   */
  static int listMarkerEnd(String text, int p, int end) {
    char c = text.charAt(p);
    if ((c == '-' || c == '*' || c == '+' || c == '•' || c == '–') && p + 1 < end && text.charAt(p + 1) == ' ') {
      return p + 1;
    }
    int q = p;
    while (q < end && q - p < 3 && Character.isDigit(text.charAt(q))) {
      q++;
    }
    if (q > p && q + 1 < end && (text.charAt(q) == '.' || text.charAt(q) == ')') && text.charAt(q + 1) == ' ') {
      return q + 1;
    }
    if (q > p && q + 2 < end && text.charAt(q) == '.' && Character.isUpperCase(text.charAt(q + 1))
        && Character.isLowerCase(text.charAt(q + 2))) {
      return q + 1; // "7.Texture: ...", the space left out, as no number ("3.14") or version ("2.1") is
    }
    return -1;
  }

  /**
   * A whole line in bold, optionally after a few symbols (emoji) and optionally followed by a colon:
   * {@code **Physical Techniques:**}, {@code 🌟 **Why it matters:**}.
   */
  private static boolean isBoldLine(String text, int p, int end) {
    int q = p;
    while (q < end && q - p < 4 && !Character.isLetterOrDigit(text.charAt(q)) && text.charAt(q) != '*'
        && text.charAt(q) != '_') {
      q++;
    }
    String marker = text.startsWith("**", q) ? "**" : text.startsWith("__", q) ? "__" : null;
    if (marker == null) {
      return false;
    }
    int close = text.indexOf(marker, q + 2);
    if (close < 0 || close >= end || close == q + 2) {
      return false;
    }
    int after = close + 2;
    while (after < end && (text.charAt(after) == ':' || text.charAt(after) == ' ')) {
      after++;
    }
    return after == end;
  }

  /** A short capitalised line ending with a colon, such as {@code Potential Risks:}. */
  private static boolean isTitleLine(String text, int p, int end) {
    int e = end;
    while (e > p && text.charAt(e - 1) == ' ') {
      e--;
    }
    if (e - p < 3 || e - p > 60 || text.charAt(e - 1) != ':' || !Character.isUpperCase(text.charAt(p))) {
      return false;
    }
    // A bracketed gloss before the colon is no part of the title's length: "The Global Influence of
    // Jazz (2 minutes):" (claude-3-opus #800, audit 13).
    int gloss = e - 2 >= p && text.charAt(e - 2) == ')' ? text.lastIndexOf(" (", e - 2) : -1;
    int wordsEnd = gloss > p ? gloss : e - 1;
    int words = 1;
    for (int i = p; i < wordsEnd; i++) {
      char c = text.charAt(i);
      if (c == '.' || c == '!' || c == '?' || c == ':' || c == '*' || c == '`' || c == '"') {
        return false;
      }
      if (c == ' ') {
        words++;
      }
    }
    if (words > 6) {
      return false;
    }
    String first = text.substring(p, e - 1).split(" ", 2)[0].toLowerCase(java.util.Locale.ROOT);
    return !Words.INTRO_STARTS.contains(first);
  }
}
