package org.aspd.teacher.rules;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Lexical cues that text is ordered: temporal connectives, timeline labels, procedure
 * introductions, headings of sequential regions and references back to earlier material.
 *
 * <p>All patterns are anchored or bounded and applied to short prefixes, so their cost does not
 * grow with the answer.
 */
final class SequenceCues {
  /** A branch body that opens by continuing a sequence: enough on its own. */
  private static final Pattern TEMPORAL_START = Pattern.compile(
      "^(then|next|after that|after this|afterwards|afterward|subsequently|once (?:you|the|this|that|it|we|"
          + "they|your|all)|later|now that|following (?:this|that)|having (?:done|completed)|from there|"
          + "at this point|with (?:this|that) (?:done|in place)|in the next step|the next step|"
          // "With the pen reassembled", "With the loaded magazine in the pistol": a state a step before made
          + "with (?:the|your) (?:[\\w'-]+ ){0,2}?(?:[\\w-]+ed|in place|ready|done|complete)"
          + ")\\b", Pattern.CASE_INSENSITIVE);

  /** Troubleshooting that escalates: "If you're still encountering issues", "If none of the above". */
  private static final Pattern ESCALATION = Pattern.compile(
      "^(?:if none of (?:the above|these|those)|if (?:you(?:'re| are)|it(?:'s| is)|the (?:problem|issue)(?: is)?) "
          + "still (?:encountering|experiencing|having|seeing|getting|facing|not|unable)|"
          + "if (?:the|this|that) (?:problem|issue|error) persists|if (?:that|this|it|these) (?:doesn't|does not|"
          + "didn't|did not|don't|do not) (?:work|help|fix|solve)|if all else fails|as a last resort)\\b",
      Pattern.CASE_INSENSITIVE);

  /**
   * A body that may be following on ("After cooking, let the steak rest", "Once at the refinery",
   * "they continued to be popular"): one such branch among many tips is still a tip, so these count
   * only together (see {@link IndependenceHeuristic}).
   */
  private static final Pattern WEAK_TEMPORAL_START = Pattern.compile("^(?:after|once|now|following)\\b|"
      + "^[^.!?\\n]{0,40}?\\bcontinued\\b", Pattern.CASE_INSENSITIVE);

  /**
   * "The crude oil is then transported": a step that follows the one before; not inside a relative
   * clause ("translated into machine code, which is then executed"), which orders its own sentence.
   */
  private static final Pattern FOLLOW_ON = Pattern.compile(
      "^(?:(?!\\bwhich\\b|\\bthat\\b)[^.!?\\n]){0,100}?\\b(?:is|are|was|were|be|gets?|got) then\\b",
      Pattern.CASE_INSENSITIVE);

  /**
   * "This cycle further breaks down pyruvate": a stage that carries on the work of one before it,
   * with its verb in the present ("breaks", "converts") and the word it acts on. "To further develop
   * your skills" and "further changes" are no such stage: an infinitive or a noun follows.
   */
  private static final Pattern FURTHER_ACTS_ON = Pattern.compile(
      "^[^.!?\\n]{0,60}?(?<!\\bto )\\bfurther ([a-z]{3,}(?:es|s)) (?:(?:down|up|out|on) )?"
          + "(?:(?:the|this|these|that|those|it|them) )?([A-Za-z][\\w-]{2,})");

  /** The word a "further" stage acts on ("pyruvate" in "further breaks down pyruvate"), or null. */
  static String furtherActsOn(String body) {
    Matcher m = FURTHER_ACTS_ON.matcher(lead(body));
    return m.find() && !m.group(1).endsWith("ss") ? m.group(2) : null;
  }

  /** A list marker or emphasis at the start of a body ("1. ", "- ", "**"), which the cues look past. */
  private static final Pattern LEAD = Pattern.compile("^(?:\\s*(?:[-*+\u2022]|\\d{1,3}[.)])\\s+|\\s*\\*{1,2}|\\s*_{1,2})+");

  private static final Pattern CLOSING_START = Pattern.compile("^(finally|lastly|last but not least)\\b",
      Pattern.CASE_INSENSITIVE);

