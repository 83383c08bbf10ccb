package org.aspd.format;

import java.util.ArrayList;
import java.util.List;

/**
 * Reads and writes the rewriter's annotation format (method §2):
 *
 * <pre>
 * text &lt;branchgroup&gt;&lt;branch title="A"&gt;...&lt;/branch&gt; &lt;branch title="B"&gt;...&lt;/branch&gt;&lt;/branchgroup&gt; text
 * </pre>
 *
 * <p>Parsing is a real tag scanner: nesting, unbalanced tags, non-whitespace between branches, tags
 * with broken attribute syntax and stray {@code <branch}-like text are rejected with a reason. The
 * source text is expected to have been escaped with {@link TagEscaper} before the rewriter saw it;
 * pieces are unescaped after parsing and then aligned to the source by {@link SourceAligner}.
 */
public final class AnnotationCodec {
  private AnnotationCodec() {}

  /** Writes a response as annotated text, escaping literal tags in its text. */
  public static String format(Response response) {
    StringBuilder out = new StringBuilder();
    for (Item item : response.items()) {
      if (item instanceof SerialText s) {
        out.append(TagEscaper.escape(s.text()));
      } else if (item instanceof Group g) {
        out.append("<branchgroup>");
        for (Branch b : g.branches()) {
          String content = b.content();
          int end = trailingWhitespaceStart(content);
          out.append("<branch title=\"").append(escapeAttribute(b.title())).append("\">")
              .append(TagEscaper.escape(content.substring(0, end)))
              .append("</branch>")
              .append(content, end, content.length());
        }
        out.append("</branchgroup>");
      }
    }
    return out.toString();
  }

  /**
   * Parses an annotated rewrite of {@code source} and aligns it to the source. The result's
   * {@link Response#plainText()} equals {@code source} exactly.
   *
   * @throws AnnotationException if the markup is malformed or the de-tagged text differs from the
   *     source other than by whitespace at branch and group boundaries
   */
  public static Response parse(String annotated, String source) throws AnnotationException {
    return SourceAligner.align(scan(annotated), source);
  }

  /** Scans the markup alone; pieces are unescaped but not yet aligned to any source. */
  public static List<Item> scan(String annotated) throws AnnotationException {
    List<Item> items = new ArrayList<>();
    int pos = 0;
    int n = annotated.length();
    StringBuilder serial = new StringBuilder();
    while (pos < n) {
      int tag = nextTag(annotated, pos);
      if (tag < 0) {
        serial.append(annotated, pos, n);
        break;
      }
      serial.append(annotated, pos, tag);
      if (!annotated.startsWith("<branchgroup", tag) || !isTagEnd(annotated, tag + 12)) {
        throw new AnnotationException("unbalanced",
            "unexpected " + excerpt(annotated, tag) + " outside a <branchgroup> at offset " + tag);
      }
      int open = annotated.indexOf('>', tag);
      if (open < 0 || !annotated.substring(tag + 12, open).isBlank()) {
        throw new AnnotationException("attribute_syntax", "malformed <branchgroup> tag at offset " + tag);
      }
      items.add(new SerialText(TagEscaper.unescape(serial.toString())));
      serial.setLength(0);
      pos = parseGroup(annotated, open + 1, items);
    }
    items.add(new SerialText(TagEscaper.unescape(serial.toString())));
    return items;
  }

  /** Parses branches up to the matching {@code </branchgroup>}; returns the offset after it. */
  private static int parseGroup(String s, int pos, List<Item> items) throws AnnotationException {
    List<Branch> branches = new ArrayList<>();
    List<String> separators = new ArrayList<>();
    while (true) {
      int tag = nextTag(s, pos);
      if (tag < 0) {
        throw new AnnotationException("unbalanced", "<branchgroup> is never closed");
      }
      String between = s.substring(pos, tag);
      if (!between.isBlank()) {
        throw new AnnotationException("text_between_branches",
            "text outside any branch inside a group: " + excerpt(between, 0));
      }
      separators.add(between);
      if (s.startsWith("</branchgroup>", tag)) {
        if (branches.isEmpty()) {
          throw new AnnotationException("empty_group", "<branchgroup> without branches");
        }
        items.add(new Group(branches));
        return tag + "</branchgroup>".length();
      }
      if (s.startsWith("<branchgroup", tag)) {
        throw new AnnotationException("nesting", "<branchgroup> nested in a group at offset " + tag);
      }
      if (!s.startsWith("<branch", tag) || !isTagEnd(s, tag + 7)) {
        throw new AnnotationException("unbalanced", "unexpected " + excerpt(s, tag) + " in a group");
      }
      int[] end = new int[1];
      String title = parseTitleAttribute(s, tag + 7, end);
      int close = nextTag(s, end[0]);
      if (close < 0 || !s.startsWith("</branch>", close)) {
        if (close >= 0 && s.startsWith("<branch", close)) {
          throw new AnnotationException("nesting", "a tag inside a branch at offset " + close);
        }
        throw new AnnotationException("unbalanced", "<branch> at offset " + tag + " is never closed");
      }
      branches.add(new Branch(title, TagEscaper.unescape(s.substring(end[0], close))));
      pos = close + "</branch>".length();
    }
  }

