package org.aspd.teacher.rules;

/**
 * Finds the label of a list item, section or paragraph: a bold lead ({@code **Cost:** ...}), a
 * heading's text, or a short {@code Label: text} prefix.
 */
final class Labels {
  private static final int MAX_LABEL_CHARS = 90;

  private Labels() {}

  /** An outline's Roman numbering before a word: "I. Introduction", "IV. Experiences" (not "V. S. Naipaul"). */
  private static final java.util.regex.Pattern ROMAN_NUMBERING =
      java.util.regex.Pattern.compile("^[IVXL]{1,6}\\. (?=[A-Z](?!\\.))");
  /** A numbered part before its name: "Section 2: ", "Chapter 3 - ", "Part 1. ". */
  private static final java.util.regex.Pattern NUMBERED_PART = java.util.regex.Pattern.compile(
      "^(?:Section|Chapter|Part) \\d{1,2}\\s*[:.\u2013\u2014-]\\s+(?=\\p{L})");

  /**
   * A cleaned label without its outline numbering, Roman ("IV. Statistical Analysis") or named
   * ("Section 2: Practical Gifts"). {@link #clean} keeps it: "IV. Statistical Analysis" named in a
   * later section is no use of that section's content.
   */
  static String withoutNumbering(String label) {
    return NUMBERED_PART.matcher(ROMAN_NUMBERING.matcher(label).replaceFirst("")).replaceFirst("");
  }

  /**
   * An operator a label may open on, what the item is about ("`==` compares the reference"); an arrow
   * ("=> text") is a bullet, not an operator.
   */
  private static final java.util.regex.Pattern LEADING_OPERATOR =
      java.util.regex.Pattern.compile("(?:===?|!==?|<=|>=|&&|\\|\\|) ");

  /** Removes markdown emphasis, list numbering, brackets, symbols and a trailing colon. */
  static String clean(String raw) {
    StringBuilder out = new StringBuilder(raw.length());
    for (int i = 0; i < raw.length(); i++) {
      char c = raw.charAt(i);
      if (c == '*' || c == '`' || c == '#' || c == '[' || c == ']' || c == '\n' || c == '\r' || c == '\t') {
        out.append(c == '\n' || c == '\r' || c == '\t' ? ' ' : "");
      } else if (c == '_' && (i == 0 || i + 1 == raw.length() || raw.charAt(i - 1) == '_' || raw.charAt(i + 1) == '_')) {
        continue;
      } else {
        out.append(c);
      }
    }
    String s = out.toString().strip();
    int p = 0;
    while (p < s.length() && !LEADING_OPERATOR.matcher(s).region(p, s.length()).lookingAt()
        && !Character.isLetterOrDigit(s.charAt(p)) && s.charAt(p) != '(' && s.charAt(p) != '"'
        && s.charAt(p) != '\'') {
      p++;
    }
    s = s.substring(p);
    int q = 0;
    while (q < s.length() && q < 3 && Character.isDigit(s.charAt(q))) {
      q++;
    }
    if (q > 0 && q + 1 < s.length() && (s.charAt(q) == '.' || s.charAt(q) == ')') && s.charAt(q + 1) == ' ') {
      s = s.substring(q + 2);
    }
    s = s.strip();
    while (!s.isEmpty() && (s.endsWith(":") || s.endsWith("-") || s.endsWith("–") || s.endsWith("—"))) {
      s = s.substring(0, s.length() - 1).strip();
    }
    return collapseSpaces(s);
  }