  /** A body that sums up what came before it: "In essence, computer architecture provides the blueprint". */
  private static final Pattern SUMMING_UP = Pattern.compile(
      "^(in essence|in summary|in short|in sum|to sum up|to summarize|to summarise|in conclusion|all in all|"
          + "overall|ultimately|taken together)(?=,)", Pattern.CASE_INSENSITIVE);

  static boolean summingUp(String body) {
    return SUMMING_UP.matcher(lead(body)).find();
  }

  private static final Pattern ORDINAL_START = Pattern.compile(
      "^(first(?:ly)?|first of all|second(?:ly)?|third(?:ly)?|fourth(?:ly)?|fifth(?:ly)?|another|also|additionally|"
          + "one)\\b", Pattern.CASE_INSENSITIVE);

  /** Labels that name points on a timeline, steps of a procedure, or parts of a song or a play. */
  private static final Pattern TIMELINE_LABEL = Pattern.compile(
      "^(?:(?:step|day|week|month|year|phase|stage|round|level|hour|night|morning|lesson|module|session|"
          + "semester|quarter|verse|stanza|act|segment|part)\\s*\\d+|"
          + "(?:chorus|refrain|bridge|outro|hook|pre-chorus)\\b|"
          + "(?:morning|afternoon|evening|night|noon|midday|daytime|nighttime|dawn|"
          + "dusk|breakfast|lunch|dinner|brunch|late morning|early morning|late afternoon|monday|tuesday|wednesday|"
          + "thursday|friday|saturday|sunday)\\b|"
          + "(?:first|second|third|fourth|fifth|final|last) (?:step|day|week|stage|phase)\\b|"
          + "(?:before|during|after)\\b)",
      Pattern.CASE_INSENSITIVE);

  /** Phrases that point back at earlier material. */
  private static final Pattern BACK_REFERENCE = Pattern.compile(
      "\\b(the above|as mentioned|mentioned (?:above|earlier|before|previously)|as (?:discussed|noted|described|"
          + "explained|shown|stated) (?:above|earlier|before|previously)|the previous (?:step|point|item|section|"
          + "one|example|answer|stage)|previous step|this step|the last step|earlier step|from step \\d|in step \\d|"
          + "step \\d+ above|the result (?:of|from) (?:the|step)|the output of (?:the|step)|the same (?:steps?|"
          + "process) as|(?:the )?same as the (?:first|second|third|previous|last|earlier|above) (?:part|item|one|step|"
          + "point|pattern|section|example|group)|(?:similar to|same as|like|as with|as in) the (?:previous|preceding|"
          + "above|earlier) [\\w-]+)\\b",
      Pattern.CASE_INSENSITIVE);

  /**
   * A body that opens by answering or illustrating the one before it ("However, if you find a large
   * amount", "Instead, they are interpreted", "For example, the perimeter of a square"). "Instead of
   * using ..." and "Alternatively" do not count: an alternative is a sibling.
   */
  private static final Pattern CONTRAST_START = Pattern.compile(
      "^(however|but|nevertheless|nonetheless|conversely|on the other hand|in contrast|by contrast|that said|"
          + "having said that|even so|instead(?=,)|still(?=,)|yet(?=,)|as such|more generally|in other words|"
          // "For example, the perimeter of a square is 4 × 5": an example of what the item before said.
          + "for example|for instance|e\\.g\\.|"
          // "Computer organization, on the other hand, deals with": the subject first, then the contrast.
          + "[^,.;:\\n]{1,60}, (?:on the other hand|by contrast|in contrast|however)(?=,))(?=\\W)",
      Pattern.CASE_INSENSITIVE);

  /** A body that starts by pointing at something not inside itself. */
  private static final Pattern PRONOUN_START = Pattern.compile(
      "^(this|these|that|those|it|they|such|he|she|the latter|the former|both)\\b",
      Pattern.CASE_INSENSITIVE);

