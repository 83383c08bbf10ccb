package org.aspd.format;

import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The six-token training format (method §1) as a string.
 *
 * <pre>
 * S? ( TL "&lt;|para|&gt;" B_1 … B_k "&lt;|/para|&gt;" S )*
 * TL  := ("&lt;|title|&gt;" T_i "&lt;|/title|&gt;")*
 * B_i := "&lt;|branch|&gt;" T_i ": " C_i "&lt;|/branch|&gt;"
 * </pre>
 *
 * <p>Only the serializer writes control strings. Text that already contains {@code <|} (a literal
 * {@code <|branch|>} in an answer, or a chat template's {@code <|im_end|>}) is escaped by inserting
 * a backslash after the {@code <}: {@code <|} becomes {@code <\|}, {@code <\|} becomes {@code
 * <\\|}, and so on. The escaped text therefore never contains {@code <|}, and {@link #parse} undoes
 * the escape exactly. Token arrays are built from the unescaped pieces ({@code ShardLayout}).
 */
public final class AspdText {
  private static final Pattern RESERVED_START = Pattern.compile("<(\\\\*)\\|");
  private static final Pattern ESCAPED_START = Pattern.compile("<\\\\(\\\\*)\\|");

  private AspdText() {}

  public static String serialize(Response response) {
    StringBuilder out = new StringBuilder();
    for (Item item : response.items()) {
      if (item instanceof SerialText s) {
        out.append(escapeText(s.text()));
      } else if (item instanceof Group g) {
        for (Branch b : g.branches()) {
          out.append(SpecialTokens.TITLE).append(escapeText(b.title())).append(SpecialTokens.TITLE_END);
        }
        out.append(SpecialTokens.PARA);
        for (Branch b : g.branches()) {
          out.append(SpecialTokens.BRANCH).append(escapeText(b.title()))
              .append(SpecialTokens.HEADER_SEPARATOR).append(escapeText(b.content()))
              .append(SpecialTokens.BRANCH_END);
        }
        out.append(SpecialTokens.PARA_END);
      }
    }
    return out.toString();
  }

  /** Parses the format strictly; any deviation from the grammar is an error naming its offset. */
  public static Response parse(String text) throws AnnotationException {
    List<Item> items = new ArrayList<>();
    int pos = 0;
    int n = text.length();
    while (pos < n) {
      int control = text.indexOf("<|", pos);
      if (control < 0) {
        items.add(new SerialText(unescapeText(text.substring(pos))));
        break;
      }
      if (control > pos) {
        items.add(new SerialText(unescapeText(text.substring(pos, control))));
      }
      if (!text.startsWith(SpecialTokens.TITLE, control)) {
        throw new AnnotationException("grammar", "expected " + SpecialTokens.TITLE + " or text at offset "
            + control + ", found " + text.substring(control, Math.min(n, control + 12)));
      }
      if (!items.isEmpty() && items.get(items.size() - 1) instanceof Group) {
        throw new AnnotationException("grammar", "two groups without serial text between them at offset " + control);
      }
      pos = parseGroup(text, control, items);
    }
    return new Response(items);
  }

  private static int parseGroup(String text, int pos, List<Item> items) throws AnnotationException {
    List<String> titles = new ArrayList<>();
    while (text.startsWith(SpecialTokens.TITLE, pos)) {
      int start = pos + SpecialTokens.TITLE.length();
      int end = text.indexOf(SpecialTokens.TITLE_END, start);
      int stray = text.indexOf("<|", start);
      if (end < 0 || stray != end) {
        throw new AnnotationException("grammar", "title at offset " + pos + " is not closed by " + SpecialTokens.TITLE_END);
      }
      String title = unescapeText(text.substring(start, end));
      // The same two rules as the native layout (EMPTY_TITLE, DUPLICATE_TITLE), so a shard row both
      // sides read is read alike: the engine forces a title's ids, and equal ids would mean one branch.
      if (title.isEmpty()) {
        throw new AnnotationException("grammar", "empty title at offset " + pos);
      }
      if (titles.contains(title)) {
        throw new AnnotationException("grammar", "title '" + title + "' at offset " + pos + " repeats one of its group");
      }
      titles.add(title);
      pos = end + SpecialTokens.TITLE_END.length();
    }
    expect(text, pos, SpecialTokens.PARA);
    pos += SpecialTokens.PARA.length();
    List<Branch> branches = new ArrayList<>();
    for (String title : titles) {
      expect(text, pos, SpecialTokens.BRANCH);
      pos += SpecialTokens.BRANCH.length();
      int end = text.indexOf(SpecialTokens.BRANCH_END, pos);
      int stray = text.indexOf("<|", pos);
      if (end < 0 || stray != end) {
        throw new AnnotationException("grammar", "branch at offset " + pos + " is not closed by " + SpecialTokens.BRANCH_END);
      }
      String header = escapeText(title) + SpecialTokens.HEADER_SEPARATOR;
      if (!text.startsWith(header, pos)) {
        throw new AnnotationException("grammar", "branch at offset " + pos + " does not start with its title '" + title + ": '");
      }
      branches.add(new Branch(title, unescapeText(text.substring(pos + header.length(), end))));
      pos = end + SpecialTokens.BRANCH_END.length();
    }
    expect(text, pos, SpecialTokens.PARA_END);
    if (branches.size() < 2) {
      throw new AnnotationException("grammar", "a group needs at least two branches (offset " + pos + ")");
    }
    items.add(new Group(branches));
    return pos + SpecialTokens.PARA_END.length();
  }

  private static void expect(String text, int pos, String token) throws AnnotationException {
    if (!text.startsWith(token, pos)) {
      throw new AnnotationException("grammar", "expected " + token + " at offset " + pos);
    }
  }

  /** Removes all markup: serial text and branch contents, unescaped. */
  public static String deTag(String text) throws AnnotationException {
    return parse(text).plainText();
  }

  public static String escapeText(String s) {
    return s.indexOf('<') < 0 ? s : RESERVED_START.matcher(s).replaceAll(m ->
        Matcher.quoteReplacement("<\\" + m.group(1) + "|"));
  }

  public static String unescapeText(String s) {
    return s.indexOf('<') < 0 ? s : ESCAPED_START.matcher(s).replaceAll(m ->
        Matcher.quoteReplacement("<" + m.group(1) + "|"));
  }
}
