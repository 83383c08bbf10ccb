package org.aspd.format;

import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Reversible escaping of literal rewriter tags ({@code <branchgroup>}, {@code <branch ...>} and their
 * closing forms) in source text, so that a tag scanner never mistakes source text for markup.
 *
 * <p>{@code <branch} becomes {@code &lt;branch}; an existing {@code &lt;branch} (or {@code
 * &amp;...lt;branch}) gains one more {@code amp;}. Nothing else is touched, so ordinary text, HTML
 * entities and code pass through unchanged, and {@code unescape(escape(s)) == s} for every s.
 */
public final class TagEscaper {
  private static final Pattern RAW = Pattern.compile("<(/?branch)", Pattern.CASE_INSENSITIVE);
  private static final Pattern ESCAPED =
      Pattern.compile("&((?:amp;)*)lt;(/?branch)", Pattern.CASE_INSENSITIVE);
  private static final Pattern ESCAPED_ONCE =
      Pattern.compile("&lt;(/?branch)", Pattern.CASE_INSENSITIVE);
  private static final Pattern ESCAPED_MORE =
      Pattern.compile("&amp;((?:amp;)*)lt;(/?branch)", Pattern.CASE_INSENSITIVE);

  private static final Pattern EITHER = Pattern.compile(
      ESCAPED_ONCE.pattern() + "|" + ESCAPED_MORE.pattern(), Pattern.CASE_INSENSITIVE);

  private TagEscaper() {}

  public static String escape(String text) {
    if (text.indexOf('<') < 0 && text.indexOf('&') < 0) {
      return text;
    }
    // First deepen existing escapes, then escape raw tags; the two never overlap.
    String deeper = replace(ESCAPED, text, m -> "&amp;" + m.group(1) + "lt;" + m.group(2));
    return replace(RAW, deeper, m -> "&lt;" + m.group(1));
  }

  public static String unescape(String text) {
    if (text.indexOf('&') < 0) {
      return text;
    }
    // One left-to-right pass over both forms so that an undone escape is never undone twice.
    return replace(EITHER, text, m -> m.group(1) != null
        ? "<" + m.group(1)
        : "&" + m.group(2) + "lt;" + m.group(3));
  }

  private static String replace(Pattern pattern, String text,
      java.util.function.Function<Matcher, String> replacement) {
    Matcher m = pattern.matcher(text);
    if (!m.find()) {
      return text;
    }
    StringBuilder out = new StringBuilder(text.length() + 16);
    do {
      m.appendReplacement(out, Matcher.quoteReplacement(replacement.apply(m)));
    } while (m.find());
    m.appendTail(out);
    return out.toString();
  }
}