  /** An introduction that announces an ordered procedure or a causal sequence. */
  private static final Pattern PROCEDURE_INTRO = Pattern.compile(
      "(step[- ]by[- ]step|follow(?:ing)? (?:these|the|this) (?:steps|instructions|process|procedure)|"
          + "these steps|the following steps|the steps (?:are|below|to)|(?:^|[.!?:]\\s+)steps (?:to|for|involved)\\b|"
          + "in (?:this|the following) order|"
          + "in order:|here'?s how (?:it|they|this) works|how it works:|works as follows|the process (?:is|goes|"
          + "works|involves)|sequence of|the procedure|walkthrough|walk you through|instructions:|\\brecipe\\b|"
          + "to do this:|proceed as follows|(?:the|this) process (?:that|which|by which|of)|overview of the process|"
          + "guide (?:on|to) how to|key milestones|\\btimeline\\b|chronolog|"
          // "Here's a non-obvious career path that you can follow", "Here's a suggested roadmap:": stages
          // of one career, in order ("career paths" to choose from are alternatives)
          + "\\bpath (?:that )?you (?:can|could|should|might) follow\\b|\\broadmap:|"
          // "several generations of KeyHole satellites", in order (not "successive generations of a population")
          + "(?:several|multiple|various|different) generations of\\b|"
          + "overview of (?:his|her|their|its) (?:life|career|history))",
      Pattern.CASE_INSENSITIVE);

  /**
   * Headings of regions that are sequential as a whole (method rule 8). "Due Process" is a right, not a
   * process; "Usage" is a code answer's walkthrough of a call, "Usage and Benefits" a kind of keyword.
   */
  private static final Pattern SEQUENTIAL_HEADING = Pattern.compile(
      "((?<!\\bdue )\\bprocess\\b|\\bsteps?\\b|procedure|\\bhow to\\b|instructions|walkthrough|walk-through|timeline|"
          + "itinerary|(?:daily|morning|evening|bedtime|weekly|night) (?:routine|schedule)|sample schedule|^schedule$|\\bday \\d|\\bphase \\d|\\bstage \\d|^usage(?: examples?)?:?$|^(?:example|sample) usage\\b|\\bhow to use\\b|"
          + "installation|\\bsetup\\b|set up|getting started|\\bmethod(?:ology)?\\b:?$|derivation|calculation|"
          + "^solution:?$|step-by-step solution|\\bcut to\\b|\\bfade (?:in|out|to)\\b|^(?:int|ext)\\.|\\bproof\\b|workflow|history|chronolog|evolution of|origins?\\b)",
      Pattern.CASE_INSENSITIVE);

  /** Words that follow an imperative verb at the start of a step: "Remove the bag", "Turn on ...". */
  private static final java.util.Set<String> STEP_OBJECT_WORDS = java.util.Set.of("the", "a", "an", "your", "it",
      "them", "on", "off", "up", "in", "out", "all", "some", "this", "that", "these", "those", "equal", "each",
      "both", "one", "two", "about", "for", "until", "to", "into", "with", "over", "down", "back", "away");

  private SequenceCues() {}

  /**
   * An unlabelled step that opens with an imperative verb and its object: "Remove the bag and
   * rinse". Labelled tips ("**Use a timer:** ...") do not count.
   */
  static boolean imperativeStep(String body) {
    String past = pastOrdinal(body); // "First, preheat the oven": the step's verb comes after its ordinal
    boolean afterOrdinal = past.length() < body.length();
    body = past;
    List<String> words = Words.tokens(prefix(body), 60);
    if (words.size() < 3) {
      return false;
    }
    String verb = words.get(0);
    String start = lead(body); // past emphasis: "**Discretize** the beam"
    boolean verbLike = verb.length() >= 2 && !Words.STOP.contains(verb) && !verb.endsWith("ing")
        && !verb.endsWith("ed") && !verb.endsWith("ly") && !(verb.endsWith("s") && !verb.endsWith("ss"))
        && !start.isEmpty() && (afterOrdinal || Character.isUpperCase(start.charAt(0)));
    return verbLike && STEP_OBJECT_WORDS.contains(words.get(1));
  }

