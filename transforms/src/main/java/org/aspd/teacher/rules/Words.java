package org.aspd.teacher.rules;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/** Word-level helpers: counting, content words and a crude stemmer. */
final class Words {
  /** First words of a colon line that make it an introduction rather than a heading. */
  static final Set<String> INTRO_STARTS = Set.of("here", "here's", "here’s", "these", "this", "the",
      "some", "following", "below", "for", "as", "in", "to", "and", "but", "so", "it", "there", "i",
      "we", "you", "they", "note", "example", "e.g.", "for example", "however", "then", "also");

  static final Set<String> STOP = Set.of("a", "an", "the", "and", "or", "of", "in", "on", "for", "to",
      "with", "by", "at", "from", "as", "is", "are", "be", "its", "it", "their", "your", "our", "vs",
      "versus", "into", "about", "that", "this", "these", "those", "can", "will", "would", "could",
      "might", "may", "more", "most", "other", "than", "not", "no", "do", "does", "how", "what", "why",
      "when", "which", "who", "use", "using", "based", "between", "both", "each", "all", "any", "etc",
      "e", "g", "i", "s", "t", "have", "has", "had", "was", "were", "been", "being", "also", "such",
      "if", "but", "so", "we", "you", "they", "them", "he", "she", "his", "her", "my", "me", "us");

  private Words() {}

  /** Number of whitespace-separated tokens that contain a letter or digit. */
  static int count(CharSequence s, int from, int to) {
    int words = 0;
    boolean inWord = false;
    boolean hasAlnum = false;
    for (int i = from; i < to; i++) {
      char c = s.charAt(i);
      if (Character.isWhitespace(c)) {
        if (inWord && hasAlnum) {
          words++;
        }
        inWord = false;
        hasAlnum = false;
      } else {
        inWord = true;
        hasAlnum |= Character.isLetterOrDigit(c);
      }
    }
    return inWord && hasAlnum ? words + 1 : words;
  }

  static int count(CharSequence s) {
    return count(s, 0, s.length());
  }

  /** Lower-case letter/digit runs (apostrophes and hyphens kept inside words). */
  static List<String> tokens(CharSequence s, int limit) {
    List<String> out = new ArrayList<>();
    StringBuilder w = new StringBuilder();
    int n = Math.min(s.length(), limit);
    for (int i = 0; i < n; i++) {
      char c = s.charAt(i);
      boolean inner = (c == '\'' || c == '’' || c == '-') && w.length() > 0 && i + 1 < n
          && Character.isLetterOrDigit(s.charAt(i + 1));
      if (Character.isLetterOrDigit(c) || inner) {
        w.append(Character.toLowerCase(c));
      } else if (w.length() > 0) {
        out.add(w.toString());
        w.setLength(0);
      }
    }
    if (w.length() > 0) {
      out.add(w.toString());
    }
    return out;
  }

  /** Stemmed content words in order of first appearance. */
  static Set<String> contentStems(CharSequence s, int limit) {
    Set<String> out = new LinkedHashSet<>();
    for (String t : tokens(s, limit)) {
      if (t.length() > 2 && !STOP.contains(t) && !isNumber(t)) {
        out.add(stem(t));
      }
    }
    return out;
  }

  static boolean isNumber(String t) {
    for (int i = 0; i < t.length(); i++) {
      if (!Character.isDigit(t.charAt(i))) {
        return false;
      }
    }
    return true;
  }

  /** A deliberately crude stemmer: enough to match "routes"/"route", "delayed"/"delay". */
  static String stem(String w) {
    String s = w.toLowerCase(Locale.ROOT).replace('’', '\'');
    if (s.endsWith("'s")) {
      s = s.substring(0, s.length() - 2);
    }
    if (s.length() > 5 && s.endsWith("ies")) {
      return s.substring(0, s.length() - 3) + "y";
    }
    if (s.length() > 5 && (s.endsWith("ing") || s.endsWith("ed"))) {
      return s.substring(0, s.length() - (s.endsWith("ing") ? 3 : 2));
    }
    if (s.length() > 4 && s.endsWith("s") && !s.endsWith("ss") && !s.endsWith("us") && !s.endsWith("is")) {
      return s.substring(0, s.length() - 1);
    }
    return s;
  }
}