  /** Reads {@code title="..."} followed by {@code >}; stores the offset after {@code >} in end[0]. */
  private static String parseTitleAttribute(String s, int pos, int[] end) throws AnnotationException {
    int p = skipSpaces(s, pos);
    if (!s.startsWith("title", p)) {
      throw new AnnotationException("attribute_syntax", "<branch> without a title attribute: "
          + excerpt(s, pos - 7));
    }
    p = skipSpaces(s, p + 5);
    if (p >= s.length() || s.charAt(p) != '=') {
      throw new AnnotationException("attribute_syntax", "title attribute without '=': " + excerpt(s, pos - 7));
    }
    p = skipSpaces(s, p + 1);
    if (p >= s.length() || (s.charAt(p) != '"' && s.charAt(p) != '\'')) {
      throw new AnnotationException("attribute_syntax", "unquoted title attribute: " + excerpt(s, pos - 7));
    }
    char quote = s.charAt(p);
    int closeQuote = s.indexOf(quote, p + 1);
    if (closeQuote < 0) {
      throw new AnnotationException("attribute_syntax", "unterminated title attribute: " + excerpt(s, pos - 7));
    }
    String raw = s.substring(p + 1, closeQuote);
    int q = skipSpaces(s, closeQuote + 1);
    if (q >= s.length() || s.charAt(q) != '>') {
      throw new AnnotationException("attribute_syntax", "unexpected text after the title attribute: "
          + excerpt(s, pos - 7));
    }
    end[0] = q + 1;
    return unescapeAttribute(raw).strip();
  }

  /** Offset of the next {@code <branch...} or {@code </branch...} tag start, or -1. */
  private static int nextTag(String s, int from) {
    int a = s.indexOf("<branch", from);
    int b = s.indexOf("</branch", from);
    if (a < 0) {
      return b;
    }
    if (b < 0) {
      return a;
    }
    return Math.min(a, b);
  }

  private static boolean isTagEnd(String s, int i) {
    return i < s.length() && (s.charAt(i) == '>' || Character.isWhitespace(s.charAt(i)));
  }

  private static int skipSpaces(String s, int p) {
    while (p < s.length() && Character.isWhitespace(s.charAt(p))) {
      p++;
    }
    return p;
  }

  private static int trailingWhitespaceStart(String s) {
    int end = s.length();
    while (end > 0 && Character.isWhitespace(s.charAt(end - 1))) {
      end--;
    }
    return end;
  }

  static String escapeAttribute(String s) {
    return s.replace("&", "&amp;").replace("\"", "&quot;").replace("<", "&lt;").replace(">", "&gt;");
  }

  static String unescapeAttribute(String s) throws AnnotationException {
    StringBuilder out = new StringBuilder(s.length());
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      if (c != '&') {
        out.append(c);
        continue;
      }
      int semi = s.indexOf(';', i);
      if (semi < 0) {
        throw new AnnotationException("attribute_syntax", "bare '&' in a title: " + s);
      }
      String entity = s.substring(i + 1, semi);
      switch (entity) {
        case "amp" -> out.append('&');
        case "quot" -> out.append('"');
        case "apos" -> out.append('\'');
        case "lt" -> out.append('<');
        case "gt" -> out.append('>');
        default -> {
          try {
            int code = entity.startsWith("#x") ? Integer.parseInt(entity.substring(2), 16)
                : entity.startsWith("#") ? Integer.parseInt(entity.substring(1)) : -1;
            if (code < 0) {
              throw new AnnotationException("attribute_syntax", "unknown entity &" + entity + "; in a title");
            }
            out.appendCodePoint(code);
          } catch (IllegalArgumentException e) {
            throw new AnnotationException("attribute_syntax", "bad character reference &" + entity + ";");
          }
        }
      }
      i = semi;
    }
    return out.toString();
  }

  private static String excerpt(String s, int at) {
    int from = Math.max(0, at);
    String text = s.substring(from, Math.min(s.length(), from + 40));
    return "'" + text.replace("\n", "\\n") + (s.length() > from + 40 ? "…'" : "'");
  }
}