  /**
   * A numbering ordinal and its comma at the start of a paragraph: "First, ", "Secondly, ", "Finally, ".
   * Groups 1-5 are the places "first" to "fifth"; group 6 is "finally" or "lastly".
   */
  private static final Pattern ORDINAL_COMMA = Pattern.compile(
      "^(?:(first(?:ly| of all)?)|(second(?:ly)?)|(third(?:ly)?)|(fourth(?:ly)?)|(fifth(?:ly)?)|(finally|lastly)),(?: |$)",
      Pattern.CASE_INSENSITIVE);

  /** {@code body} past an opening ordinal ("First, preheat the oven" -> "preheat the oven"). */
  static String pastOrdinal(String body) {
    Matcher m = ORDINAL_COMMA.matcher(body);
    return m.lookingAt() ? body.substring(m.end()) : body;
  }

  /** Whether a body opens on a numbering ordinal: "First, ...", "Secondly, ...", "Finally, ...". */
  static boolean numberingOrdinal(String body) {
    return ordinalPlace(body) >= 0;
  }

  /** 1-5 for a body that opens "First, " ... "Fifth, ", 0 for "Finally, " or "Lastly, ", else -1. */
  static int ordinalPlace(String body) {
    Matcher m = ORDINAL_COMMA.matcher(body);
    if (!m.lookingAt()) {
      return -1;
    }
    for (int g = 1; g <= 5; g++) {
      if (m.group(g) != null) {
        return g;
      }
    }
    return 0;
  }

  static boolean temporalStart(String body) {
    String lead = lead(body);
    return TEMPORAL_START.matcher(lead).find() || FOLLOW_ON.matcher(lead).find();
  }

  static boolean escalation(String body) {
    return ESCALATION.matcher(lead(body)).find();
  }

  static boolean weakTemporalStart(String body) {
    return WEAK_TEMPORAL_START.matcher(lead(body)).find();
  }

  static boolean closingStart(String body) {
    return CLOSING_START.matcher(lead(body)).find();
  }

  static boolean ordinalStart(String body) {
    return ORDINAL_START.matcher(prefix(body)).find();
  }

  /** Labels that name a period of history: "Colonial Era", "19th Century", "Prussian Period", "Modern Era". */
  private static final Pattern PERIOD_LABEL = Pattern.compile(
      "(?i)\\b(?:era|period|age|ages|century|centuries|dynasty|times|years)$|^(?:early|late|mid|ancient|medieval|"
          + "modern|contemporary|prehistoric|pre-[a-z]+|post-[a-z]+)\\b");

  /** True when three labels or more, and three in five of them, name periods of history: a timeline. */
  static boolean periodLabels(List<String> labels) {
    long periods = labels.stream().filter(l -> l != null && PERIOD_LABEL.matcher(l.strip()).find()).count();
    return periods >= 3 && periods * 5 >= labels.size() * 3;
  }

  /**
   * A short line that heads one point of a timeline: "Day 2: Casablanca - Rabat", "Step 3", "Morning:",
   * "Tuesday" (not a sentence that opens with "Before ..." or "In the morning, ...").
   */
  private static final Pattern TIMELINE_HEADING = Pattern.compile(
      "^(?:(?:step|day|week|month|year|phase|stage|round|hour|night|lesson|module|session)\\s*\\d+\\b.*|"
          + "(?:early |late )?(?:morning|afternoon|evening|night|midday|noon|breakfast|lunch|dinner|monday|tuesday|"
          + "wednesday|thursday|friday|saturday|sunday)\\b[^.,;!?]*:?)$",
      Pattern.CASE_INSENSITIVE);

  /**
   * A short line that places what follows in time: "Day 2: Casablanca - Rabat", "Morning:", or a
   * timed part of a script or a session, "**Intro (2-3 minutes)**", whose items run in that order.
   */
  static boolean timelineHeading(String line) {
    return line != null && Words.count(line) <= 8
        && (TIMELINE_HEADING.matcher(line.strip()).matches() || DURATION.matcher(line).find());
  }

