package org.aspd.teacher.rules;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * The topic of an item that is a question, as its title: "What role does the melting of polar ice
 * caps play?" is about "Melting of polar ice caps", "Can you tell us about your previous retail
 * experience?" about "Previous retail experience". The first words of a question ("Can you tell
 * us", "What role") say only that it asks. The topic is the first noun phrase that names something,
 * with what "of", "between" or "for" joins to it, read from the part-of-speech tags.
 */
final class QuestionTopic {
  /** Words a question opens with: an item starting so and ending in "?" is a question. */
  private static final Set<String> OPENERS = Set.of("what", "how", "why", "when", "where", "which", "who", "whom",
      "whose", "can", "could", "would", "will", "should", "do", "does", "did", "is", "are", "was", "were", "have",
      "has", "had", "may", "might", "shall");
  /**
   * Heads that name no topic by themselves ("a time when ...", "an example of ...", "What role ...",
   * "more details about ..."): the topic is a later phrase.
   */
  private static final Set<String> EMPTY_HEADS = Set.of("time", "times", "example", "examples", "way", "ways",
      "kind", "kinds", "type", "types", "role", "part", "thing", "things", "lot", "bit", "instance", "situation",
      "one", "something", "anything", "sort", "steps", "step", "details", "information", "insights", "insight",
      "overview", "thoughts", "advice", "idea", "ideas");

  /** Words that join a noun phrase to the one it qualifies: "success of", "correlation between". */
  private static final Set<String> JOINS = Set.of("of", "between", "for", "on");
  private static final Set<String> DROPPED_LEADS = Set.of("the", "a", "an", "any", "some", "your", "my", "our",
      "their", "his", "her", "its", "this", "that", "these", "those", "what", "which", "whose", "each", "every");
  private static final Set<String> NOUNS = Set.of("NOUN", "PROPN");
  private static final Set<String> MODIFIERS = Set.of("ADJ", "NUM", "NOUN", "PROPN");
  private static final int MAX_QUESTION_WORDS = 30;

  private QuestionTopic() {}

  /** The topic of {@code opening} when it is a question, else "". */
  static String of(String opening) {
    int mark = opening.indexOf('?');
    if (mark < 0) {
      return "";
    }
    List<String> words = new ArrayList<>();
    List<Boolean> marked = new ArrayList<>(); // a comma or a bracket after the word ends its phrase
    for (String w : opening.substring(0, mark).split("\\s+")) {
      String t = w.replaceAll("^[\"“'(]+|[\"”),.;:]+$", "");
      if (w.startsWith("(") && !marked.isEmpty()) {
        marked.set(marked.size() - 1, true); // "crime types | (e.g., property crime)"
      }
      if (!t.isEmpty()) {
        words.add(t);
        marked.add(!w.endsWith(t));
      }
    }
    if (words.size() < 3 || words.size() > MAX_QUESTION_WORDS
        || !OPENERS.contains(words.get(0).toLowerCase(Locale.ROOT))) {
      return "";
    }
    List<String> tags = tagged(words, marked);
    for (int i = 1; i < words.size(); i++) {
      int[] np = nounPhrase(words, tags, marked, i);
      if (np == null) {
        continue;
      }
      String head = words.get(np[1] - 1).toLowerCase(Locale.ROOT);
      if (!EMPTY_HEADS.contains(head)) {
        // One word ("Hotel", "Career") says less than the question's own first words.
        String topic = title(words, joined(words, tags, marked, np));
        if (Words.count(topic) >= 2) {
          return topic;
        }
      }
      i = np[1] - 1;
    }
    return "";
  }

  /** Tags read with the commas in place: "about industry trends, new products" tags "trends" a noun. */
  private static List<String> tagged(List<String> words, List<Boolean> marked) {
    List<String> withMarks = new ArrayList<>();
    List<Integer> at = new ArrayList<>();
    for (int i = 0; i < words.size(); i++) {
      at.add(withMarks.size());
      withMarks.add(words.get(i));
      if (marked.get(i)) {
        withMarks.add(",");
      }
    }
    List<String> all = PartsOfSpeech.tag(withMarks);
    List<String> tags = new ArrayList<>();
    at.forEach(i -> tags.add(all.get(i)));
    return tags;
  }

  /** [start, end) of the noun phrase that starts at {@code from}, or null when none does. */
  private static int[] nounPhrase(List<String> words, List<String> tags, List<Boolean> marked, int from) {
    int i = from;
    while (i < words.size() && (DROPPED_LEADS.contains(words.get(i).toLowerCase(Locale.ROOT))
        || MODIFIERS.contains(tags.get(i)) || words.get(i).endsWith("'s") || words.get(i).endsWith("’s"))) {
      i++;
      if (marked.get(i - 1)) {
        break; // "in academia, | industry, or a mix"
      }
    }
    // Back to the last noun: "the specific customer segments | that".
    int end = i;
    while (end > from && !NOUNS.contains(tags.get(end - 1))) {
      end--;
    }
    return end > from && NOUNS.contains(tags.get(end - 1)) ? new int[] {from, end} : null;
  }

  /** The phrase with what "of", "between", "for" or "on" joins to it, within a title's six words. */
  private static int[] joined(List<String> words, List<String> tags, List<Boolean> marked, int[] np) {
    int[] best = np;
    int end = np[1];
    while (end < words.size() && !marked.get(end - 1) && JOINS.contains(words.get(end).toLowerCase(Locale.ROOT))) {
      int[] next = nounPhrase(words, tags, marked, end + 1);
      if (next == null || next[1] - np[0] > TitleMaker.MAX_WORDS + 2) {
        break;
      }
      end = next[1];
      best = new int[] {np[0], end};
    }
    return best;
  }

  private static String title(List<String> words, int[] span) {
    int from = span[0];
    while (from < span[1] - 1 && DROPPED_LEADS.contains(words.get(from).toLowerCase(Locale.ROOT))) {
      from++;
    }
    List<String> kept = new ArrayList<>(words.subList(from, span[1]));
    String t = String.join(" ", kept);
    if (Words.count(t) > TitleMaker.MAX_WORDS) {
      return "";
    }
    return Character.toUpperCase(t.charAt(0)) + t.substring(1);
  }
}
