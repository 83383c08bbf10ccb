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
      "in", "with", "on", "at", "by", "from", "vs", "versus", "&", "is", "are", "was", "were", "be", "that",
      "which", "who", "whose", "can", "will", "would", "should", "must", "may", "you", "your", "my", "our",
      "their", "its", "his", "her", "if", "so", "but", "when", "as", "than", "into", "about", "this", "these",
      "those", "not", "do", "does", "have", "has", "such");
  /**
   * Openings of a sentence that say nothing about its item: "Make sure that the puree is plain",
   * "You can also add grated cheese", "Traditionally, it is served with rice".
   */
  private static final java.util.regex.Pattern FILLER_START = java.util.regex.Pattern.compile(
      "^(?:(?:make sure|be sure|ensure that|remember|don't forget|do not forget|try|note|keep in mind|it is important|"
          + "it's important)(?: that| to| you)*|if|when|for|to|who is(?: most likely to)?|what is|there (?:is|are)|"
          // "What are some ways that individuals can reduce ...": the question is what they can do.
          + "(?:what|which) are (?:some |the )?(?:ways|steps|things) (?:that |in which )?[\\w' -]{1,30}? can|"
          + "you (?:can|could|may|might|should)(?: also)?(?: want to)?|(?:traditionally|typically|usually|"
          + "generally|ideally|optionally|additionally|alternatively|finally|similarly|however|also|instead|"
          + "otherwise|moreover|furthermore|lastly|historically|interestingly|unfortunately|fortunately|"
          + "basically|essentially|ultimately|overall|often|sometimes|first(?:ly| of all)?|second(?:ly)?|third(?:ly)?|"
          + "fourth(?:ly)?|fifth(?:ly)?),)\\s+",
      java.util.regex.Pattern.CASE_INSENSITIVE);
  /** Nouns that name little before "of" or "to": the words after the preposition carry the item. */
  private static final Set<String> LIGHT_HEADS = Set.of("lack", "loss", "use", "role", "impact", "importance",
      "type", "types", "kind", "kinds", "level", "levels", "number", "amount", "need", "risk", "risks", "cost",
      "costs", "source", "sources", "effects", "effect", "power", "sense", "art", "introduction", "overview",
      "basics", "comparison", "difference", "fundamentals", "overuse", "overreliance", "misuse", "failure",
      "inability");
  /** Gerunds that open a topic ("Understanding data structures", "Using GitHub"): its object names it. */
  private static final Set<String> GERUNDS = Set.of("understanding", "using", "creating", "building",
      "learning", "developing", "implementing", "exploring", "choosing", "managing", "improving", "mastering",
      "getting", "writing", "making",
      // Verbs that say little before their preposition: "Relying on authority figures", "Going on a
      // scenic drive", "Participating in a charity walk".
      "relying", "depending", "participating", "engaging", "going", "focusing", "investing");
  private static final Set<String> PREPOSITIONS = Set.of("of", "to", "for", "in", "on", "with", "from", "by",
      "at", "into", "through", "about", "between", "within", "without", "over", "under", "across", "behind",
      "beyond", "against", "among", "toward", "towards", "around", "during", "versus", "vs");
  /** First words that turn a title round: a merged title never drops them ({@link #keyPhrase}). */
  private static final Set<String> NEGATIONS = Set.of("never", "don't", "dont", "not", "no");
  /** Verbs that open tips ("Use a Feature Phone", "Seek Common Ground"): a merged title keeps what follows. */
  private static final Set<String> TIP_VERBS = Set.of("use", "take", "stay", "be", "get", "keep", "make", "set",
      "seek", "ask", "read", "write", "practice", "practise", "identify", "focus", "encourage", "document",
      "learn", "avoid", "try", "find", "build", "create", "develop", "maintain", "consider", "choose", "limit",
      "establish", "engage", "follow", "plan", "prepare", "join", "attend", "leverage", "volunteer", "show",
      "give", "look", "check", "start", "stop", "do", "have", "let", "add", "remove", "include", "define");

  private static final java.util.regex.Pattern TRAILING_PUNCT = java.util.regex.Pattern.compile("[\\p{Punct}“”‘’]+$");

  /** The job tokenizer's count while a rewrite runs on this thread ({@link #countingWith}); null: estimate. */
  private static final ThreadLocal<java.util.function.ToIntFunction<String>> TOKENS = new ThreadLocal<>();

  private TitleMaker() {}

  /** Runs {@code work} with titles counted by {@code tokens} (null keeps the estimate). */
  static <T> T countingWith(java.util.function.ToIntFunction<String> tokens, java.util.function.Supplier<T> work) {
    java.util.function.ToIntFunction<String> before = TOKENS.get();
    TOKENS.set(tokens);
    try {
      return work.get();
    } finally {
      TOKENS.set(before);
    }
  }

  /** A title's tokens: the job tokenizer's count when known, else the conservative estimate. */
  static int tokens(String title) {
    java.util.function.ToIntFunction<String> counter = TOKENS.get();
    return counter != null ? counter.applyAsInt(title) : estimateTokens(title);
  }

  /** Mostly letters: a word, not a code fragment or a number. */
  private static boolean isWordLike(String w) {
    if (w.equals("a") || w.equals("A") || w.equals("I")) {
      return true; // one-letter words, which used to end a title early ("Use" for "Use a timer")
    }
    int letters = 0;
    for (int i = 0; i < w.length(); i++) {
      letters += Character.isLetter(w.charAt(i)) || w.charAt(i) == '\'' || w.charAt(i) == '\u2019' ? 1 : 0;
    }
    return letters >= 2 && letters * 3 >= w.length() * 2 && (letters >= 3 || w.length() == letters);
  }

  /** A title from an item's label, or from the first words of its body when it has none. */
  static String fromItem(String label, String body) {
    return fromItem(label, body, true);
  }

  /** A separator a cut title may end on ("Electric Guesthouse -" of 'Electric Guesthouse - "Get Down"'). */
  private static final java.util.regex.Pattern TRAILING_SEPARATOR =
      java.util.regex.Pattern.compile("\\s*[-–—:;,]+$");

  /** {@code topics}: a question is titled by its topic; off, by its first words. */
  private static String fromItem(String label, String body, boolean topics) {
    return TRAILING_SEPARATOR.matcher(untrimmed(label, body, topics)).replaceFirst("");
  }

  private static String untrimmed(String label, String body, boolean topics) {
    String base = label != null && !label.isBlank() ? label : "";
    // An outline's numbering names no section: "VI. Last-Minute Gift Ideas", "II. Understanding AI",
    // "Section 2: Practical and Useful Gifts".
    base = Labels.withoutNumbering(base);
    int paren = base.indexOf(" (");
    if (paren > 0) {
      java.util.regex.Matcher acronym = ACRONYM.matcher(base.substring(paren));
      base = withoutBrackets(base, paren);
      if (!fits(base) && acronym.lookingAt()) {
        base = acronym.group(1); // "... Single African Air Transport Market (SAATM)" -> "SAATM"
      }
    }
    String title = base.isEmpty() ? "" : balanced(shorten(base));
    java.util.regex.Matcher names = FIRST_OF_NAMES.matcher(title);
    if (names.matches() && base.startsWith(title + ", ") && Character.isUpperCase(base.charAt(title.length() + 2))
        && Words.count(names.group(1)) >= 2) {
      title = names.group(1); // "The solo careers of John, Paul, George, and Ringo ...": not "... of John"
    }
    if (!title.isEmpty() && !title.equals(base) && !cutAtMark(base, title)) {
      // A label cut to fit: a quoted name before its author ('"The Expanse" series by James S.A.
      // Corey'), else a cut that ends a phrase ("Improved Quality of Life and Environmental").
      String name = quotedName(base);
      title = !name.isEmpty() ? name : wholePhrase(base, title);
    }
    if (!fits(title) && base.isEmpty()) {
      title = quotedName(body);
    }
    if (!fits(title) && base.isEmpty()) {
      title = headingLine(body);
    }
    java.util.regex.Matcher glossed = GLOSSED_CODE.matcher(body.strip());
    if (!fits(title) && base.isEmpty() && glossed.lookingAt()) {
      // "- `-a` (archive mode) preserves permissions": the option with its gloss, "-a (archive mode)".
      String option = glossed.group(1) + " (" + glossed.group(2) + ")";
      title = Words.count(glossed.group(2)) <= 3 && tokens(option) <= MAX_TOKENS ? option : "";
    }
    java.util.regex.Matcher part = NAMED_CODE.matcher(body.strip());
    if (!fits(title) && base.isEmpty() && part.lookingAt()) {
      // "- `[a-z.-]+` - Matches one or more letters": the part of code it explains is its name;
      // its first words ("Matches", "Matches one or more") name every such item alike.
      String code = part.group(1) + (part.group(2) != null ? " and " + part.group(2) : "");
      title = tokens(code) <= MAX_TOKENS ? code : "";
    }
    if (!fits(title)) {
      String opening = opening(body);
      java.util.regex.Matcher named = NAMED_LEAD.matcher(opening);
      if (named.lookingAt()) {
        // "1. Implementation of the Single African Air Transport Market (SAATM): Launched in ...": a
        // label the list did not mark, as long as a name; titled as that label is ("SAATM").
        String fromName = fromItem(named.group(1), "");
        if (fits(fromName)) {
          return fromName;
        }
      }
      java.util.regex.Matcher place = NAME_BEFORE_COLON.matcher(opening);
      if (place.lookingAt() && fits(place.group(1))) {
        // "The Dexter Avenue King Memorial Baptist Church: This church was ...": the name whole,
        // less its leading "The".
        return place.group(1);
      }
      String rest = pastFiller(opening);
      boolean skipped = !rest.equals(opening);
      // Past a filler ("Who is most likely to") the first words name the item already.
      String topic = topics && !skipped ? QuestionTopic.of(opening) : "";
      if (fits(topic)) {
        return topic; // "What role does the melting of polar ice caps play?" -> "Melting of polar ice caps"
      }
      // Past "If you ...", one word more: "Prevent the crust from burning", not "Prevent the crust".
      title = openingTitle(rest, skipped);
      java.util.regex.Matcher passive = PASSIVE.matcher(rest);
      if (passive.lookingAt()) {
        // "Escargot can be made ahead of time" reads as "Escargot made ahead of time", a title once
        // it goes past the verb ("Escargot made ahead"); "Lists ordered" is no better than "Lists are ordered".
        String participle = passive.group(2);
        String phrased = openingTitle(passive.replaceFirst("$1 $2"), true);
        if (!phrased.isEmpty() && !phrased.endsWith(" " + participle)) {
          title = phrased;
        }
      }
    }
    return fits(title) ? title : "";
  }

  /**
   * {@code label} without its brackets from {@code paren} on: "Cost (in dollars)" -> "Cost". A phrase
   * that goes on past them keeps its words, every bracket out: "Use a Just-In-Time (JIT) compiler" ->
   * "Use a Just-In-Time compiler", not "Use a Just-In-Time"; "User Interface (UI) and User Experience
   * (UX)" -> "User Interface and User Experience".
   */
  private static String withoutBrackets(String label, int paren) {
    int close = label.indexOf(')', paren);
    String after = close > 0 ? label.substring(close + 1) : "";
    if (after.length() < 2 || after.charAt(0) != ' ' || !Character.isLetter(after.charAt(1))) {
      return label.substring(0, paren);
    }
    String rest = label.substring(0, paren) + after;
    int next = rest.indexOf(" (", paren);
    return next > 0 ? withoutBrackets(rest, next) : rest;
  }

  /** Adverbs that only strengthen the adjective after them: "a very stable asset". */
  private static final Set<String> STRENGTHENERS = Set.of("very", "really", "quite", "extremely", "highly",
      "incredibly");
  private static final java.util.regex.Pattern STRENGTHENER = java.util.regex.Pattern.compile(
      "\\b(?:" + String.join("|", STRENGTHENERS) + ") (?=[a-z])");

  /**
   * A title from the first words of a body's text, past its filler. A title cut after a strengthener
   * ("Cash is not a very") is made again without it: "Cash is not a stable asset".
   */
  private static String openingTitle(String rest, boolean skipped) {
    String title = plainOpeningTitle(rest, skipped);
    String last = title.substring(title.lastIndexOf(' ') + 1);
    java.util.regex.Matcher strong = STRENGTHENER.matcher(rest);
    if (title.contains(" ") && STRENGTHENERS.contains(last.toLowerCase(Locale.ROOT)) && strong.find()) {
      String again = plainOpeningTitle(rest.substring(0, strong.start()) + rest.substring(strong.end()), skipped);
      return again.isEmpty() ? title : again;
    }
    return title;
  }

  private static String plainOpeningTitle(String rest, boolean skipped) {
    String phrase = phrase(rest);
    String title = phrase != null ? phrase : subjectBeforeVerb(balanced(shorten(firstWords(rest, skipped ? 5 : 4))));
    return wholePhrase(rest, title);
  }

  /**
   * The first line of an item when it stands alone as a heading ("1. Nintendo" over "Nintendo is
   * known for ..."): a few words with no mark, the text going on on the next line; else "".
   */
  private static String headingLine(String body) {
    String text = body.strip();
    int nl = text.indexOf('\n');
    if (nl < 0) {
      return "";
    }
    String line = text.substring(0, nl).strip();
    String first = Labels.clean(line);
    int paren = first.indexOf(" (");
    first = paren > 0 ? first.substring(0, paren) : first; // "Group Discussion (30 minutes)"
    boolean bare = !first.isEmpty() && Character.isUpperCase(first.charAt(0))
        && line.chars().noneMatch(c -> ".,;:!?".indexOf(c) >= 0);
    return bare && Words.count(first) <= 4 && !text.substring(nl).strip().isEmpty() && fits(first) ? first : "";
  }

  /** Whether {@code title} is {@code base} cut where a mark ends a part ('"Educated" by Tara Westover, narrated by'). */
  private static boolean cutAtMark(String base, String title) {
    String rest = base.startsWith(title) ? base.substring(title.length()).stripLeading() : "";
    return !rest.isEmpty() && ",;:(\u2013\u2014-".indexOf(rest.charAt(0)) >= 0;
  }

  /** A name of capitalised words (and "of", "and", "the", "for") before a colon, "The" aside. */
  private static final java.util.regex.Pattern NAME_BEFORE_COLON = java.util.regex.Pattern.compile(
      "^(?:The )?(?!(?:For|When|If|To|In|On|At|With|By|From|As|After|Before|During)\\b)"
          + "([A-Z][\\w'.&-]*(?: (?:[A-Z][\\w'.&-]*|of|and|the|for))+):");
  /** An item that opens on a code span glossed in brackets: "`-z` (compress) compresses the data". */
  private static final java.util.regex.Pattern GLOSSED_CODE = java.util.regex.Pattern.compile(
      "(?:(?:[-+*\u2022]|\\d{1,3}[.)])\\s+)?`([^`\\n]{1,20})`\\s*\\(([A-Za-z][^()`\\n]{1,30})\\)");
  /**
   * An item that opens on code and explains it after a dash: "`^` and `$` - Anchors the pattern".
   * After a colon the explanation reads as a label's gloss and its first words title it.
   */
  private static final java.util.regex.Pattern NAMED_CODE = java.util.regex.Pattern.compile(
      "(?:(?:[-+*\u2022]|\\d{1,3}[.)])\\s+)?`([^`\\n]{1,30})`(?: and `([^`\\n]{1,30})`)?\\s*[-\u2013\u2014]\\s");
  private static final java.util.regex.Pattern NAMED_LEAD = java.util.regex.Pattern.compile(
      "^(?:(?:\\d{1,3}[.)]|[-*+\u2022])\\s+)?([A-Z][^.:()\\n]{2,120} \\([A-Z][A-Z0-9&-]{1,9}\\)):");
  private static final java.util.regex.Pattern ACRONYM = java.util.regex.Pattern.compile(" \\(([A-Z][A-Z0-9&-]{1,9})\\)");
  private static final java.util.regex.Pattern QUOTED_NAME = java.util.regex.Pattern.compile(
      "^(?:(?:[-+\u2022]|\\d{1,3}[.)])\\s+)?[\"\u201c*_]+([^\"\u201d*_\\n]{1,60})[\"\u201d*_]+");

  /** A body that opens with a quoted or emphasised name ('"1984" by George Orwell'): that name. */
  private static String quotedName(String body) {
    String text = body.strip();
    java.util.regex.Matcher m = QUOTED_NAME.matcher(text);
    if (!m.find()) {
      return "";
    }
    String name = m.group(1).strip();
    String[] words = name.split(" ");
    long capitals = java.util.Arrays.stream(words).filter(w -> !w.isEmpty() && Character.isUpperCase(w.charAt(0))).count();
    // Emphasis also stresses words ("*Always* check the oil"): only a title-cased name of two words or more counts.
    char opening = text.charAt(m.start(1) - 1);
    boolean quoted = opening == '"' || opening == '\u201c';
    boolean named = quoted || words.length >= 2 && capitals * 2 >= words.length;
    if (!named) {
      return "";
    }
    if (Words.count(name) <= MAX_WORDS && fits(name)) {
      return name;
    }
    // A long name is cut where its first part ends ("The Science of Procrastination" of "The Science
    // of Procrastination: Why Do We Do It?"), else before a phrase it goes on with, never past a mark:
    // "The 7 Habits" of "The 7 Habits of Highly Effective People", "The Long Way" of "The Long Way to
    // a Small, Angry Planet", nothing of "Safe and sound, I see! Good to know".
    java.util.regex.Matcher end = NAME_PART_END.matcher(name);
    if (end.find()) {
      String part = name.substring(0, end.start()).strip();
      if (Words.count(part) >= 2 && Words.count(part) <= MAX_WORDS && part.indexOf(',') < 0 && fits(part)) {
        return part;
      }
    }
    java.util.regex.Matcher mark = NAME_MARK.matcher(name);
    if (mark.find()) {
      words = name.substring(0, mark.start()).strip().split(" ");
    }
    for (int i = Math.min(words.length - 1, MAX_WORDS); i >= 2; i--) {
      String w = words[i].toLowerCase(java.util.Locale.ROOT);
      String head = String.join(" ", java.util.Arrays.copyOfRange(words, 0, i));
      if ((w.equals("of") || PHRASE_OPENERS.contains(w)) && !head.endsWith(",") && fits(head)) {
        return head;
      }
    }
    return "";
  }

  /** Where a name's first part ends: "The Science of Procrastination: Why Do We Do It?" (not "No." or "vs."). */
  private static final String PART_END = "[:;!?]|(?<=\\p{L}{3})\\.|\\s[-–—]\\s";
  private static final java.util.regex.Pattern NAME_PART_END = java.util.regex.Pattern.compile(PART_END);
  /** A part's end or a comma: a cut inside a name stays before it. */
  private static final java.util.regex.Pattern NAME_MARK = java.util.regex.Pattern.compile(",|" + PART_END);

  /** Words that open the next phrase: a title made of first words may stop before one. */
  private static final Set<String> PHRASE_OPENERS = Set.of("by", "to", "for", "with", "from", "in", "on", "at",
      "into", "through", "without", "during", "before", "after", "until", "while", "because", "so", "and", "or",
      "but", "which", "that", "who", "when", "if", "as", "than", "since", "unless", "whether", "where", "via",
      "such", "including");

  /**
   * A body's opening phrase, or null: its first sentence when that is at most
   * {@value #MAX_WORDS} words, else its words up to where a phrase ends ("The server starts each
   * point | by standing"; five words best, then four, six, three), else its first clause up to a
   * comma.
   */
  private static String phrase(String text) {
    Lead lead = lead(text, MAX_WORDS + 1);
    List<String> words = lead.words();
    char stop = lead.stop();
    boolean sentence = ".!?;:".indexOf(stop) >= 0 && stop != 0;
    // A clause up to a comma is whole too ("To prevent the crust from burning,") unless it runs into
    // another clause or a list ("landscapes that provide ecological, social ...").
    boolean clause = stop == ',' && words.stream().skip(1).noneMatch(w -> CLAUSE_WORDS.contains(w.toLowerCase(Locale.ROOT)));
    String series = stop == ',' && words.size() < MAX_WORDS ? seriesTitle(text, words) : null;
    if (series != null) {
      return series;
    }
    if ((sentence || clause) && words.size() <= MAX_WORDS) {
      String whole = acceptable(words, words.size());
      if (whole != null) {
        return whole;
      }
    }
    // Five words read best, then four, six and three.
    for (int n : new int[] {5, 4, 6, 3}) {
      if (n >= words.size()) {
        continue;
      }
      String opener = words.get(n).toLowerCase(Locale.ROOT).replace("\u2019", "'");
      boolean dangling = n >= 2 && List.of("and", "or").contains(words.get(n - 2).toLowerCase(Locale.ROOT))
          && DANGLING_VERBS.contains(words.get(n - 1)); // "and opt | for": a verb left without its object
      if (!dangling && PHRASE_OPENERS.contains(opener.endsWith("'s") ? opener.substring(0, opener.length() - 2) : opener)) {
        // "Use a measuring tape | or ruler": the whole pair of nouns when it fits.
        boolean joins = (opener.equals("and") || opener.equals("or")) && n + 2 < words.size();
        String pair = joins ? acceptable(words, n + 2) : null;
        if (pair != null && coordinatedNouns(words, n)) { // the tagger runs only for a pair that would fit
          return pair;
        }
        String cut = acceptable(words, n);
        if (cut != null) {
          return cut;
        }
      }
    }
    return stop == ',' && words.size() <= MAX_WORDS ? acceptable(words, words.size()) : null;
  }

  /** After a first member's comma, the rest of a series up to its last member and the word after it. */
  private static final java.util.regex.Pattern SERIES_REST = java.util.regex.Pattern.compile(
      "^((?:[\\w'-]+, ){0,3}(?:[\\w'-]+ )?)(and|or) ([\\w'-]+) ([\\w'-]+)( [\\w'-]+)?");
  /** After a lone first word's comma, a second single word that goes on with the series. */
  private static final java.util.regex.Pattern SECOND_MEMBER = java.util.regex.Pattern.compile(
      "^([a-z][\\w'-]*)(?:, (?:[\\w'-]+, )*(and|or) | (and|or) )");
  private static final Set<String> MODIFIER_TAGS = Set.of("ADJ", "NOUN");
  /** Words after which a list of names may follow: "the careers of John, Paul, ...". */
  private static final Set<String> NAME_LIST_OPENERS = Set.of("of", "by", "from", "with", "like", "including");
  /** A title cut at the comma after the first of a list of names: "The solo careers of John". */
  private static final java.util.regex.Pattern FIRST_OF_NAMES = java.util.regex.Pattern.compile(
      "(.+) (?:" + String.join("|", NAME_LIST_OPENERS) + ") [A-Z][\\w'-]*");

  /**
   * A title for words cut at a comma that opens a series, or null. A series of modifiers of one noun
   * is titled by its first modifier with that noun ("Write unit, integration, and end-to-end tests" ->
   * "Write unit tests", not "Write unit"); a lone first word by the first two members ("Diagnose, debug,
   * and perform root cause analysis" -> "Diagnose and debug").
   */
  private static String seriesTitle(String text, List<String> words) {
    String open = opening(text);
    int comma = open.indexOf(", ");
    if (comma < 0 || !open.substring(0, comma).endsWith(words.get(words.size() - 1))) {
      return null;
    }
    String rest = open.substring(comma + 2);
    if (words.size() == 1) {
      java.util.regex.Matcher second = SECOND_MEMBER.matcher(rest);
      String first = words.get(0).replaceFirst("^[\"\u201c]+", ""); // '"Snow, coffee, and work'
      if (!second.lookingAt() || second.group(1).equalsIgnoreCase(first)) {
        return null; // "Practice, practice, practice"
      }
      String conj = second.group(2) != null ? second.group(2) : second.group(3);
      String pair = first + " " + conj + " " + second.group(1);
      return fits(pair) ? pair : null;
    }
    java.util.regex.Matcher m = SERIES_REST.matcher(rest);
    if (!m.lookingAt()) {
      return null;
    }
    int before = words.size() - 2;
    if (before >= 2 && NAME_LIST_OPENERS.contains(words.get(before).toLowerCase(Locale.ROOT))
        && Character.isUpperCase(words.get(before + 1).charAt(0)) && Character.isUpperCase(m.group(3).charAt(0))) {
      // "The solo careers of John, Paul, George and Ringo": the names are listed; the title stops before them.
      String shorter = acceptable(words, before);
      if (shorter != null) {
        return shorter;
      }
    }
    List<String> middle = new ArrayList<>(Words.tokens(m.group(1), m.group(1).length()));
    middle.add(words.get(words.size() - 1));
    if (middle.stream().anyMatch(TitleMaker::plural)) {
      return null; // "the user interface, features, and overall performance": heads, not modifiers
    }
    String last = m.group(3);
    String head = m.group(4);
    // Tagged as written, commas and all: the tagger reads a made-up "Write unit end-to-end tests" badly.
    List<String> seq = new ArrayList<>(words);
    seq.add(",");
    for (String w : m.group(1).split(" ")) {
      if (!w.isEmpty()) {
        seq.add(w.endsWith(",") ? w.substring(0, w.length() - 1) : w);
        if (w.endsWith(",")) {
          seq.add(",");
        }
      }
    }
    seq.add(m.group(2));
    seq.add(last);
    int h = seq.size();
    seq.add(head);
    if (m.group(5) != null) {
      seq.add(m.group(5).strip());
    }
    List<String> tags = PartsOfSpeech.tag(seq);
    // Members of one kind, adjectives ("clean, efficient, and maintainable code") or a compound modifier
    // last ("unit, integration, and end-to-end tests"). Nouns before a noun are more often a list whose
    // last member is a compound ("cinnamon, nutmeg, or chocolate chips"), and a noun then an adjective
    // is one ("mold, mildew, or musty odors").
    String firstTag = tags.get(words.size() - 1);
    String lastTag = tags.get(h - 1);
    boolean compound = last.indexOf('-') > 0 && !lastTag.equals("PROPN");
    boolean modifiers = (firstTag.equals("ADJ") && lastTag.equals("ADJ") || compound && MODIFIER_TAGS.contains(firstTag))
        && tags.get(h).equals("NOUN") && !plural(last) && !head.equalsIgnoreCase(words.get(words.size() - 1));
    if (!modifiers) {
      return null;
    }
    List<String> title = new ArrayList<>(words);
    title.add(head);
    if (h + 1 < seq.size() && tags.get(h + 1).equals("NOUN")) {
      title.add(seq.get(h + 1)); // "unit, integration, and end-to-end test suites"
    }
    String joined = String.join(" ", title);
    return fits(joined) && !endsWeak(joined) ? joined : null;
  }

  /** A plural noun, which heads its own phrase: "features", "reports" (not "analysis", "glass"). */
  private static boolean plural(String word) {
    String w = word.toLowerCase(Locale.ROOT);
    return w.length() > 3 && w.endsWith("s") && !w.endsWith("ss") && !w.endsWith("is") && !w.endsWith("us");
  }

  /** Whether the "and" or "or" at {@code n} joins two nouns of one phrase: "a measuring tape | or ruler". */
  private static boolean coordinatedNouns(List<String> words, int n) {
    // The word after the pair must be seen and end the noun phrase: "two | full bathrooms" goes on,
    // "workforce | retraining programs" too.
    if (n + 2 >= words.size() || DANGLING_VERBS.contains(words.get(n + 1).toLowerCase(Locale.ROOT))) {
      return false; // "plastics and opt | for"
    }
    List<String> tags = PartsOfSpeech.tag(words);
    return NOMINAL_TAGS.contains(tags.get(n - 1)) && NOMINAL_TAGS.contains(tags.get(n + 1))
        && !NOMINAL_TAGS.contains(tags.get(n + 2)) && !tags.get(n + 2).equals("VERB") && !tags.get(n + 2).equals("ADJ");
  }

  /**
   * {@code title}, made of the first words of {@code text}, or the nearest cut that ends a phrase
   * when it stops inside one ("Visit the picturesque medieval" -> "Visit the picturesque medieval
   * town", "Add a splash of" stays): up to two words longer, else shorter, else the verb and the
   * end of a long noun phrase; {@code title} itself when nothing better fits or it is not a cut of
   * {@code text}.
   */
  static String wholePhrase(String text, String title) {
    if (title.isEmpty()) {
      return title;
    }
    Lead lead = lead(text, TAGGED_WORDS);
    List<String> words = lead.words();
    int n = title.split(" ").length;
    if (n > words.size() || !String.join(" ", words.subList(0, n)).equalsIgnoreCase(title)) {
      return title; // shaped by more than a cut (a filler dropped, a quote balanced): left alone
    }
    List<String> tags = PartsOfSpeech.tag(words);
    if (n == words.size() && lead.stop() != 0) {
      // A mark ends the clause right there ("Keep a fire extinguisher nearby,"), unless it is a comma
      // between two adjectives of one noun ("Dry herbs in a warm, | dry place"): read on past it.
      List<String> further = new ArrayList<>(words);
      further.addAll(lead.after());
      List<String> furtherTags = PartsOfSpeech.tag(further);
      boolean coordinate = lead.stop() == ',' && lead.after().size() >= 2
          && coordinateAdjectives(further, furtherTags, n);
      if (!coordinate) {
        return title;
      }
      words = further;
      tags = furtherTags;
      // The two modifiers and their noun are one phrase: "Eat a light, nutritious meal" is not "Eat a light".
      String throughNoun = endsPhrase(words, tags, n + 2) ? acceptable(words, n + 2) : null;
      if (throughNoun != null) {
        return throughNoun;
      }
    }
    if (endsPhrase(words, tags, n)) {
      return title;
    }
    for (int m = n + 1; m <= Math.min(n + 2, words.size()); m++) {
      String longer = endsPhrase(words, tags, m) ? acceptable(words, m) : null;
      if (longer != null) {
        return longer;
      }
    }
    for (int m = n - 1; m >= 2; m--) {
      String shorter = endsPhrase(words, tags, m) ? acceptable(words, m) : null;
      if (shorter != null) {
        return shorter;
      }
    }
    String compressed = longNounPhrase(words, tags);
    if (compressed != null) {
      return compressed;
    }
    // A noun phrase longer than any title: a cut inside it at least ends on one of its nouns
    // ("Experience with a modern software | programming language"), not on an adjective or an article.
    boolean dangling = DANGLING_TAGS.contains(tags.get(n - 1));
    for (int m = Math.min(n + 2, words.size()); dangling && m >= 2; m--) {
      String onNoun = NOMINAL_TAGS.contains(tags.get(m - 1)) ? acceptable(words, m) : null;
      if (onNoun != null) {
        return onNoun;
      }
    }
    String lighter = dangling ? withoutModifiers(words, tags, n) : null;
    return lighter != null ? lighter : title;
  }

  /**
   * A cut that ends on a modifier, made whole by dropping modifiers before the noun it goes with: "Tips
   * for selecting the perfect last-minute | gift" -> "Tips for selecting the last-minute gift"; null
   * when the noun is not right after the cut or the phrase still does not fit.
   */
  private static String withoutModifiers(List<String> words, List<String> tags, int n) {
    if (n >= words.size() || !NOMINAL_TAGS.contains(tags.get(n)) || !tags.get(n - 1).equals("ADJ")) {
      return null;
    }
    List<String> kept = new ArrayList<>(words.subList(0, n + 1));
    int first = n - 1;
    while (first > 0 && tags.get(first - 1).equals("ADJ")) {
      first--;
    }
    for (int drop = first; drop < n - 1 && !fits(String.join(" ", kept)); drop++) {
      kept.remove(first); // the farthest from the noun goes first: the nearest names it most closely
    }
    String t = balanced(String.join(" ", kept));
    return fits(t) && !endsWeak(t) ? t : null;
  }

  /**
   * Whether a comma after the {@code n}-th word stands between two modifiers of one noun ("Use fresh,
   * high-quality ingredients"), so that the phrase reads on. A hyphenated modifier may be tagged a
   * noun, and a noun in -ing before another noun is one ("a large, deep roasting pan"); an adverb
   * and a verb are not ("An eagle, likely referring to").
   */
  private static boolean coordinateAdjectives(List<String> words, List<String> tags, int n) {
    String second = words.get(n);
    String head = words.get(n + 1);
    boolean secondModifies = tags.get(n).equals("ADJ") || second.indexOf('-') > 0 && tags.get(n).equals("NOUN");
    boolean headIsNoun = !head.endsWith("ing") || n + 2 < words.size() && NOMINAL_TAGS.contains(tags.get(n + 2));
    // Right after an article, a first word the tagger reads as a noun modifies too: "a light, nutritious meal".
    boolean firstModifies = tags.get(n - 1).equals("ADJ")
        || tags.get(n - 1).equals("NOUN") && n >= 2 && tags.get(n - 2).equals("DET") && tags.get(n).equals("ADJ");
    return firstModifies && secondModifies && NOMINAL_TAGS.contains(tags.get(n + 1))
        && !second.endsWith("ly") && headIsNoun;
  }

  /** Words tagged for a title: enough to see past the longest title to where its phrase goes on. */
  private static final int TAGGED_WORDS = 12;

  /** Possessives, which the tagger calls pronouns: a title never ends on one ("Keep your"). */
  private static final Set<String> POSSESSIVES = Set.of("my", "your", "his", "her", "its", "our", "their",
      "whose");
  /** Tags after which a phrase cannot end: "the", "of", "and", "because", "is", "to", "please". */
  private static final Set<String> OPEN_TAGS = Set.of("DET", "ADP", "CCONJ", "SCONJ", "AUX", "PART", "INTJ",
      "PUNCT", "SYM", "X");
  /** Words that open a clause which is a verb's object: "checks if", "decide whether". */
  private static final Set<String> CLAUSE_OBJECTS = Set.of("if", "whether");
  /** Nouns that name nothing without their "of": a title never ends on one ("Use a type"). */
  private static final Set<String> EMPTY_HEADS = Set.of("type", "types", "kind", "kinds", "sort", "sorts");
  /** Words that go on with "to" whatever the tagger calls them: "according to", "due to", "prior to". */
  private static final Set<String> TAKES_TO = Set.of("according", "due", "prior", "compared", "relative",
      "thanks", "owing");
  /** Tags that go on a noun phrase: after a modifier, a noun or a number continues it. */
  private static final Set<String> NOMINAL_TAGS = Set.of("NOUN", "PROPN", "NUM");

  /**
   * Whether the first {@code n} of {@code words} end a phrase, so that a title cut there is whole:
   * not after a determiner, preposition, conjunction or possessive ("Access to a"); not inside a
   * noun phrase ("Use fresh | basil leaves", "Delivery of the final | video"); not between a verb
   * and its object ("Consider using | a survey").
   */
  static boolean endsPhrase(List<String> words, List<String> tags, int n) {
    String word = words.get(n - 1).toLowerCase(Locale.ROOT);
    String last = tags.get(n - 1);
    // "more accessible", "very good": the model may call the intensifier an adjective; it is an adverb.
    String before = n < 2 ? null
        : INTENSIFIERS.contains(words.get(n - 2).toLowerCase(Locale.ROOT)) ? "ADV" : tags.get(n - 2);
    // A bracket or a quote after the cut closes the phrase: "Toy Tool Set | (with toy tools)".
    // (Not a quote after a modifier: "a small | \"hopscotch\" design" goes on.)
    boolean quotedNoun = n < tags.size() && "\"\u201c".indexOf(words.get(n).charAt(0)) >= 0
        && (last.equals("ADJ") || last.equals("DET"));
    String next = n < tags.size() && ("([\"\u201c".indexOf(words.get(n).charAt(0)) < 0 || quotedNoun)
        ? tags.get(n) : null;
    boolean particle = last.equals("ADP") && PARTICLES.contains(word) && before != null
        && !before.equals("ADP") && (next == null || !OBJECT_TAGS.contains(next));
    boolean subject = last.equals("PRON") && SUBJECT_PRONOUNS.contains(word) && !"PROPN".equals(before);
    String nextWord = n < words.size() ? words.get(n) : "";
    String following = nextWord.toLowerCase(Locale.ROOT);
    boolean amount = word.equals("up") && n >= 2 && PREPOSITIONS.contains(words.get(n - 2).toLowerCase(Locale.ROOT));
    if (following.equals("to") && (TAKES_TO.contains(word) || amount)) {
      return false; // "Experiment with cheeses according | to your taste", "Freeze them for up | to 2 months"
    }
    boolean misreadVerb = last.equals("NOUN") && word.endsWith("s") && "NOUN".equals(before);
    // (In lower case: "responses: | If a person" starts a sentence of its own.)
    if (CLAUSE_OBJECTS.contains(nextWord) && (last.equals("VERB") || misreadVerb)) {
      // "The is_empty method checks | if the queue is empty": the verb's object is the clause after
      // it (and a verb after a noun in -s is one the tagger may have read as a plural noun).
      return false;
    }
    if (following.equals("of") && EMPTY_HEADS.contains(word)) {
      return false; // "Latvians use a type | of sausage"
    }
    if (!particle && OPEN_TAGS.contains(last) || POSSESSIVES.contains(word) || subject // "World War I" ends
        || word.equals("there") || word.endsWith("'s") || word.endsWith("\u2019s")) {
      return false; // "Access to a", "Keep your", "Are there", "The Ethiopian government's"
    }
    if (next == null) {
      return true;
    }
    if (next.equals("VERB") && ING_NOUNS.contains(words.get(n).toLowerCase(Locale.ROOT))) {
      next = "NOUN"; // "fatherhood | training program": a noun the model read as a verb
    } else if (next.equals("NOUN") && words.get(n).endsWith("s") && n + 1 < words.size()
        && CLAUSE_OBJECTS.contains(words.get(n + 1))) {
      next = "VERB"; // "method | checks if": the verb the model took for a plural noun
    } else if (THIRD_PERSON_VERBS.contains(words.get(n).toLowerCase(Locale.ROOT))
        || PLURAL_VERBS.contains(words.get(n).toLowerCase(Locale.ROOT)) && NOMINAL_TAGS.contains(last)) {
      next = "VERB"; // "analytics | help identify": the model took the verb for a noun
    }
    if (misreadVerb && next.equals("DET") && !word.endsWith("ss")) {
      return false; // "The third line calculates | the product": a verb the model took for a plural noun
    }
    return switch (last) {
      case "ADJ" -> adjectiveEndsPhrase(words, n, before, next);
      case "NOUN", "PROPN", "NUM" -> !NOMINAL_TAGS.contains(next);
      case "VERB" -> !OBJECT_TAGS.contains(next) && !CLAUSE_OBJECTS.contains(following);
      case "ADV" -> !ADVERB_HEADS.contains(next); // "highly | specialized"
      default -> true;
    };
  }

  /**
   * Whether the adjective that is the {@code n}-th word ends a phrase: as a predicate ("Stay
   * organized", "is clear | and", "find it challenging") or as a noun the model misread ("a
   * healthcare professional | or"); not in a row of modifiers ("Provide accessible and |
   * affordable"), and after a noun not when it takes a complement ("vocabulary related | to",
   * "impact due | to") unless a verb like "keep" gives the object that state ("Keep the cage clean | and").
   */
  private static boolean adjectiveEndsPhrase(List<String> words, int n, String before, String next) {
    if (before == null || NOMINAL_TAGS.contains(next) || next.equals("ADJ")) {
      return false;
    }
    boolean afterNoun = NOUN_TAGS.contains(before);
    boolean predicate = PREDICATE_TAGS.contains(before)
        || OBJECT_PRONOUNS.contains(words.get(n - 2).toLowerCase(Locale.ROOT));
    if (!afterNoun && !predicate) {
      return false;
    }
    if (next.equals("CCONJ")) {
      return !before.equals("VERB") && !before.equals("ADV");
    }
    return !(afterNoun && COMPLEMENT_TAGS.contains(next))
        || COMPLEMENT_VERBS.contains(words.get(0).toLowerCase(Locale.ROOT));
  }

  private static final Set<String> NOUN_TAGS = Set.of("NOUN", "PROPN");
  /** Tags before an adjective that make it a predicate: "is clear", "Stay organized", "more accessible". */
  private static final Set<String> PREDICATE_TAGS = Set.of("AUX", "VERB", "ADV");
  /** Tags of a word that takes an adjective's complement: "related | to", "other | than". */
  private static final Set<String> COMPLEMENT_TAGS = Set.of("ADP", "SCONJ");
  /** Tags an adverb modifies, so that a cut between them splits a phrase: "highly | specialized". */
  private static final Set<String> ADVERB_HEADS = Set.of("ADJ", "VERB", "ADV", "AUX");
  /** Tags a cut can be left on inside a noun phrase: "a modern | software", "the | final video". */
  private static final Set<String> DANGLING_TAGS = Set.of("ADJ", "DET", "ADP", "CCONJ");
  /** Tags inside a noun phrase before its head: "a reputable and recognized | fatherhood". */
  private static final Set<String> NOUN_PHRASE_INNER_TAGS = Set.of("DET", "ADJ", "CCONJ", "NUM");
  /** Tags of the words a kept noun phrase may start from: "recognized | fatherhood training program". */
  private static final Set<String> NOUN_PHRASE_START_TAGS = Set.of("ADJ", "NOUN", "PROPN", "NUM");

  /** Pronouns a verb gives a state to ("find it challenging", "keep them busy"). */
  private static final Set<String> OBJECT_PRONOUNS = Set.of("it", "them", "him", "her", "me", "us", "you",
      "everything", "something");
  /** Words in -ing that name a field or an activity inside a compound ("training program", "programming language"). */
  private static final Set<String> ING_NOUNS = Set.of("training", "programming", "marketing", "cooking",
      "learning", "building", "planning", "processing", "shopping", "parking", "housing", "funding",
      "manufacturing", "engineering", "accounting", "advertising", "banking", "computing", "networking",
      "clothing", "lighting", "printing", "recycling", "teaching", "testing", "writing", "reading", "listening",
      "speaking", "coding", "hosting", "messaging", "streaming", "gaming", "fishing", "farming", "hiking",
      "camping", "painting", "drawing", "baking", "heating", "cooling", "trading", "pricing", "branding",
      "consulting", "scheduling", "budgeting", "onboarding", "sewing", "knitting", "swimming", "running");
  private static final Set<String> INTENSIFIERS = Set.of("more", "most", "less", "least", "very", "so", "too",
      "quite", "really", "extremely", "highly");
  /** Verbs that give their object a state: "Keep your brand consistent", "Make the text bold". */
  private static final Set<String> COMPLEMENT_VERBS = Set.of("keep", "make", "leave", "get", "let");
  /** Words that complete a verb rather than open a phrase ("warm up", "sign off"), tagged as prepositions. */
  private static final Set<String> PARTICLES = Set.of("up", "down", "off", "out", "away", "back", "over",
      "around", "apart", "together", "through");
  /** Tags that open a verb's object: a cut just before one leaves the verb without it ("Consider using | a survey"). */
  private static final Set<String> OBJECT_TAGS = Set.of("NOUN", "PROPN", "NUM", "DET", "ADJ", "PRON");

  /**
   * A title for a sentence whose first noun phrase runs past the word limit ("Establish a reputable
   * and recognized fatherhood training program"): its opening verb, if any, and the phrase's last
   * words up to its head noun ("Establish fatherhood training program"); null when none fits.
   */
  private static String longNounPhrase(List<String> words, List<String> tags) {
    int start = !tags.isEmpty() && tags.get(0).equals("VERB") ? 1 : 0;
    for (int head = start; head < words.size(); head++) {
      if (!NOUN_TAGS.contains(tags.get(head))) {
        String word = words.get(head).toLowerCase(Locale.ROOT);
        boolean participle = tags.get(head).equals("VERB") && (word.endsWith("ed") || word.endsWith("ing"));
        if (!NOUN_PHRASE_INNER_TAGS.contains(tags.get(head)) && !participle
            && !POSSESSIVES.contains(word)) {
          return null; // the phrase after the verb is not a noun phrase ("Want to make")
        }
        continue;
      }
      if (!endsPhrase(words, tags, head + 1)) {
        continue;
      }
      int from = Math.max(start, head - 2);
      while (from < head && !NOUN_PHRASE_START_TAGS.contains(tags.get(from))) {
        from++;
      }
      List<String> kept = new ArrayList<>(words.subList(from, head + 1));
      if (start == 1) {
        kept.add(0, words.get(0));
      }
      String title = capitalised(balanced(String.join(" ", kept)));
      return kept.size() >= 2 && start < head && fits(title) && !endsWeak(title) && !endsOnVerb(kept) ? title : null;
    }
    return null;
  }

  private static final Set<String> CLAUSE_WORDS = Set.of("that", "which", "who", "whose", "and", "or", "but",
      "such", "including", "like");

  /** Verbs that need what follows them ("and opt for", "and try to", "and ask them"). */
  private static final Set<String> DANGLING_VERBS = Set.of("opt", "try", "ask", "give", "provide", "help",
      "ensure", "offer", "allow", "reduce", "increase", "improve", "support", "stay", "turn", "go", "see", "put",
      "avoid", "make", "take", "get", "keep", "use", "be", "have", "find", "seek", "consider", "choose", "let",
      "encourage", "create", "build", "set", "focus", "follow", "look", "check", "share", "show", "work");

  private static String acceptable(List<String> words, int n) {
    String t = balanced(String.join(" ", words.subList(0, n)));
    return n >= 2 && fits(t) && !endsWeak(t) && !endsOnVerb(words.subList(0, n)) ? t : null;
  }

  /** Verbs in the third person that a subject's first words run into ("The User table represents"). */
  private static final Set<String> THIRD_PERSON_VERBS = Set.of("represents", "allows", "provides", "includes",
      "contains", "requires", "involves", "enables", "ensures", "refers", "describes", "means", "helps", "gives",
      "makes", "causes", "creates", "reduces", "improves", "stores", "holds", "defines", "determines",
      "indicates", "affects", "offers", "depends", "consists", "focuses", "aims", "tends", "seems");
  /** The same verbs after a plural subject ("Shorter episodes allow"). */
  private static final Set<String> PLURAL_VERBS = Set.of("allow", "provide", "include", "contain", "require",
      "involve", "enable", "ensure", "help", "give", "make", "cause", "create", "reduce", "improve", "offer",
      "need", "tend", "seem", "represent", "mean", "affect", "depend");
  private static final Set<String> QUESTION_OPENERS = Set.of("can", "could", "do", "does", "did", "how", "what",
      "why", "who", "where", "when", "which", "is", "are", "will", "would", "should", "describe", "explain");
  private static final Set<String> CLAUSE_OPENERS = Set.of("what", "how", "why", "who", "which", "that", "where",
      "when", "whether", "if");
  private static final Set<String> SUBJECT_PRONOUNS = Set.of("they", "we", "you", "i", "these", "those");

  /**
   * Whether first words end on the verb of their sentence, its object cut off: "The Organization
   * table represents", "Shorter episodes allow" (a plural or a pronoun before a plain verb, so that
   * "Seek help" is not one).
   */
  private static boolean endsOnVerb(List<String> words) {
    if (words.size() < 2) {
      return false;
    }
    for (int i = 0; i < words.size() - 1; i++) {
      if (i == 0 && QUESTION_OPENERS.contains(words.get(0).toLowerCase(Locale.ROOT))
          || CLAUSE_OPENERS.contains(words.get(i).toLowerCase(Locale.ROOT))) {
        return false; // "Can you provide", "Describe what friendship means": not a subject and its verb
      }
    }
    String last = words.get(words.size() - 1).toLowerCase(Locale.ROOT);
    String before = words.get(words.size() - 2).toLowerCase(Locale.ROOT);
    return THIRD_PERSON_VERBS.contains(last) && !TIP_VERBS.contains(before)
        || PLURAL_VERBS.contains(last) && (SUBJECT_PRONOUNS.contains(before)
            || before.length() > 3 && before.endsWith("s") && !before.endsWith("ss"));
  }

  /** First words that end on their verb, cut to the subject before it ("The User table"); else as they are. */
  private static String subjectBeforeVerb(String title) {
    List<String> words = List.of(title.split(" "));
    if (!endsOnVerb(words)) {
      return title;
    }
    String subject = String.join(" ", words.subList(0, words.size() - 1));
    return subject.equals(trimWeak(subject)) && fits(subject) && !SUBJECT_PRONOUNS.contains(
        subject.toLowerCase(Locale.ROOT)) ? subject : title;
  }

  private static boolean endsWeak(String title) {
    int sp = title.lastIndexOf(' ');
    return WEAK_ENDINGS.contains(lettersOnly(title.substring(sp + 1).toLowerCase(Locale.ROOT)));
  }

  /**
   * A body's text from its first telling word: past an opening that says nothing about the item
   * ("If", "Make sure that", "Who is most likely to") and the function words after it, with the
   * word now first capitalised ("If your wrapping paper is thin" -> "Wrapping paper is thin").
   * {@code text} is a body's {@link #opening}.
   */
  static String pastFiller(String text) {
    java.util.regex.Matcher filler = FILLER_START.matcher(text);
    if (!filler.lookingAt()) {
      return text;
    }
    List<String> words = new ArrayList<>(List.of(text.substring(filler.end()).split(" ")));
    while (words.size() > 2 && (Words.STOP.contains(words.get(0).toLowerCase(Locale.ROOT))
        || CONTRACTION.matcher(words.get(0)).matches())) {
      words.remove(0);
    }
    return capitalised(String.join(" ", words));
  }

  /**
   * A sentence that opens in the passive, "Escargot can be made ahead of time": its subject (a few
   * words, not a question word, pronoun or relative clause) and its participle.
   */
  private static final java.util.regex.Pattern PASSIVE = java.util.regex.Pattern.compile(
      "(?!(?:which|what|who|how|when|where|why|it|they|we|you|i|he|she|this|that|these|those)\\b)"
          + "([A-Z][\\w'-]*(?: (?!that\\b|which\\b|who\\b)[\\w'-]+){0,2}) "
          + "(?:(?:can|could|should|may|must|will)(?: also)? be|is|are) "
          + "(\\w+ed|made|done|kept|served|eaten|grown|known|found|seen|given|taken|built|written|held|sold|"
          + "brought|cut|set|put|left|worn|frozen|shown|drawn|spent|paid|run|won|thrown|chosen|driven)\\b",
      java.util.regex.Pattern.CASE_INSENSITIVE);

  private static final java.util.regex.Pattern CONTRACTION = java.util.regex.Pattern.compile(
      "(?i)(?:you|we|they|i|it|there|that)['\u2019](?:re|ve|m|s|ll|d)");

  /**
   * A first word in lower case ("prefer,", "don't") gets a capital; one with a capital or a digit
   * inside (iPhone, x2) or a mark first (`code`) is kept.
   */
  private static String capitalised(String s) {
    int end = s.indexOf(' ');
    String first = end < 0 ? s : s.substring(0, end);
    return !first.isEmpty() && first.charAt(0) >= 'a' && first.charAt(0) <= 'z'
        && first.chars().noneMatch(c -> Character.isUpperCase(c) || Character.isDigit(c))
        ? Character.toUpperCase(first.charAt(0)) + s.substring(1) : s;
  }

  /**
   * Without a bracket or quote that opens and never closes: "pinch of salt (optional" is cut before
   * the bracket, and a lone quote mark ('"The Middle') is dropped.
   */
  static String balanced(String title) {
    String t = title;
    int open = t.lastIndexOf('(');
    if (open >= 0 && t.indexOf(')', open) < 0) {
      t = trimWeak(t.substring(0, open));
    }
    long straight = t.chars().filter(c -> c == '"').count();
    long opening = t.chars().filter(c -> c == '\u201c').count();
    long closing = t.chars().filter(c -> c == '\u201d').count();
    if (straight % 2 == 1 || opening != closing) {
      t = t.replace("\"", "").replace("\u201c", "").replace("\u201d", "").strip();
    }
    return t;
  }

  /**
   * Titles for the items of one group where items made from their first words collide ("Who is most
   * likely to ..." twenty times): each such item is titled from its words after the ones they share.
   * Labels are kept as they are ({@link #unique} numbers any repeats left).
   */
  static List<String> distinct(List<String> titles, List<String> labels, List<String> bodies) {
    List<String> out = new ArrayList<>(titles);
    java.util.Map<String, List<Integer>> same = new java.util.LinkedHashMap<>();
    for (int i = 0; i < titles.size(); i++) {
      // Titles from first words that open alike collide in what they say ("Drive north to San
      // Clemente", "Drive north to Laguna Beach"): keyed by their first three words.
      String key = titles.get(i).toLowerCase(Locale.ROOT);
      String[] words = key.split(" ");
      if (labels.get(i) == null && words.length > 3) {
        key = String.join(" ", java.util.Arrays.copyOf(words, 3));
      }
      same.computeIfAbsent(key, k -> new ArrayList<>()).add(i);
    }
    for (List<Integer> group : same.values()) {
      if (group.size() < 2) {
        continue;
      }
      if (group.size() == titles.size() && sameLabel(labels, group)) {
        // Every item of the group carries one label ("1. Corrected: I go to the park", "2. Corrected:
        // She ..."): the label names the list, and each item is told apart by what follows it, when
        // that tells them apart.
        List<String> own = new ArrayList<>();
        group.forEach(i -> own.add(fromItem(null, bodies.get(i))));
        boolean apart = own.stream().noneMatch(String::isEmpty)
            && own.stream().map(t -> t.toLowerCase(Locale.ROOT)).distinct().count() == own.size();
        for (int k = 0; k < group.size() && apart; k++) {
          out.set(group.get(k), own.get(k));
        }
        continue;
      }
      List<List<String>> words = new ArrayList<>();
      for (int i : group) {
        boolean cut = bodies.get(i).length() > 300;
        List<String> w = List.of(Labels.clean(cut ? bodies.get(i).substring(0, 300) : bodies.get(i)).split(" "));
        words.add(cut && w.size() > 1 ? w.subList(0, w.size() - 1) : w); // not a word cut in half ("y")
      }
      int shared = sharedPrefix(words);
      for (int k = 0; k < group.size(); k++) {
        int i = group.get(k);
        if (labels.get(i) == null && shared == 0) {
          // Two questions about one topic ("natural disasters"): told apart by how each asks.
          String asked = fromItem(null, bodies.get(i), false);
          out.set(i, asked.isEmpty() ? out.get(i) : asked);
        }
        if (labels.get(i) != null || shared == 0) {
          continue;
        }
        List<String> rest = words.get(k).subList(Math.min(shared, words.get(k).size()), words.get(k).size());
        // Past a shared subject ("The United States | has been involved in numerous wars"), the words
        // after its verb name the item ("Numerous wars and conflicts"), not the verb ("Has been involved").
        String object = objectAfterVerb(rest);
        String again = object != null ? object : fromItem(null, capitalised(String.join(" ", rest)));
        if (!again.isEmpty()) {
          out.set(i, again);
        }
      }
    }
    objectsPastCutSubjects(out, labels, bodies);
    return out;
  }

  /**
   * A title that is a subject cut before its verb ("The country") beside one that runs on past the
   * same subject ("The country has been involved"): both items open on one subject, so each is
   * titled by the object after its verb ("Significant growth and expansion", "Numerous wars and
   * conflicts") when both have one.
   */
  private static void objectsPastCutSubjects(List<String> out, List<String> labels, List<String> bodies) {
    for (int i = 0; i < out.size(); i++) {
      String subject = out.get(i).toLowerCase(Locale.ROOT);
      if (labels.get(i) != null || subject.split(" ").length < 2) {
        continue;
      }
      for (int j = 0; j < out.size(); j++) {
        if (j == i || labels.get(j) != null || !out.get(j).toLowerCase(Locale.ROOT).startsWith(subject + " ")) {
          continue;
        }
        String first = objectPastSubject(bodies.get(i), subject);
        String second = objectPastSubject(bodies.get(j), subject);
        if (first != null && second != null && !first.equalsIgnoreCase(second)) {
          out.set(i, first);
          out.set(j, second);
        }
        break;
      }
    }
  }

  /** The object after the verb that follows {@code subject} at the start of {@code body}, or null. */
  private static String objectPastSubject(String body, String subject) {
    List<String> words = List.of(opening(body).split(" "));
    int n = subject.split(" ").length;
    if (words.size() <= n || !String.join(" ", words.subList(0, n)).equalsIgnoreCase(subject)) {
      return null;
    }
    return objectAfterVerb(words.subList(n, words.size()));
  }

  /**
   * The noun phrase after the verb that opens {@code words} ("has experienced | significant growth
   * and expansion", "is a | global power"), or null when they do not open on a verb or no noun
   * phrase of two to five words follows it.
   */
  static String objectAfterVerb(List<String> words) {
    List<String> lead = new ArrayList<>();
    for (String w : words) {
      String stripped = TRAILING_PUNCT.matcher(w).replaceAll("");
      if (stripped.isEmpty() || lead.size() >= TAGGED_WORDS) {
        break;
      }
      lead.add(stripped);
      if (!stripped.equals(w)) {
        break; // the clause ends at a mark
      }
    }
    List<String> tags = PartsOfSpeech.tag(lead);
    // Only a finite verb left by a shared subject ("has", "is", "invented", "increases"); an item that
    // opens on a plain verb is an instruction, and its verb belongs in the title ("Compose new emails").
    String first = tags.isEmpty() ? "" : lead.get(0).toLowerCase(Locale.ROOT);
    boolean finite = !tags.isEmpty() && (tags.get(0).equals("AUX")
        || tags.get(0).equals("VERB") && (first.endsWith("ed") || first.endsWith("s")));
    if (!finite) {
      return null;
    }
    int start = 0;
    // A participle the tagger reads as an adjective belongs to the verb group ("has been involved | in").
    while (start < tags.size() && (VERB_GROUP_TAGS.contains(tags.get(start))
        || POSSESSIVES.contains(lead.get(start).toLowerCase(Locale.ROOT))
        || tags.get(start).equals("ADJ") && lead.get(start).endsWith("ed") && start > 0
            && start + 1 < tags.size() && tags.get(start + 1).equals("ADP"))) {
      start++;
    }
    int end = start;
    while (end < tags.size() && end - start < 5 && (NOUN_PHRASE_WORD_TAGS.contains(tags.get(end))
        || lead.get(end).equalsIgnoreCase("of") && end > start && NOMINAL_TAGS.contains(tags.get(end - 1)))) {
      end++; // "a large amount | of waste" goes on through "of"
    }
    while (end > start && (!NOMINAL_TAGS.contains(tags.get(end - 1))
        || lead.get(end - 1).endsWith("ing") && !ING_NOUNS.contains(lead.get(end - 1).toLowerCase(Locale.ROOT)))) {
      end--; // "growth and | expansion" ends on its noun, not on "and" or a verb read as one ("consisting")
    }
    if (end - start < 2 || end < tags.size() && NOMINAL_TAGS.contains(tags.get(end))) {
      return null; // one word, or a cut inside the phrase
    }
    String title = capitalised(balanced(String.join(" ", lead.subList(start, end))));
    return fits(title) && Words.count(title) >= 2 ? title : null;
  }

  /** Tags of a verb group and what leads from it to its object: "has been | involved in | the". */
  private static final Set<String> VERB_GROUP_TAGS = Set.of("AUX", "VERB", "ADV", "PART", "ADP", "DET");
  /** Tags of the words of a plain noun phrase: "significant growth and expansion". */
  private static final Set<String> NOUN_PHRASE_WORD_TAGS = Set.of("ADJ", "NOUN", "PROPN", "NUM", "CCONJ");

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

  private static boolean sameLabel(List<String> labels, List<Integer> group) {
    String first = labels.get(group.get(0));
    return first != null && group.stream().allMatch(i -> first.equalsIgnoreCase(labels.get(i)));
  }

  /** How many leading words all the lists share (case-insensitively). */
  private static int sharedPrefix(List<List<String>> words) {
    int n = 0;
    while (true) {
      for (List<String> w : words) {
        if (n >= w.size() || !w.get(n).equalsIgnoreCase(words.get(0).get(n))) {
          return n;
        }
      }
      n++;
    }
  }

  /** The title of merged neighbouring items: "A and B", or "A, B, C" for a triple. */
  static String merged(List<String> titles) {
    return merged(titles, Set.of());
  }

  /**
   * The title of merged neighbouring items, "A and B" or "A, B, C", where {@code common} holds the
   * words that many titles of the group share ("University", "Podcast", "drawer"): a shortened part
   * names its item by the words that tell it apart ("Carnegie Mellon", not "Mellon University").
   */
  static String merged(List<String> titles, Set<String> common) {
    // Joined labels are long runs of rarer words, where the estimate runs low (a real tokenizer found
    // "Broth-Based Soups and Ginger Tea" over 8 tokens and the gate dropped the whole group): two
    // tokens of margin under the limit.
    int limit = TOKENS.get() != null ? MAX_TOKENS : MAX_TOKENS - 2;
    List<String> plain = titles.stream().map(TitleMaker::plainPart).toList();
    String joined = join(plain);
    if (fits(joined) && tokens(joined) <= limit && readsAsOne(joined, plain.size())) {
      return joined;
    }
    // "Security and Testing and debugging" reads as three items: a part that is itself "A and B" gives its A.
    String firsts = join(plain.stream().map(TitleMaker::firstConjunct).toList());
    if (!firsts.equals(joined) && fits(firsts) && tokens(firsts) <= limit && readsAsOne(firsts, plain.size())) {
      return firsts;
    }
    String factored = sharedHead(plain);
    if (factored != null && fits(factored) && tokens(factored) <= limit) {
      return factored;
    }
    for (int per = titles.size() == 2 ? 2 : 1; per >= 1; per--) {
      List<String> parts = new ArrayList<>();
      Set<String> seen = new HashSet<>();
      boolean repeats = false;
      for (String t : plain) {
        String part = capitalised(balanced(keyPhrase(t, per, common)));
        repeats |= !seen.add(part.toLowerCase(Locale.ROOT));
        parts.add(part);
      }
      String shortJoined = join(parts);
      if (!repeats && fits(shortJoined) && tokens(shortJoined) <= limit) {
        return shortJoined;
      }
    }
    // Nothing names every item in the limit: say that there is more rather than name the first alone.
    String more = capitalised(balanced(keyPhrase(plain.get(0), 2, common))) + " and more";
    return fits(more) && tokens(more) <= limit ? more : shorten(plain.get(0));
  }

  /** Whether a merged title has no "and" beyond the one that joins a pair. */
  private static boolean readsAsOne(String joined, int parts) {
    int ands = joined.split(" and ", -1).length - 1;
    return ands <= (parts == 2 ? 1 : 0);
  }

  /** "Testing and debugging" -> "Testing"; a title without "and" as it is. */
  private static String firstConjunct(String title) {
    int and = title.indexOf(" and ");
    return and > 0 ? title.substring(0, and) : title;
  }

  /**
   * A title as a part of a merged one: without quote marks ('"Dune" by Frank Herbert'), a leading
   * dash ("- Dive") or a "How to" that every such part would share ("How to debug code").
   */
  static String plainPart(String title) {
    String t = title.replace("\"", "").replace("\u201c", "").replace("\u201d", "").strip();
    int start = 0;
    while (start < t.length() && !Character.isLetterOrDigit(t.charAt(start))) {
      start++;
    }
    t = t.substring(start);
    java.util.regex.Matcher how = HOW_TO.matcher(t);
    if (how.lookingAt() && how.end() < t.length()) {
      t = capitalised(t.substring(how.end()));
    }
    return t.isEmpty() ? title : t;
  }

  private static final java.util.regex.Pattern HOW_TO = java.util.regex.Pattern.compile("(?i)how (?:to|do I|can I) ");

  /**
   * Words (lower case) that at least three titles of a group and a fifth of them hold: what their
   * items share rather than what tells them apart.
   */
  static Set<String> commonWords(List<String> titles) {
    java.util.Map<String, Integer> counts = new java.util.HashMap<>();
    for (String t : titles) {
      Set<String> words = new HashSet<>();
      for (String w : t.toLowerCase(Locale.ROOT).split(" ")) {
        String letters = lettersOnly(w);
        if (letters.length() >= 3 && !Words.STOP.contains(letters)) {
          words.add(letters);
        }
      }
      words.forEach(w -> counts.merge(w, 1, Integer::sum));
    }
    Set<String> common = new HashSet<>();
    counts.forEach((w, n) -> {
      if (n >= 3 && n * 5 >= titles.size()) {
        common.add(w);
      }
    });
    return common;
  }

  /**
   * Two titles that end alike, said once: "Optimization Techniques" and "Regularization
   * Techniques" -> "Optimization and Regularization Techniques"; null when they do not.
   */
  private static String sharedHead(List<String> titles) {
    if (titles.size() != 2) {
      return null;
    }
    List<String> a = List.of(trimWeak(titles.get(0)).split(" "));
    List<String> b = List.of(trimWeak(titles.get(1)).split(" "));
    int shared = 0;
    while (shared < Math.min(a.size(), b.size()) - 1
        && a.get(a.size() - 1 - shared).equalsIgnoreCase(b.get(b.size() - 1 - shared))) {
      shared++;
    }
    if (shared == 0) {
      return null;
    }
    String first = capitalised(withoutArticle(String.join(" ", a.subList(0, a.size() - shared))));
    String second = withoutArticle(String.join(" ", b.subList(0, b.size() - shared)));
    return first.isBlank() || second.isBlank() || first.equalsIgnoreCase(second) ? null
        : first + " and " + second + " " + String.join(" ", a.subList(a.size() - shared, a.size()));
  }

  private static String withoutArticle(String s) {
    return s.replaceFirst("^(?i)(?:the|a|an) (?=\\S)", "");
  }

  private static String join(List<String> parts) {
    return parts.size() == 2 ? parts.get(0) + " and " + parts.get(1) : String.join(", ", parts);
  }

  /**
   * At most {@code max} words that still name the item: the first of "A and B", past an opening tip
   * verb ("Use a Feature Phone Occasionally" -> "Feature Phone"), else its last words, where English
   * puts the noun ("Artificial General Intelligence" -> "General Intelligence"), never ending in an
   * adverb or a function word.
   */
  static String keyPhrase(String title, int max) {
    return keyPhrase(title, max, Set.of());
  }

  /**
   * {@link #keyPhrase(String, int)}, telling items apart by the words that are not {@code common}:
   * "Carnegie Mellon University" -> "Carnegie Mellon", "University of Tokyo" -> "Tokyo", and of
   * "Procrastination and Creativity", "Creativity".
   */
  static String keyPhrase(String title, int max, Set<String> common) {
    List<String> words = new ArrayList<>(List.of(trimWeak(title).split(" ")));
    words.removeIf(String::isBlank);
    if (words.size() > max && NEGATIONS.contains(words.get(0).toLowerCase(Locale.ROOT))) {
      // "Never stop learning": its last words alone say the opposite; keep the negation or all of it.
      return max >= 2 ? trimWeak(String.join(" ", words.subList(0, max))) : String.join(" ", words);
    }
    while (words.size() > 1 && opensOnFunctionWord(words, max)) {
      words.remove(0); // "For transparency", "The basics", and past the limit any article
    }
    // A word many titles of the group share says little there ("Carnegie Mellon University"): one at
    // either edge of a title of three words or more goes, unless a function word would then lead or end.
    // Only for a plain phrase: "Basics of Machine Learning" and "A and B" are split first, then looked at.
    boolean plainPhrase = words.stream().noneMatch(w -> PREPOSITIONS.contains(w.toLowerCase(Locale.ROOT))
        || w.equals("and") || w.equals("&"));
    if (plainPhrase && words.size() >= 3 && dropsAsCommon(words, words.size() - 1, common, max, false)
        && !WEAK_ENDINGS.contains(words.get(words.size() - 2).toLowerCase(Locale.ROOT))) {
      words.remove(words.size() - 1);
    } else if (plainPhrase && words.size() >= 3 && isCommon(words.get(0), common)
        && !Words.STOP.contains(words.get(1).toLowerCase(Locale.ROOT))) {
      words.remove(0);
    }
    if (words.size() <= max) {
      return String.join(" ", words);
    }
    for (int i = 1; i < words.size() - 1; i++) {
      if (words.get(i).equals("and") || words.get(i).equals("&") || alternativeAt(words, i)) {
        String first = String.join(" ", words.subList(0, i));
        boolean shared = words.subList(0, i).stream().allMatch(w -> isCommon(w, common));
        return keyPhrase(shared ? String.join(" ", words.subList(i + 1, words.size())) : first, max, common);
      }
    }
    String verb = words.get(0).toLowerCase(Locale.ROOT);
    boolean adverbial = ADVERBIAL.matcher(String.join(" ", words.subList(1, words.size()))).lookingAt();
    boolean afterVerb = false;
    if (words.size() > 1 && (TIP_VERBS.contains(verb) || GERUNDS.contains(verb)) && !adverbial) {
      afterVerb = true;
      List<String> rest = new ArrayList<>(words.subList(1, words.size()));
      if (verb.equals("getting") && rest.size() > 2 && rest.get(0).equalsIgnoreCase("started")) {
        rest.remove(0); // "Getting started with machine learning" -> "machine learning"
      }
      while (rest.size() > 1 && Words.STOP.contains(rest.get(0).toLowerCase(Locale.ROOT))) {
        rest.remove(0);
      }
      words = rest;
    }
    // "Quality of Education", "Access to Care": the noun before the preposition is the head, unless
    // it says little alone ("Lack of Personalization" -> "Personalization").
    for (int i = 1; i < words.size(); i++) {
      if (PREPOSITIONS.contains(words.get(i).toLowerCase(Locale.ROOT))) {
        String head = words.get(i - 1).toLowerCase(Locale.ROOT);
        // A shared head alone or before "of" says as little ("Procrastination at Work" -> "Work",
        // "Technical University of Munich" -> "Munich"; but "Music Theory in Practice" stays).
        boolean sharedHead = (i == 1 || words.get(i).equalsIgnoreCase("of")) && isCommon(head, common);
        if ((LIGHT_HEADS.contains(head) || sharedHead) && i + 1 < words.size()) {
          return keyPhrase(String.join(" ", words.subList(i + 1, words.size())), max, common);
        }
        if (i <= max) {
          return trimWeak(String.join(" ", words.subList(0, i)));
        }
        words = new ArrayList<>(words.subList(0, i));
        break;
      }
    }
    while (words.size() > 1 && words.get(words.size() - 1).toLowerCase(Locale.ROOT).endsWith("ly")) {
      words.remove(words.size() - 1);
    }
    int end = words.size();
    while (end > 1 && dropsAsCommon(words, end - 1, common, max, afterVerb)) {
      end--; // "Tsinghua University" in a list of universities -> "Tsinghua"
    }
    List<String> tail = new ArrayList<>(words.subList(Math.max(0, end - max), end));
    while (tail.size() > 1 && WEAK_ENDINGS.contains(lettersOnly(tail.get(0).toLowerCase(Locale.ROOT)))) {
      tail.remove(0);
    }
    return trimWeak(String.join(" ", tail));
  }

  /**
   * Whether {@code words[i]} is an "or" before a last noun of its own, "a charity walk or run", "Study
   * Group or Class"; in "Boiled or Poached Eggs" the two words before the noun share it.
   */
  private static boolean alternativeAt(List<String> words, int i) {
    return words.get(i).equals("or") && i == words.size() - 2
        && !PartsOfSpeech.tag(words.subList(0, i)).get(i - 1).equals("ADJ");
  }

  /**
   * What follows a tip verb that is no object of it: "Practice in front of others" is about practising
   * ("Practice"), not about a front.
   */
  private static final java.util.regex.Pattern ADVERBIAL =
      java.util.regex.Pattern.compile("(?i)(?:in front of|out loud|aloud|in public|at home)\\b");

  /**
   * Whether {@code words[at]} says what many titles of the group say and may go: a common noun after a
   * name or a noun goes ("Carnegie Mellon University" -> "Carnegie Mellon", "Extreme weather events" ->
   * "Extreme weather"). Where a part has room for two words, one after an adjective stays, and so does
   * one whose going would leave a verb and its modifier, or the modifier of a verb already dropped
   * ("Avoiding direct questions" -> "direct questions", "Using vague language" -> "vague language", not
   * "Avoiding direct", "Using vague").
   */
  private static boolean dropsAsCommon(List<String> words, int at, Set<String> common, int max, boolean afterVerb) {
    if (!isCommon(words.get(at), common)) {
      return false;
    }
    if (at == 0 || max < 2) {
      return true;
    }
    String opening = words.get(0).toLowerCase(Locale.ROOT);
    boolean verbAndModifier = at == 2 && (TIP_VERBS.contains(opening) || GERUNDS.contains(opening))
        || afterVerb && at == 1; // the verb already gone: "Using vague language" -> "vague language"
    return !verbAndModifier && !PartsOfSpeech.tag(words.subList(0, at + 1)).get(at - 1).equals("ADJ");
  }

  private static boolean isCommon(String word, Set<String> common) {
    return common.contains(lettersOnly(word.toLowerCase(Locale.ROOT)));
  }

  /**
   * Whether a part of a merged title opens on a word to drop: an article or a preposition before a
   * word in lower case ("The basics", "For transparency"; but "The Daily" and "To Kill a
   * Mockingbird" are names), and any article while the part is over {@code max} words.
   */
  private static boolean opensOnFunctionWord(List<String> words, int max) {
    String first = words.get(0).toLowerCase(Locale.ROOT);
    boolean article = List.of("the", "a", "an").contains(first);
    boolean lowerNext = Character.isLowerCase(words.get(1).charAt(0));
    return article && (words.size() > max || lowerNext) || PREPOSITIONS.contains(first) && lowerNext;
  }

  static boolean fits(String title) {
    return !title.isBlank() && Words.count(title) <= MAX_WORDS && tokens(title) <= MAX_TOKENS
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
    return trimWeak(String.join(" ", lead(body, n).words()));
  }

  /** A body's first 200 characters without markup: what a title is read from. */
  private static String opening(String body) {
    return Labels.clean(body.length() > 200 ? body.substring(0, 200) : body);
  }

  /**
   * The first words of a text, the mark that ended its clause there (0 when none did), and the
   * words after that mark (empty when none).
   */
  private record Lead(List<String> words, char stop, List<String> after) {}

  /** A call written as a name: "is_empty()", "enqueue(item)", ".equals()"; then any mark after it. */
  private static final java.util.regex.Pattern CALL = java.util.regex.Pattern.compile(
      "(\\.?[A-Za-z_][\\w.]*)\\([\\w, ]{0,20}\\)(\\p{Punct}*)");
  /** An operator a sentence names as a word: "Use == for reference comparison". */
  private static final java.util.regex.Pattern OPERATOR = java.util.regex.Pattern.compile("[=!<>+\\-*/&|%^]{2,3}");
  /** Abbreviations whose full stop ends no sentence: "Dr. Elara Vex, a brilliant scientist". */
  private static final Set<String> ABBREVIATIONS = Set.of("Dr", "Mr", "Mrs", "Ms", "Prof", "St", "Mt", "Jr", "Sr",
      "vs", "Lt", "Col", "Gen", "Capt", "Sgt", "Rev", "Fr");

  /**
   * A short name that opens a text without being a word: letters and digits mixed ("3D", "IP3", "H1-B",
   * "C7"). A lone letter or number ("R", "10"), or a symbol, names too little.
   */
  private static final java.util.regex.Pattern LEADING_NAME = java.util.regex.Pattern.compile(
      "(?=.*\\p{L})(?=.*\\p{N})[\\p{L}\\p{N}][\\p{L}\\p{N}/-]{1,7}");

  /** An acronym in brackets after the words it stands for, with no mark after it: "(JIT)", "(UX)". */
  private static final java.util.regex.Pattern BRACKETED_ACRONYM = java.util.regex.Pattern.compile("\\([A-Z][A-Za-z0-9&-]{0,9}\\)");

  /** At most {@code n} word-like words from the first one, up to a mark or a token that is not a word. */
  private static Lead lead(String body, int n) {
    String[] tokens = opening(body).split(" ");
    List<String> words = new ArrayList<>();
    for (int i = 0; i < tokens.length; i++) {
      String w = tokens[i];
      if (w.isEmpty()) {
        continue;
      }
      java.util.regex.Matcher call = CALL.matcher(w);
      if (call.matches() && !words.isEmpty()) {
        // "The is_empty() method": a name, whose brackets end nothing. A call that opens the item
        // ("pygame.init() initializes the library") is its name and a title by itself.
        w = call.group(1) + call.group(2);
      }
      String core = TRAILING_PUNCT.matcher(w).replaceAll("");
      String marks = w.substring(core.length());
      // A quoted word inside the first words goes on with them: 'a small "hopscotch" design'.
      String stripped = words.isEmpty() ? core : core.replaceFirst("^[\"\u201c]+", "");
      boolean quoteOnly = !marks.isEmpty() && marks.chars().allMatch(c -> "\"\u201d'\u2019".indexOf(c) >= 0);
      if (OPERATOR.matcher(w).matches() && (!words.isEmpty() || i + 1 < tokens.length)) {
        // "Use == for reference comparison"; one that opens the item is what it is about ("== compares
        // the reference"), not a mark to skip ("compares the reference").
        words.add(w);
        continue;
      }
      if (!words.isEmpty() && BRACKETED_ACRONYM.matcher(w).matches()) {
        continue; // "Use a Just-In-Time (JIT) compiler" reads on to its noun
      }
      // A short name that is not a word opens the title: "3D printing", "H1-B visa", "IP3 diffuses".
      boolean name = words.isEmpty() && LEADING_NAME.matcher(stripped).matches();
      if (!name && !isWordLike(stripped)) {
        if (!words.isEmpty()) {
          break;
        }
        continue;
      }
      words.add(stripped);
      if (!marks.isEmpty() && !quoteOnly && !(ABBREVIATIONS.contains(stripped) && marks.equals("."))) {
        List<String> after = new ArrayList<>();
        for (int j = i + 1; j < tokens.length && after.size() < 3; j++) {
          String next = TRAILING_PUNCT.matcher(tokens[j]).replaceAll("");
          if (!next.isEmpty()) {
            after.add(next);
          }
        }
        return new Lead(words, w.charAt(w.length() - 1), after);
      }
      if (words.size() >= n) {
        break;
      }
    }
    return new Lead(words, (char) 0, List.of());
  }

}