  static boolean timelineLabel(String label) {
    return label != null && TIMELINE_LABEL.matcher(prefix(label)).find();
  }

  /** A label that places its section in time: "Colonial Era (1607-1776)", "Day 2", "Modern Era". */
  static boolean datedLabel(String label) {
    if (label == null) {
      return false;
    }
    String head = label.length() > 40 ? label.substring(0, 40) : label;
    return timelineLabel(label) || PERIOD_LABEL.matcher(label.strip()).find() || YEAR_IN_TEXT.matcher(head).find();
  }

  /** Whether a text names a year: "In 1990, the Berlin Wall ...". */
  static boolean namesYear(String text) {
    return YEAR_IN_TEXT.matcher(text).find();
  }

  /** True when at least two labels carry years and those years never decrease. */
  static boolean yearsInOrder(List<String> labels) {
    int last = Integer.MIN_VALUE;
    int seen = 0;
    for (String raw : labels) {
      String label = raw == null ? null : raw.length() > 40 ? raw.substring(0, 40) : raw;
      if (label == null) {
        continue;
      }
      Matcher m = YEAR_IN_TEXT.matcher(prefix(label));
      if (m.find()) {
        int year = Integer.parseInt(m.group(1));
        if (year < last) {
          return false;
        }
        last = year;
        seen++;
      }
    }
    return seen >= 2 && seen * 2 >= labels.size();
  }

  private static final Pattern CENTURY = Pattern.compile(
      "\\b(1[0-9]|2[01]|[1-9])(?:st|nd|rd|th) century\\b", Pattern.CASE_INSENSITIVE);

  /**
   * True when the branches' texts open on dates that run forward: at least three of them, two in
   * three of the branches, each the first year or century in the branch's first
   * {@value #DATED_OPENING} characters, never earlier than the one before and later at the end
   * ("In the 13th century ...", "In 1709 ...", "In 1871 ...", "In 1990 ..."): a history told in
   * order, which gold rule 8 keeps serial like a timeline.
   */
  static boolean datesRunForward(List<String> bodies) {
    Set<Integer> distinct = new HashSet<>();
    int first = Integer.MIN_VALUE;
    int last = Integer.MIN_VALUE;
    int dated = 0;
    for (String body : bodies) {
      int date = firstDate(body.length() > DATED_OPENING ? body.substring(0, DATED_OPENING) : body);
      if (date == Integer.MIN_VALUE) {
        continue;
      }
      if (date < last) {
        return false;
      }
      first = dated == 0 ? date : first;
      last = date;
      dated++;
      distinct.add(date);
    }
    // Papers or figures of a few recent years ("Kaplan et al. (2020)", "as of 2022") are a list
    // that happens to be sorted; a history spans decades.
    return dated >= 3 && dated * 3 >= bodies.size() * 2 && distinct.size() >= 3 && last - first >= MIN_SPAN_YEARS;
  }

  private static final int MIN_SPAN_YEARS = 20;
  /** A year in running text, not a quantity ("1000\u00b0C", "1500 nm", "2,000", "$1200"). */
  private static final Pattern YEAR_IN_TEXT = Pattern.compile(
      "(?<![$\\d.,])\\b(1[0-9]{3}|20[0-9]{2})s?\\b(?![\\d.,]\\d|(?:\\s?[-\u2013]\\s?\\d+)?\\s?(?:\u00b0|%|degrees|nm|km|kg|mg|"
          + "mph|m\\b|k\\b|K\\b))");

  private static final int DATED_OPENING = 160;

  /** The first year in {@code text}, a century counted as its middle year; MIN_VALUE when none. */
  private static int firstDate(String text) {
    Matcher year = YEAR_IN_TEXT.matcher(text);
    Matcher century = CENTURY.matcher(text);
    int yearAt = year.find() ? year.start() : Integer.MAX_VALUE;
    int centuryAt = century.find() ? century.start() : Integer.MAX_VALUE;
    if (yearAt == Integer.MAX_VALUE && centuryAt == Integer.MAX_VALUE) {
      return Integer.MIN_VALUE;
    }
    return yearAt < centuryAt ? Integer.parseInt(year.group(1))
        : Integer.parseInt(century.group(1)) * 100 - 50;
  }

