package org.aspd.teacher.rules;

import java.util.List;

/**
 * Gold rule 10: a list becomes a group only if it has roughly 40 words or more and every item
 * carries real content, not a bare label, a template placeholder such as {@code [Feature 1]} or a
 * box to tick, a title with only its author, or the looping text of a model that repeats a word;
 * and it is not an ingredient list (most items open with a quantity: what a recipe needs, not points).
 */
final class Substance {
  static final int MIN_LIST_WORDS = 40;
  /** Words an item needs beyond its label. */
  static final int MIN_ITEM_WORDS = 5;
  /** Words an item needs after a piece of code it names: a clause that says what the code does. */
  static final int MIN_CODE_ITEM_WORDS = 3;
  /** An item that opens on a piece of code and then explains it: "`@` - ", "`^` and `$` - ", "`[a-z]+`: ". */
  private static final java.util.regex.Pattern CODE_PART = java.util.regex.Pattern.compile(
      "`[^`\\n]{1,60}`(?: (?:and|or) `[^`\\n]{1,60}`)?\\s*(?:[-\u2013\u2014:]|\\bis\\b|\\bmatches\\b)");

  private Substance() {}

  /** Why the items are too thin to form a group, or null when they are substantial. */
  static String problem(Outline o, List<Outline.Item> items) {
    int total = 0;
    int placeholders = 0;
    String placeholderItem = null;
    for (Outline.Item item : items) {
      int from = o.startOffset(item.first());
      int to = o.endOffset(item.end());
      int words = Words.count(o.text, from, to);
      total += words;
      BranchView view = BranchView.of(o.text.substring(from, to));
      int labelWords = view.label() == null ? 0 : Words.count(view.label());
      // "`@` - Matches the @ symbol.": a part of code explained in a short clause (gold Q63).
      boolean codePart = CODE_PART.matcher(SequenceCues.lead(view.text())).lookingAt();
      int needed = codePart ? MIN_CODE_ITEM_WORDS : MIN_ITEM_WORDS;
      if (words - labelWords < needed) {
        return "item '" + firstLine(view.text()) + "' is a bare label";
      }
      if (placeholder(view)) {
        // One item that asks to fill something in ("[insert a weird hobby]") among full ones is still a
        // point; a list that is mostly blanks to fill is a template.
        placeholders++;
        placeholderItem = placeholderItem == null ? firstLine(view.text()) : placeholderItem;
      }
      if (BARE_REFERENCE.matcher(view.text()).matches()) {
        return "item '" + firstLine(view.text()) + "' is a bare reference (a title and its author)";
      }
      String loop = repeatedWord(view.text());
      if (loop != null) {
        return "item '" + firstLine(view.text()) + "' repeats '" + loop + "': degenerate text";
      }
    }
    if (placeholders * 2 > items.size() || placeholders > 0 && items.size() <= 3) {
      return "item '" + placeholderItem + "' is a template placeholder";
    }
    if (total < MIN_LIST_WORDS) {
      return "the list has only " + total + " words";
    }
    int measured = 0;
    for (Outline.Item item : items) {
      measured += QUANTITY.matcher(SequenceCues.lead(o.text.substring(o.startOffset(item.first()),
          Math.min(o.endOffset(item.end()), o.startOffset(item.first()) + 120)))).find() ? 1 : 0;
    }
    // "1 cup of sesame seeds", "A pinch of salt": what a recipe needs, not points made about it.
    return measured * 2 > items.size() ? "an ingredient list (" + measured + " of " + items.size()
        + " items open with a quantity)" : null;
  }

  private static final java.util.regex.Pattern QUANTITY = java.util.regex.Pattern.compile(
      "^(?:(?:\\d+(?:[./,-]\\d+)?|[\u00bc\u00bd\u00be\u2153\u2154]|\\d+ \\d/\\d)(?:\\s*(?:-|to)\\s*\\d+(?:[./]\\d+)?)?|"
          + "an?|one|two|three|four|half)\\s+(?:\\([^)]{0,20}\\)\\s+)?(?:large |medium |small |heaping |level )?"
          + "(?:cups?|tablespoons?|tbsps?|teaspoons?|tsps?|grams?|g|kg|mg|ml|millilit(?:er|re)s?|l|lit(?:er|re)s?|"
          + "ounces?|oz|pounds?|lbs?|pinch(?:es)?|dash(?:es)?|handfuls?|cloves?|slices?|pieces?|cans?|sticks?|"
          + "sprigs?|bunch(?:es)?|eggs?|drops?|quarts?|pints?|packets?)\\b", java.util.regex.Pattern.CASE_INSENSITIVE);