  static String collapseSpaces(String s) {
    StringBuilder out = new StringBuilder(s.length());
    boolean space = false;
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      if (Character.isWhitespace(c)) {
        space = out.length() > 0;
      } else {
        if (space) {
          out.append(' ');
          space = false;
        }
        out.append(c);
      }
    }
    return out.toString();
  }

  /**
   * The label of a line that opens with bold text followed by a separator and more text: {@code
   * **Cost:** text}, {@code **Cost**: text}, {@code **Cost** – text}, also with a short bracketed gloss
   * before the separator ({@code **Misty Blue** (#A1C9F2) - text}). Returns null otherwise.
   */
  static String boldLead(String text, int from, int to) {
    int p = from;
    while (p < to && p - from < 4 && !Character.isLetterOrDigit(text.charAt(p)) && text.charAt(p) != '*'
        && text.charAt(p) != '_') {
      p++;
    }
    String marker = text.startsWith("**", p) ? "**" : text.startsWith("__", p) ? "__" : null;
    if (marker == null) {
      return null;
    }
    int limit = Math.min(to, p + 2 + MAX_LABEL_CHARS);
    int close = text.indexOf(marker, p + 2);
    if (close < 0 || close >= limit || close == p + 2) {
      return null;
    }
    String inside = text.substring(p + 2, close);
    int after = close + 2;
    boolean colonInside = inside.endsWith(":");
    int q = after;
    while (q < to && text.charAt(q) == ' ') {
      q++;
    }
    int gloss = text.indexOf(')', q);
    if (!colonInside && q < to && text.charAt(q) == '(' && gloss > q && gloss < Math.min(to, q + 40)) {
      // "**Misty Blue** (#A1C9F2) - A soft blue-gray": the name, glossed before its separator.
      q = gloss + 1;
      while (q < to && text.charAt(q) == ' ') {
        q++;
      }
    }
    boolean separator = q < to && (text.charAt(q) == ':' || text.charAt(q) == '-' || text.charAt(q) == '–'
        || text.charAt(q) == '—');
    if (!colonInside && !separator) {
      return null;
    }
    int rest = separator ? q + 1 : q;
    while (rest < to && (text.charAt(rest) == ' ' || text.charAt(rest) == ':')) {
      rest++;
    }
    if (rest >= to) {
      return null;
    }
    return clean(inside);
  }

  /**
   * The label of an item whose first line starts at {@code from}: a bold lead, a bold-only line
   * ({@code 1. **Title:**} with the text below), or a short {@code Label: text} prefix. Null if none.
   */
  static String itemLabel(String text, int from, int to) {
    String lead = boldLead(text, from, to);
    if (lead != null) {
      return lead;
    }
    if (text.startsWith("**", from) || text.startsWith("__", from)) {
      String marker = text.substring(from, from + 2);
      int close = text.indexOf(marker, from + 2);
      if (close > from + 2 && close < to) {
        int q = close + 2;
        while (q < to && (text.charAt(q) == ' ' || text.charAt(q) == ':')) {
          q++;
        }
        if (q >= to) {
          return clean(text.substring(from + 2, close));
        }
      }
    }
    int colon = colonAt(text, from, to);
    if (colon >= 0) {
      return clean(text.substring(from, colon));
    }
    int dash = dashAt(text, from, to);
    return dash < 0 ? null : clean(text.substring(from, dash));
  }

  /**
   * Where a short capitalised {@code Label: text} prefix's colon is, or -1: at most 6 words before
   * it and no sentence mark.
   */
  private static int colonAt(String text, int from, int to) {
    for (int i = from; i < Math.min(to, from + 60); i++) {
      char c = text.charAt(i);
      if (c == ':') {
        return i > from && Words.count(text, from, i) <= 6 && i + 1 < to && Character.isUpperCase(text.charAt(from))
            ? i : -1;
      }
      if (c == '.' || c == '!' || c == '?' || c == ',' || c == '(' || c == '=') {
        return -1;
      }
    }
    return -1;
  }

  /**
   * Where a short {@code Label - text} prefix's dash is ("Sarah Jessica Parker - Before she was ...",
   * also with – or —), or -1: a capitalised label of at most 6 words before any sentence mark.
   */
  private static int dashAt(String text, int from, int to) {
    for (int i = from + 1; i + 2 < Math.min(to, from + 60); i++) {
      char c = text.charAt(i);
      if (c == '.' || c == '!' || c == '?' || c == ',' || c == '(' || c == '=' || c == ':') {
        return -1;
      }
      if (c == ' ' && (text.charAt(i + 1) == '-' || text.charAt(i + 1) == '–' || text.charAt(i + 1) == '—')
          && text.charAt(i + 2) == ' ') {
        return Words.count(text, from, i) <= 6 && Character.isUpperCase(text.charAt(from)) && i + 3 < to ? i : -1;
      }
    }
    return -1;
  }

  /** Where the body after an item's label starts (the label and separator skipped), or {@code from}. */
  static int bodyStart(String text, int from, int to) {
    String label = itemLabel(text, from, to);
    if (label == null) {
      return from;
    }
    if (boldLead(text, from, to) == null && !text.startsWith("**", from) && !text.startsWith("__", from)) {
      int dash = dashAt(text, from, to);
      if (dash >= 0 && colonAt(text, from, to) < 0) {
        return dash + 3; // past " - " ("Python - Django: a framework" is labelled by its colon)
      }
    }
    int p = from;
    int stars = 0;
    while (p < to) {
      char c = text.charAt(p);
      if (c == '*' || c == '_') {
        stars++;
        if (stars == 4) {
          p++;
          break;
        }
      } else if (c == ':' && stars % 4 == 0) {
        p++;
        break;
      }
      p++;
    }
    while (p < to && (text.charAt(p) == ' ' || text.charAt(p) == ':' || text.charAt(p) == '*'
        || text.charAt(p) == '-' || text.charAt(p) == '–' || text.charAt(p) == '—')) {
      p++;
    }
    return p;
  }
}