  /**
   * The first later step that acts on what an earlier one made, as {@code {earlier, later}}, or
   * null: among unlabelled imperative items, an earlier one opens on a verb ("Dry herbs in a warm
   * place") and a later one opens on a verb whose object is that verb's result ("Store dried herbs
   * in airtight containers", "Slice the baked bread"). Light verbs whose participles are common
   * adjectives ("used", "added", "limited", "mixed") do not count. {@code bodies} are the items'
   * texts, null for a labelled item.
   */
  static int[] madeByAnEarlierStep(List<String> bodies) {
    List<String> verbs = new ArrayList<>();
    for (String body : bodies) {
      String first = body == null ? "" : firstWord(lead(body));
      verbs.add(first.length() >= 3 && !LIGHT_VERBS.contains(first) ? first : null);
    }
    for (int later = 1; later < bodies.size(); later++) {
      if (bodies.get(later) == null) {
        continue;
      }
      List<String> words = words(lead(bodies.get(later)), 4);
      if (words.size() < 3 || !PartsOfSpeech.tag(words).get(0).equals("VERB")) {
        continue;
      }
      // The object right after the verb, past a determiner: "Store | dried herbs", "Slice | the baked bread".
      List<String> object = words.subList(DETERMINERS.contains(words.get(1).toLowerCase(Locale.ROOT)) ? 2 : 1, words.size());
      if (object.size() < 2 || object.get(1).length() < 3) {
        continue;
      }
      String modifier = object.get(0).toLowerCase(Locale.ROOT);
      for (int earlier = 0; earlier < later; earlier++) {
        String verb = verbs.get(earlier);
        if (verb != null && !verb.equals(verbs.get(later)) && participles(verb).contains(modifier)) {
          return new int[] {earlier, later};
        }
      }
    }
    return null;
  }

  private static final Set<String> DETERMINERS = Set.of("the", "your", "a", "an", "all", "any");
  /** Verbs whose participles say little about an earlier step ("used", "added sugar", "mixed greens"). */
  private static final Set<String> LIGHT_VERBS = Set.of("use", "add", "limit", "mix", "make",
      "get", "set", "keep", "try", "need", "want", "like", "love", "hate", "call", "name", "base", "follow",
      "consider", "include", "provide", "increase", "reduce", "improve", "advance", "experience", "establish",
      "fix", "schedule", "expect", "require", "recommend", "suggest", "process", "plan", "detail", "focus",
      "relate", "concern", "interest", "involve", "organize", "motivate", "dedicate", "balance", "customize",
      "personalize", "register", "license", "certify", "train", "skill", "educate", "inform", "qualify");
  private static final Map<String, String> IRREGULAR_PARTICIPLES = Map.of("freeze", "frozen", "break", "broken",
      "grind", "ground", "beat", "beaten", "shake", "shaken", "build", "built", "grow", "grown", "sew", "sewn",
      "write", "written", "choose", "chosen");

  /** The forms a participle of {@code verb} may take: "dried", "stored", "chopped", "installed", "frozen". */
  private static List<String> participles(String verb) {
    List<String> out = new ArrayList<>();
    if (IRREGULAR_PARTICIPLES.containsKey(verb)) {
      out.add(IRREGULAR_PARTICIPLES.get(verb));
    }
    char last = verb.charAt(verb.length() - 1);
    if (last == 'e') {
      out.add(verb + "d");
    } else if (last == 'y' && verb.length() > 2 && "aeiou".indexOf(verb.charAt(verb.length() - 2)) < 0) {
      out.add(verb.substring(0, verb.length() - 1) + "ied");
    } else {
      out.add(verb + "ed");
      if ("aeiou".indexOf(verb.charAt(verb.length() - 2)) >= 0 && "aeiouwxy".indexOf(last) < 0
          && verb.length() <= 5) {
        out.add(verb + last + "ed"); // "chop" -> "chopped", "stir" -> "stirred"
      }
    }
    return out;
  }

