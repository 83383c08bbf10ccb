package org.aspd.teacher.rules;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * Makes branch titles: short (at most {@value #MAX_WORDS} words and about {@value #MAX_TOKENS}
 * tokens), single-line, free of reserved text, and unique case-insensitively within a group.
 */
final class TitleMaker {
  static final int MAX_WORDS = 6;
  static final int MAX_TOKENS = 8;
  private static final Set<String> WEAK_ENDINGS = Set.of("and", "or", "of", "the", "a", "an", "for", "to",
      "in", "with", "on", "at", "by", "from", "vs", "versus", "&");

  private static final java.util.regex.Pattern TRAILING_PUNCT = java.util.regex.Pattern.compile("[\\p{Punct}“”‘’]+$");

  private TitleMaker() {}

  /** Mostly letters: a word, not a code fragment or a number. */
  private static boolean isWordLike(String w) {
    int letters = 0;
    for (int i = 0; i < w.length(); i++) {
      letters += Character.isLetter(w.charAt(i)) ? 1 : 0;
    }
    return letters >= 2 && letters * 3 >= w.length() * 2 && (letters >= 3 || w.length() == letters);
  }

  /** A title from an item's label, or from the first words of its body when it has none. */
  static String fromItem(String label, String body) {
    String base = label != null && !label.isBlank() ? label : "";
    int paren = base.indexOf(" (");
    if (paren > 0) {
      base = base.substring(0, paren); // "Cost (in dollars)" -> "Cost"
    }
    String title = base.isEmpty() ? "" : shorten(base);
    if (!fits(title)) {
      title = shorten(firstWords(body, 4));
    }
    return fits(title) ? title : "";
  }

  /** Titles for a group, made unique case-insensitively by numbering repeats. */
  static List<String> unique(List<String> titles) {
    List<String> out = new ArrayList<>();
    Set<String> seen = new HashSet<>();
    for (int i = 0; i < titles.size(); i++) {
      String t = titles.get(i).isBlank() || !fits(titles.get(i)) ? "Part " + (i + 1) : titles.get(i);
      String candidate = t;
      int n = 2;
      while (!seen.add(candidate.toLowerCase(Locale.ROOT))) {
        List<String> words = new ArrayList<>(List.of(t.split(" ")));
        while (words.size() >= MAX_WORDS) {
          words.remove(words.size() - 1);
        }
        candidate = String.join(" ", words) + " " + n++;
      }
      out.add(candidate);
    }
    return out;
  }

  /** The title of merged neighbouring items: "A and B", or "A, B, C" for a triple. */
  static String merged(List<String> titles) {
    String joined = titles.size() == 2 ? titles.get(0) + " and " + titles.get(1) : String.join(", ", titles);
    if (fits(joined)) {
      return joined;
    }
    int per = titles.size() == 2 ? 2 : 1;
    List<String> parts = new ArrayList<>();
    for (String t : titles) {
      parts.add(firstWords(trimWeak(t), per));
    }
    String shortJoined = parts.size() == 2 ? parts.get(0) + " and " + parts.get(1) : String.join(", ", parts);
    return shorten(shortJoined);
  }

  static boolean fits(String title) {
    return !title.isBlank() && Words.count(title) <= MAX_WORDS && estimateTokens(title) <= MAX_TOKENS
        && !title.contains("<|") && title.indexOf('\n') < 0;
  }

  /**
   * A conservative token estimate for a BPE vocabulary: common words are one token, long words two
   * or three, every punctuation mark one.
   */
  static int estimateTokens(String s) {
    int tokens = 0;
    int run = 0;
    for (int i = 0; i <= s.length(); i++) {
      char c = i < s.length() ? s.charAt(i) : ' ';
      if (Character.isLetter(c)) {
        run++;
        continue;
      }
      if (run > 0) {
        tokens += run <= 8 ? 1 : run <= 14 ? 2 : 3;
        run = 0;
      }
      if (Character.isDigit(c)) {
        tokens++;
      } else if (!Character.isWhitespace(c)) {
        tokens++;
      }
    }
    return tokens;
  }

  static String shorten(String raw) {
    String s = Labels.collapseSpaces(raw.replace("<|", "< |"));
    if (fits(s)) {
      return s;
    }
    for (String cut : new String[] {" – ", " — ", " - ", ": ", " (", ", ", "; "}) {
      int at = s.indexOf(cut);
      if (at > 0 && fits(s.substring(0, at).strip())) {
        return trimWeak(s.substring(0, at).strip());
      }
    }
    String[] words = s.split(" ");
    for (int n = Math.min(words.length, MAX_WORDS); n > 0; n--) {
      String t = trimWeak(String.join(" ", java.util.Arrays.copyOf(words, n)));
      if (fits(t)) {
        return t;
      }
    }
    String w = words[0];
    return w.length() > 12 ? w.substring(0, 12) : w;
  }

  private static String trimWeak(String s) {
    String t = s.strip();
    while (true) {
      int sp = t.lastIndexOf(' ');
      if (sp < 0) {
        break;
      }
      String last = lettersOnly(t.substring(sp + 1).toLowerCase(Locale.ROOT));
      if (!WEAK_ENDINGS.contains(last)) {
        break;
      }
      t = t.substring(0, sp).strip();
    }
    while (!t.isEmpty() && ",;:-–—(".indexOf(t.charAt(t.length() - 1)) >= 0) {
      t = t.substring(0, t.length() - 1).strip();
    }
    return t;
  }

  private static String lettersOnly(String s) {
    StringBuilder out = new StringBuilder(s.length());
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      if (Character.isLetter(c) || c == '&') {
        out.append(c);
      }
    }
    return out.toString();
  }

  private static String firstWords(String body, int n) {
    String clean = Labels.clean(body.length() > 200 ? body.substring(0, 200) : body);
    StringBuilder out = new StringBuilder();
    int words = 0;
    for (String w : clean.split(" ")) {
      if (w.isEmpty()) {
        continue;
      }
      String stripped = TRAILING_PUNCT.matcher(w).replaceAll("");
      if (!isWordLike(stripped)) {
        if (out.length() > 0) {
          break;
        }
        continue;
      }
      if (out.length() > 0) {
        out.append(' ');
      }
      out.append(stripped);
      if (++words >= n || !stripped.equals(w)) {
        break;
      }
    }
    return trimWeak(out.toString());
  }
}
