package org.aspd.teacher.rules;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A branch that says what it is only by pointing at a sibling: "Similar to shirts, fold them ...",
 * "Stromboli: Similar to calzones, but often filled with ham". What follows the comparison has no
 * subject of its own, so the branch means "what the other branch said, and then some" (gold rule 2:
 * no content from a sibling). A comparison
 * followed by its own clause ("Like stone, brick is durable") is a statement about this item and
 * leaves the group alone.
 */
final class SiblingComparison {
  private static final Pattern COMPARISON = Pattern.compile(
      "(?:(?:^|\\n)\\s*(?:[-*•+]\\s|\\d+[.)]\\s)?\\s*|[.!?:]\\s+)"
          + "(?:similar to|similarly to|just like|like|as with|same as)\\s+"
          + "(?:the\\s+|those for\\s+|with\\s+)?([A-Za-z][\\w'-]*(?:\\s+[A-Za-z][\\w'-]*){0,3})\\s*,\\s*"
          + "([A-Za-z']+)(?:\\s+[A-Za-z']+){0,3}",
      Pattern.CASE_INSENSITIVE);

  /**
   * Words that carry on the sibling's sentence instead of starting a clause of this item's own. Not
   * "as": "Speed: similar to compiled languages, as the code is optimized" compares a property and
   * gives its own reason, as "Like stone, brick is durable" does.
   */
  private static final Set<String> CARRIED_ON = Set.of("but", "except", "only", "though", "although",
      "just", "with", "without", "plus", "and");

  private SiblingComparison() {}

  /**
   * The first branch (index) whose comparison leans on a sibling, with the sibling's index, or null.
   * Names are the branches' labels or heading lines ("" where a branch has none), which is what a
   * comparison can point at.
   */
  static int[] leaning(List<BranchView> views, List<String> names) {
    for (int i = 0; i < views.size(); i++) {
      Matcher m = COMPARISON.matcher(views.get(i).body());
      while (m.find()) {
        int sibling = namedSibling(names, i, m.group(1));
        if (sibling >= 0 && noSubjectOfItsOwn(m)) {
          return new int[] {i, sibling};
        }
      }
    }
    return null;
  }

  private static int namedSibling(List<String> names, int self, String named) {
    Set<String> stems = Words.contentStems(named.toLowerCase(Locale.ROOT), 200);
    if (stems.isEmpty()) {
      return -1;
    }
    for (int j = 0; j < names.size(); j++) {
      if (j != self && Words.contentStems(names.get(j).toLowerCase(Locale.ROOT), 20).containsAll(stems)) {
        return j;
      }
    }
    return -1;
  }

  /** "fold them", "but often filled", "as the code": a bare verb or a word that continues a clause. */
  private static boolean noSubjectOfItsOwn(Matcher m) {
    if (CARRIED_ON.contains(m.group(2).toLowerCase(Locale.ROOT))) {
      return true;
    }
    // The whole comparison is tagged, so that the tagger reads "Similar to shirts, fold them" with
    // the comma before the verb, as a sentence shows it.
    String opening = m.group().strip().replaceFirst("^(?:[-*•+]|\\d+[.)]|[.!?:])\\s*", "");
    List<String> words = new ArrayList<>();
    int clause = -1;
    for (String w : opening.split("\\s+|(?=,)")) {
      if (w.startsWith(",")) {
        clause = words.size() + 1;
        words.add(",");
        w = w.substring(1).strip();
        if (w.isEmpty()) {
          continue;
        }
      }
      words.add(w);
    }
    if (clause < 0 || clause >= words.size()) {
      return false;
    }
    List<String> tags = PartsOfSpeech.tag(words);
    // "respond implies a reaction": a word used as the subject of the next verb is not an imperative.
    boolean subject = clause + 1 < tags.size() && Set.of("VERB", "AUX").contains(tags.get(clause + 1));
    return tags.get(clause).equals("VERB") && !subject;
  }
}