  private static String firstWord(String text) {
    Matcher m = FIRST_WORD.matcher(text);
    return m.lookingAt() ? m.group(1).toLowerCase(Locale.ROOT) : "";
  }

  private static final Pattern FIRST_WORD = Pattern.compile("\\s*([A-Za-z]+)\\b");

  /** The first {@code n} words of a text, without marks. */
  private static List<String> words(String text, int n) {
    List<String> words = new ArrayList<>();
    for (String w : text.split("\\s+")) {
      String letters = w.replaceAll("[^\\p{L}'-]", "");
      if (!letters.isEmpty() && words.size() < n) {
        words.add(letters);
      }
    }
    return words;
  }

  /**
   * A body that places its item where a sibling is ("Also in Boulder, this trail ...", "Another city on
   * the French Riviera, Nice ..."): the place it names, or null.
   */
  private static final Pattern ALSO_THERE = Pattern.compile(
      "^(?:[-\u2013\u2014:]\\s*)?(?:[Aa]lso|[Aa]nother [a-z]+(?: [a-z]+)?) (?:located |found |set |based )?(?:in|on|at|near|along|from) "
          + "(?:the )?([A-Z][\\w'-]*(?: [A-Z][\\w'-]*){0,3})");

  static String alsoThere(String body) {
    Matcher m = ALSO_THERE.matcher(lead(body));
    return m.find() ? m.group(1) : null;
  }

  static String backReference(String text) {
    Matcher m = BACK_REFERENCE.matcher(text.length() > 400 ? text.substring(0, 400) : text);
    return m.find() ? m.group(1) : null;
  }

  static String pronounStart(String body) {
    Matcher m = PRONOUN_START.matcher(lead(body));
    return m.find() ? m.group(1) : null;
  }

  /** The contrast a body opens with ("However, if you ...", "Instead, they are ..."), or null. */
  static String contrastStart(String body) {
    Matcher m = CONTRAST_START.matcher(lead(body));
    return m.find() ? m.group(1) : null;
  }

  private static final Pattern OPENS_SESSION = Pattern.compile(
      "^(?:start|begin)(?: (?:your|the|each) [\\w -]{0,25}?)? (?:with|by)\\b", Pattern.CASE_INSENSITIVE);
  private static final Pattern CLOSES_SESSION = Pattern.compile(
      "^(?:end|finish|wrap up|close|conclude)(?: (?:your|the|each) [\\w -]{0,25}?)? (?:with|by)\\b",
      Pattern.CASE_INSENSITIVE);

  /**
   * One branch that opens a session and a later one that ends it ("Warm-up: Start with a 10-15 minute
   * warm-up", "Consolidation: End your daily practice with a review"): the branches are the parts
   * of one session in order, a schedule (gold rule 8), not tips.
   */
  static boolean sessionInOrder(List<String> bodies) {
    int opens = -1;
    for (int i = 0; i < bodies.size(); i++) {
      String lead = lead(bodies.get(i));
      if (opens < 0 && OPENS_SESSION.matcher(lead).find()) {
        opens = i;
      } else if (opens >= 0 && CLOSES_SESSION.matcher(lead).find()) {
        return true;
      }
    }
    return false;
  }

  /** A duration in brackets near an item's start: "(5 minutes)", "(0-10 minutes)", "(approx. 2 weeks)". */
  private static final Pattern DURATION = Pattern.compile("\\((?:about |approx\\.? ?|around |~)?\\d+(?:\\.\\d+)?"
      + "(?:\\s*(?:-|–|to)\\s*\\d+(?:\\.\\d+)?)?\\s*"
      + "(?:sec(?:ond)?s?|min(?:ute)?s?|hours?|hrs?|days?|weeks?|months?)\\b[^)]{0,30}\\)", Pattern.CASE_INSENSITIVE);