  /**
   * An item that is only a quoted or emphasised title and its author, with a year at most:
   * {@code "Dune" by Frank Herbert}, {@code **"Scaling Laws ..."** by Kaplan et al. (2020)}.
   */
  private static final java.util.regex.Pattern BARE_REFERENCE = java.util.regex.Pattern.compile(
      "^\\s*(?:[-*+\u2022]|\\d{1,3}[.)])\\s+"
          + "(?:\\*\\*[\"\u201c]?[^\\n*]{1,150}?[\"\u201d]?\\*\\*|[\"\u201c][^\\n\"\u201d]{1,150}[\"\u201d]|\\*[^\\n*]{1,150}\\*|_[^\\n_]{1,150}_)"
          + ",?\\s+(?:by|-|\u2013|\u2014)\\s+(?:(?:[A-Z][\\w'\u2019.-]*|et al\\.?|and|&|de|van|von|der|le|la),?\\s*){1,8}"
          + "(?:\\(\\d{4}\\))?[.;]?\\s*$");

  /** Consecutive repeats of one word that only a looping model writes. */
  private static final int LOOP_REPEATS = 6;

  /** A word an item repeats {@link #LOOP_REPEATS} times in a row ("Sue Sue Sue Sue ..."), or null. */
  static String repeatedWord(String text) {
    String previous = null;
    int run = 0;
    for (String word : text.split("\\s+")) {
      run = word.equalsIgnoreCase(previous) ? run + 1 : 1;
      if (run >= LOOP_REPEATS && word.chars().anyMatch(Character::isLetter)) {
        return word;
      }
      previous = word;
    }
    return null;
  }

  static boolean hasPlaceholder(Outline o, List<Outline.Item> items) {
    for (Outline.Item item : items) {
      if (placeholder(BranchView.of(o.text.substring(o.startOffset(item.first()), o.endOffset(item.end()))))) {
        return true;
      }
    }
    return false;
  }

  /** A task-list box at the start of an item: {@code - [ ]}, {@code [x]}. */
  private static final java.util.regex.Pattern CHECKBOX = java.util.regex.Pattern.compile("^(?:[-*+]\\s+)?\\[[ xX]?\\]\\s");

  /** A label in brackets, a box to tick, or a body that is mostly bracketed placeholder text. */
  static boolean placeholder(BranchView view) {
    String first = firstLine(view.text());
    int star = first.indexOf("**[");
    if (star >= 0 && star < 8) {
      return true;
    }
    String lead = first.indexOf('[') < 0 ? "" : SequenceCues.lead(first);
    int close = lead.indexOf(']');
    if (lead.startsWith("[") && close > 0 && !lead.startsWith("](", close)) {
      return true; // "2. [Feature 2]: Revolutionize ...": a name left to fill in (not a link, "[Docs](url)")
    }
    if (CHECKBOX.matcher(view.text()).find()) {
      return true; // "- [ ] Bug": a box to tick in a form, not a point
    }
    String body = view.body();
    int inside = 0;
    int depth = 0;
    int letters = 0;
    for (int i = 0; i < body.length(); i++) {
      char c = body.charAt(i);
      if (c == '[') {
        depth++;
      } else if (c == ']') {
        depth = Math.max(0, depth - 1);
      } else if (Character.isLetter(c)) {
        letters++;
        if (depth > 0) {
          inside++;
        }
      }
    }
    return letters > 0 && inside * 2 > letters;
  }

  private static String firstLine(String s) {
    int nl = s.indexOf('\n');
    String line = nl < 0 ? s : s.substring(0, nl);
    return line.length() > 50 ? line.substring(0, 50) + "…" : line;
  }
}