  /**
   * Items that nearly all open with a duration ("Introduction (5 minutes)", "Squats (1 minute)",
   * "Project Initiation (1-2 weeks)"): the parts of one timed plan, an agenda, a lesson, a routine or
   * a project's phases, told in the order they happen (gold rule 8), not tips.
   */
  static boolean timedPlan(List<String> texts) {
    int timed = 0;
    for (String t : texts) {
      int lineEnd = t.indexOf('\n');
      String first = t.substring(0, Math.min(100, lineEnd < 0 ? t.length() : lineEnd));
      timed += DURATION.matcher(first).find() ? 1 : 0;
    }
    return texts.size() >= 3 && timed >= texts.size() - 1;
  }

  /**
   * An introduction that announces the steps, not an overview ("Here's a basic overview of how it
   * works"), a guide or "some steps and tips", whose numbered sections are as often aspects
   * ("Choose the Right Location", "Lighting", "Watering").
   */
  private static final Pattern STEPS_ANNOUNCED = Pattern.compile("step[- ]by[- ]step|\\b(?:these|the following|the) "
      + "steps\\b|instructions|procedure|follow (?:these|the)\\b", Pattern.CASE_INSENSITIVE);

  static boolean stepsAnnounced(String introSentence) {
    return STEPS_ANNOUNCED.matcher(introSentence).find();
  }

  /** An introduction that offers steps ("Here are some steps you can take", "Here's how I would proceed"). */
  private static final Pattern STEPS_OFFERED = Pattern.compile("\\bsteps\\b|\\bproceed\\b", Pattern.CASE_INSENSITIVE);

  /** A body that opens as the first of ordered steps: "The first step in fixing ...", "Before you start ...". */
  private static final Pattern FIRST_STEP_START = Pattern.compile(
      "^(?:the first step|before you (?:start|begin)|before (?:starting|beginning))\\b", Pattern.CASE_INSENSITIVE);

  /**
   * Steps offered by the introduction, and a branch that calls itself the first of them or what
   * comes before the others ("1. Identify the source of the leak: The first step in fixing a leaking
   * roof is", "2. Gather the necessary tools: Before you start fixing"): an ordered procedure, where
   * "Here are some steps" alone may still be tips.
   */
  static boolean stepsInOrder(String introSentence, List<String> bodies) {
    return STEPS_OFFERED.matcher(introSentence).find()
        && bodies.stream().anyMatch(b -> FIRST_STEP_START.matcher(lead(b)).find());
  }

  /** Steps as measures one may take, in no order: "the following steps can be taken", "steps you can take". */
  private static final Pattern MEASURES = Pattern.compile("\\bsteps (?:that )?(?:can|could|may|might|should) be taken"
      + "|\\bsteps (?:you|we|they|one|governments|companies) (?:can|could|may|might) take\\b",
      Pattern.CASE_INSENSITIVE);

  static boolean procedureIntro(String intro) {
    Matcher m = PROCEDURE_INTRO.matcher(intro);
    return m.find() && !MEASURES.matcher(intro.substring(Math.max(0, m.start() - 20))).find();
  }

  /** "Method 2: Using Online Generators": one of several ways, each a procedure of its own. */
  private static final Pattern NUMBERED_METHOD = Pattern.compile("^method \\d+\\b", Pattern.CASE_INSENSITIVE);

  /**
   * Whether a heading names one of several numbered methods: the section can be a sibling of the
   * other methods, but its own steps are one procedure (gold rule 8).
   */
  static boolean numberedMethod(String heading) {
    return NUMBERED_METHOD.matcher(heading.strip()).find();
  }

  static boolean sequentialHeading(String heading) {
    return SEQUENTIAL_HEADING.matcher(heading.toLowerCase(Locale.ROOT)).find();
  }

  /** The start of a body past its list marker and emphasis: "1. **With** the pen" reads "With the pen". */
  static String lead(String body) {
    String p = prefix(body);
    Matcher m = LEAD.matcher(p);
    return m.find() ? p.substring(m.end()) : p;
  }

  private static String prefix(String s) {
    return s.length() > 120 ? s.substring(0, 120) : s;
  }
}
