package org.aspd.teacher.rules;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Decides whether sibling pieces can be generated independently (method §3 stage 2, gold rules 2,
 * 8, 9 and 10). It rejects sequences (timelines by label, date or period, the parts of a song, a
 * list under one day or step, temporal connectives, procedures announced as steps or whose later
 * steps act on what earlier ones made or work from what they named, the parts of one session,
 * agenda or timed plan, items under an introduction that announces a timeline), references back to
 * siblings (also an item placed where a sibling is, one described only by comparison with a
 * sibling, an example of the item before), derivations that carry numbers forward, code that uses
 * names defined in a sibling, narrative, and ingredient lists. It also spots a premise item (the
 * first item introduces or states what later ones take up) and a closing item (the joint result of
 * the ones before it, or a summing-up): the group then starts one item later or ends one item earlier.
 * Named entries (words, books, places, products) are told apart by their names, not by the words
 * their descriptions share.
 */
final class IndependenceHeuristic {
  /**
   * The outcome; {@code dropFirst}/{@code dropLast} say which end item must leave the group;
   * {@code ordered}: the branches are a sequence, a procedure or a timeline, which gold rule 8 keeps
   * whole (no list inside is carved out).
   */
  record Assessment(boolean independent, String reason, boolean dropFirst, boolean dropLast, boolean ordered) {
    static Assessment fail(String reason) {
      return new Assessment(false, reason, false, false, false);
    }
  }

  /** Why the branches depend on each other, and whether because they are ordered. */
  private record Failure(String reason, boolean ordered) {
    static Failure ordered(String reason) {
      return new Failure(reason, true);
    }

    static Failure other(String reason) {
      return reason == null ? null : new Failure(reason, false);
    }
  }

  private static final Pattern CODE_DEFINITION = Pattern.compile(
      "\\b(?:def|function|class|fn|func|let|const|var|struct|interface|type)\\s+([A-Za-z_][A-Za-z0-9_]{2,40})");
  private static final Pattern CODE_ASSIGNMENT = Pattern.compile("^\\s*([A-Za-z_][A-Za-z0-9_]{2,40})\\s*=[^=]",
      Pattern.MULTILINE);
  private static final Pattern CONDITIONAL = Pattern.compile("\\b(would|could)\\b", Pattern.CASE_INSENSITIVE);
  private static final Pattern CONCLUDING = Pattern.compile("^(therefore|thus|hence|so,|so the|consequently|"
      + "as a result|this gives|which gives|putting (?:it|this) (?:all )?together)\\b", Pattern.CASE_INSENSITIVE);
  /**
   * A line of speech in a story: a quotation with its speaker on the same line ('"I won't let you,"
   * Roy replied.', 'Cheshire said, "Oh, darling."'). A narrator's voice-over, a quotation that fills
   * its line, is none.
   */
  private static final Pattern SPEECH = Pattern.compile(
      "[\"\u201c][^\"\u201d\\n]{8,}[,.!?][\"\u201d] +\\p{L}|\\p{L}[,:] [\"\u201c][^\"\u201d\\n]{8,}[\"\u201d]");
  private static final Pattern PAST_NARRATIVE = Pattern.compile("\\b(was|were|had|did|went|came|saw|said|felt|"
      + "told|found|began|decided|suddenly|walked|looked|smiled|knew|realized|realised)\\b", Pattern.CASE_INSENSITIVE);
  private static final Pattern CLOSING_LABEL = Pattern.compile("\\b(accumulation|overall|result|outcome|"
      + "combined|combination|conclusion|summary|together|synthesis|bringing it|putting it|balanc\\w*|both|"
      // "Integration", "Integrating it all", but not a topic such as "Community integration" or "System integration".
      + "^integrat\\w*$|integrating (?:it|them|everything|all)|final thoughts)\\b", Pattern.CASE_INSENSITIVE);
  /** A line that heads an ingredient list: "Ingredients:", "**Ingredients for the dough:**". */
  private static final Pattern INGREDIENTS_LINE = Pattern.compile(
      "^[#*_\\s]*ingredients(?: for [^:]{1,40})?[*_\\s]*:?[*_\\s]*$", Pattern.CASE_INSENSITIVE);
  /** A first label that introduces or defines what the items after it are about (gold rule 9). */
  private static final Pattern INTRODUCING_LABEL = Pattern.compile("^(?:introduction|overview|definition|"
      + "what (?:is|are) |understanding |(?:the )?basics\\b|background\\b)", Pattern.CASE_INSENSITIVE);
  /** A last label that closes a meeting or a lesson: with an introduction first, an agenda in order. */
  private static final Pattern WRAP_UP_LABEL = Pattern.compile("\\b(?:wrap-?up|closing|close|conclusion|"
      + "next steps|next meeting|farewell|adjourn\\w*)\\b", Pattern.CASE_INSENSITIVE);
  /** Label words too generic to carry a premise from one item to the next. */
  private static final Set<String> GENERIC = Set.of("impact", "effect", "change", "implication", "consequence",
      "advancement", "development", "influence", "role", "factor", "aspect", "issue", "area", "benefit",
      "consideration", "potential", "significant", "increas", "improv", "reduc", "greater", "new",
      "different", "possible", "likely", "long-term", "short-term", "overall", "general", "key", "major",
      // Whole fields, which items about one field's history all name ("Biological Sciences", "other sciences").
      "science", "technology", "society", "world", "history", "field", "research", "knowledge");

  private static final Pattern PROCEDURE_LABEL = Pattern.compile("(?:directions|instructions|method|preparation|"
      + "procedure|steps|how to make it|assembly)\\s*:?", Pattern.CASE_INSENSITIVE);
  private static final Pattern MATERIALS_LABEL = Pattern.compile("(?:ingredients|materials|supplies|"
      + "what you(?:'ll| will)? need|you will need|equipment|tools(?: needed)?)\\s*:?", Pattern.CASE_INSENSITIVE);

  private IndependenceHeuristic() {}

  /** A branch's label, or its first line when that is a short "Heading:" line. */
  private static String headLine(BranchView v) {
    if (v.label() != null) {
      return v.label().strip();
    }
    int nl = v.text().indexOf('\n');
    String first = (nl < 0 ? v.text() : v.text().substring(0, nl)).strip();
    String heading = Labels.clean(first); // past its list marker: "1. Ingredients:" -> "Ingredients:"
    return first.endsWith(":") && Words.count(heading) <= 5 ? heading : "";
  }

  /**
   * An item whose first line is a short heading and whose content follows on the next lines
   * ("1. Create a good thumbnail:" then a paragraph and tips): a labelled section, as a bold lead
   * is, not an unlabelled step. An ordered procedure is still caught by its introduction or by
   * steps that act on one object.
   */
  private static boolean headedItem(BranchView v) {
    return v.text().indexOf('\n') > 0 && !headLine(v).isEmpty();
  }

  static Assessment assess(List<String> branches, String precondition, String following, String question) {
    if (branches.size() < 2) {
      return Assessment.fail("a group needs at least two branches");
    }
    List<BranchView> views = new ArrayList<>();
    for (String b : branches) {
      views.add(BranchView.of(b));
    }
    List<String> labels = new ArrayList<>();
    views.forEach(v -> labels.add(v.label()));
    Failure failure = firstFailure(views, labels, precondition, question);
    if (failure != null) {
      return new Assessment(false, failure.reason(), false, false, failure.ordered());
    }
    String closing = closing(views);
    // A closing item draws on the items before it, the first among them: that makes the first no
    // premise of the others (Meta-Llama-3.1 #377, audit 14: "Time" used "Solar Intensity").
    List<BranchView> before = closing != null ? views.subList(0, views.size() - 1) : views;
    String premise = before.size() >= 2 ? premise(before, precondition, question) : null;
    if (premise != null || closing != null) {
      String reason = (premise != null ? premise : "") + (premise != null && closing != null ? "; " : "")
          + (closing != null ? closing : "");
      return new Assessment(false, reason, premise != null, closing != null, false);
    }
    return new Assessment(true, "no sequence, back-reference, derivation or code dependency among the "
        + branches.size() + " branches", false, false, false);
  }

  private static Failure firstFailure(List<BranchView> views, List<String> labels, String precondition,
      String question) {
    int timeline = 0;
    for (String label : labels) {
      if (SequenceCues.timelineLabel(label)) {
        timeline++;
      }
    }
    List<String> heads = new ArrayList<>();
    views.forEach(v -> heads.add(v.label() != null ? v.label() : v.body()));
    if (timeline >= 2 || SequenceCues.yearsInOrder(heads) || SequenceCues.periodLabels(labels)) {
      return Failure.ordered("timeline: the labels (" + quoteLabels(labels) + ") are points in a sequence");
    }
    String introLine = lastLine(precondition);
    if (INGREDIENTS_LINE.matcher(introLine.strip()).matches()) {
      // "Ingredients:" over "- 6-8 medium-sized apples": what a recipe needs, not points (rule 10).
      return Failure.other("the list is under '" + excerpt(introLine.strip()) + "': ingredients, not points");
    }
    if (SequenceCues.timelineHeading(introLine)) {
      // "Day 2: Casablanca - Rabat" or "Morning:" over a list: its items are what happens then, in order.
      return Failure.ordered("the list is one point of a timeline ('" + excerpt(introLine) + "')");
    }
    if (SequenceCues.datesRunForward(views.stream().map(BranchView::body).toList())) {
      return Failure.ordered("timeline: the branches open on dates in order, a history told in sequence");
    }
    List<String> titles = new ArrayList<>();
    views.forEach(v -> titles.add(headLine(v)));
    boolean lists = titles.stream().anyMatch(l -> MATERIALS_LABEL.matcher(l).matches());
    for (int i = 0; i < titles.size() && lists; i++) {
      if (PROCEDURE_LABEL.matcher(titles.get(i)).matches()) {
        // "Ingredients" beside "Directions": the directions use what the other branch lists.
        return Failure.ordered("branch " + (i + 1) + " is a procedure ('" + titles.get(i)
            + "') that uses what a sibling lists");
      }
    }
    List<String> bodies = views.stream().map(BranchView::body).toList();
    String offer = lastSentence(tail(precondition, 400)); // the sentence that introduces the items
    if (SequenceCues.stepsInOrder(offer, bodies)) {
      return Failure.ordered("procedure: the introduction offers steps ('" + excerpt(offer)
          + "') and a branch opens as the first of them");
    }
    String opener = titles.get(0);
    String closer = titles.get(titles.size() - 1);
    if (INTRODUCING_LABEL.matcher(opener).find() && WRAP_UP_LABEL.matcher(closer).find()) {
      return Failure.ordered("agenda: from '" + opener + "' to '" + closer + "'");
    }
    if (SequenceCues.sessionInOrder(bodies)) {
      return Failure.ordered("schedule: one branch starts a session and a later one ends it");
    }
    int[] rewrite = rewriteOfAnother(views);
    if (rewrite != null) {
      return Failure.other("branch " + (rewrite[1] + 1) + " renders branch " + (rewrite[0] + 1)
          + " anew (an original and its translation or version)");
    }
    if (legsOfARoute(views)) {
      return Failure.ordered("route: the stops give their distance from the stop before, legs of one trip in order");
    }
    if (SequenceCues.timedPlan(views.stream().map(BranchView::text).toList())) {
      return Failure.ordered("schedule: the branches open with durations, the parts of one timed plan");
    }
    List<String> unlabelled = new ArrayList<>();
    views.forEach(v -> unlabelled.add(v.label() == null ? v.body() : null));
    int[] made = SequenceCues.madeByAnEarlierStep(unlabelled);
    if (made != null) {
      return Failure.ordered("branch " + (made[1] + 1) + " acts on what branch " + (made[0] + 1) + " made ('"
          + excerpt(views.get(made[1]).body()) + "')");
    }
    boolean ordinalSeries = false;
    for (BranchView v : views) {
      ordinalSeries |= SequenceCues.ordinalStart(v.body());
    }
    List<Integer> following = new ArrayList<>();
    for (int i = 1; i < views.size(); i++) {
      BranchView v = views.get(i);
      if (SequenceCues.temporalStart(v.body())) {
        return Failure.ordered("branch " + (i + 1) + " opens with a sequence connective: '" + excerpt(v.body()) + "'");
      }
      String actedOn = SequenceCues.furtherActsOn(v.body());
      if (actedOn != null && Words.tokens(views.get(i - 1).body(), 4000).contains(actedOn.toLowerCase(Locale.ROOT))) {
        // Krebs cycle after glycolysis: "further breaks down pyruvate", which the stage before made.
        return Failure.ordered("branch " + (i + 1) + " carries on the work of branch " + i + " ('"
            + excerpt(v.body()) + "')");
      }
      if (SequenceCues.weakTemporalStart(v.body()) || SequenceCues.escalation(v.body()) && i < views.size() - 1
          || usesEarlierResult(views, i)) {
        following.add(i + 1);
      }
      if (v.label() == null && !ordinalSeries && SequenceCues.closingStart(v.body())) {
        return Failure.ordered("branch " + (i + 1) + " closes a sequence: '" + excerpt(v.body()) + "'");
      }
      String back = SequenceCues.backReference(v.text());
      if (back != null) {
        return Failure.other("branch " + (i + 1) + " refers back to earlier material ('" + back + "')");
      }
      String place = SequenceCues.alsoThere(v.body());
      if (place != null && earlierMention(views, i, place)) {
        return Failure.other("branch " + (i + 1) + " takes its place from a sibling ('" + excerpt(v.body()) + "')");
      }
      String contrast = v.label() == null ? SequenceCues.contrastStart(v.body()) : null;
      if (contrast != null) {
        return Failure.other("branch " + (i + 1) + " opens with '" + contrast
            + "', which answers or illustrates the sibling before it");
      }
      String pronoun = v.label() == null ? SequenceCues.pronounStart(v.body()) : null;
      if (pronoun != null) {
        return Failure.other("branch " + (i + 1) + " opens with '" + pronoun + "', which points at an earlier sibling");
      }
    }
    // Two branches that follow on, or one among three: a sequence, not tips that mention an order.
    if (following.size() >= 2 || !following.isEmpty() && following.size() * 3 >= views.size()) {
      return Failure.ordered("branches " + following + " follow on from the ones before ('"
          + excerpt(views.get(following.get(0) - 1).body()) + "')");
    }
    if (numberedHeadings(views) && SequenceCues.stepsAnnounced(offer)) {
      // "Here's a step-by-step guide" over "### 1. Understand the Frequencies", "### 2. Required Equipment".
      return Failure.ordered("the introduction announces an ordered procedure over numbered headings ('"
          + excerpt(offer) + "')");
    }
    int steps = 0;
    for (BranchView v : views) {
      steps += v.label() == null && !headedItem(v) && SequenceCues.imperativeStep(v.body()) ? 1 : 0;
    }
    if (isNumbered(views)) {
      if (steps * 2 > views.size()) {
        return Failure.ordered("procedure: " + steps + " of " + views.size()
            + " numbered items are unlabelled imperative steps");
      }
      String chain = objectChain(views, question);
      if (chain != null) {
        return Failure.ordered(chain);
      }
      String intro = tail(precondition, 400);
      if (SequenceCues.procedureIntro(intro)) {
        return Failure.ordered("the introduction announces an ordered procedure ('"
            + excerpt(lastSentence(intro)) + "')");
      }
    } else {
      // Bullets right after "follow these steps:" that are imperative steps: a procedure all the same
      // (Qwen2-72B #388, audit 12: clean, crush, cover, boil, simmer, strain).
      String announced = lastSentence(tail(precondition, 400));
      if (steps * 2 > views.size() && SequenceCues.procedureIntro(announced)) {
        return Failure.ordered("the introduction announces an ordered procedure over imperative steps ('"
            + excerpt(announced) + "')");
      }
    }
    int[] leaning = SiblingComparison.leaning(views, titles);
    if (leaning != null) {
      return Failure.other("branch " + (leaning[0] + 1) + " is described by comparison with branch " + (leaning[1] + 1)
          + " ('" + excerpt(views.get(leaning[0]).body()) + "')");
    }
    String carried = carriedNumber(views);
    if (carried != null) {
      return Failure.other(carried);
    }
    String code = codeDependency(views);
    if (code != null) {
      return Failure.other(code);
    }
    if (narrative(views)) {
      return Failure.other("the branches are narrative prose in past tense with no labels: a story, not siblings");
    }
    return Failure.other(labelDependency(views));
  }

  private static final Pattern PRONOUN_OBJECT = Pattern.compile("^[A-Za-z]+ (it|them)\\b",
      Pattern.CASE_INSENSITIVE);

  /**
   * Numbered steps that keep acting on the same object ("Mark the bracket positions", "Install
   * the brackets") or on a pronoun for it ("Let it sit") form a procedure.
   */
  private static String objectChain(List<BranchView> views, String question) {
    List<Set<String>> stems = new ArrayList<>();
    Set<String> shared = null;
    // Items that are no imperative steps ("The energy required to lift Mount Everest", taglines about
    // coffee) share what the question asks about, not an object that one step made for the next.
    int steps = 0;
    for (BranchView v : views) {
      steps += SequenceCues.imperativeStep(v.label() != null ? v.label() : v.body()) ? 1 : 0;
    }
    Set<String> asked = steps * 2 >= views.size() || question == null ? Set.of() : Words.contentStems(question, 2000);
    List<Boolean> entries = new ArrayList<>();
    for (BranchView v : views) {
      String entry = v.label() != null ? productName(v.label()) : entryName(v.body());
      entries.add(entry != null);
      String head = v.label() != null ? v.label() : entry != null ? entry : firstSentence(v.body());
      Set<String> k = new HashSet<>(Words.contentStems(head, 80));
      k.removeIf(stem -> asked.contains(stem) || askedRoot(asked, stem));
      stems.add(k);
      if (shared == null) {
        shared = new HashSet<>(k);
      } else {
        shared.retainAll(k);
      }
    }
    int chained = 0;
    for (int i = 1; i < views.size(); i++) {
      String head = views.get(i).label() != null ? views.get(i).label() : views.get(i).body();
      Matcher pronoun = PRONOUN_OBJECT.matcher(head.length() > 40 ? head.substring(0, 40) : head);
      if (pronoun.find() && !askedAbout(question, pronoun.group(1))) {
        return "procedure: step " + (i + 1) + " acts on 'it' from the step before ('" + excerpt(head) + "')";
      }
      if (entries.get(i) && entries.get(i - 1)) {
        continue; // two named entries ("The Ursus minimus", "The Ursus etruscus"): two of a kind
      }
      Set<String> common = new HashSet<>(stems.get(i));
      common.retainAll(stems.get(i - 1));
      common.removeAll(shared);
      String kind = lastStem(views.get(i).label());
      if (kind != null && kind.equals(lastStem(views.get(i - 1).label()))
          && !SequenceCues.imperativeStep(views.get(i).label())) {
        common.remove(kind); // "Enqueue Operation", "Dequeue Operation": two of a kind, not one object
      }
      chained += common.isEmpty() ? 0 : 1;
    }
    return chained >= 2 && chained * 3 >= views.size() - 1
        ? "procedure: " + chained + " consecutive steps act on the same object" : null;
  }

  private static final Pattern ENTRY_END = Pattern.compile(" \\(| [-–—] |: ");
  private static final Set<String> NOT_A_NAME_START = Set.of("ADP", "ADV", "SCONJ", "CCONJ", "PART");

  /**
   * The name an unlabelled entry opens with, before its gloss ("Amoriel (from "amarë" ...) - This
   * word ...", "San Francisco, California - Take in ..."), or null: at most six words with no verb,
   * fourteen when title-cased (a product's name). An entry list's descriptions share words
   * ("meaning", "star") because they describe things of one kind; what each item is about is its name.
   */
  static String entryName(String body) {
    int lineEnd = body.indexOf('\n');
    String start = body.substring(0, Math.min(120, lineEnd < 0 ? body.length() : lineEnd));
    Matcher m = ENTRY_END.matcher(start);
    if (!m.find() || m.start() == 0) {
      return null;
    }
    return asName(start.substring(0, m.start()).replace("**", "").replace("\"", "").strip());
  }

  /** {@code name} when it reads as a name (see {@link #entryName}), else null. */
  private static String asName(String name) {
    List<String> words = bareWords(name, "[\\s,]+");
    if (words.isEmpty() || !Character.isUpperCase(name.charAt(0))
        || words.size() > (titleCased(words) ? 14 : 6)) {
      return null; // a product's name may run long: "Spring Chef Ice Cream Scoop with Comfortable Handle"
    }
    // In lower case: the tagger takes every capitalised word for a name, "Install" too. A long
    // title-cased name is tagged as written: its "Shake" and "Frozen" are parts of a product's name.
    boolean longName = words.size() > 3 && titleCased(words);
    List<String> tags = PartsOfSpeech.tag(longName ? words
        : words.stream().map(w -> w.toLowerCase(Locale.ROOT)).toList());
    if (NOT_A_NAME_START.contains(tags.get(0))) {
      return null; // "At room temperature (around 300 K), metals ...": a clause, not a name
    }
    for (String tag : tags) {
      if (tag.equals("VERB") || tag.equals("AUX") || tag.equals("PRON")) {
        return null;
      }
    }
    return name;
  }

  /** The words of {@code text} split at {@code separators}, without the marks around them. */
  private static List<String> bareWords(String text, String separators) {
    List<String> words = new ArrayList<>();
    for (String w : text.split(separators)) {
      String letters = w.replaceAll("^[^\\p{L}\\p{N}]+|[^\\p{L}\\p{N}]+$", "");
      if (!letters.isEmpty()) {
        words.add(letters);
      }
    }
    return words;
  }

  /**
   * Whether a stem shares its root with a word of the question: "communication" with "communicate",
   * "cultural" with "culture" (the crude stemmer leaves their endings apart).
   */
  private static boolean askedRoot(Set<String> asked, String stem) {
    if (stem.length() < 6) {
      return false;
    }
    String root = stem.substring(0, 6);
    return asked.stream().anyMatch(a -> a.length() >= 6 && a.startsWith(root));
  }

  /** "based on your plan", "according to this schedule": what a step works from. */
  private static final Pattern WORKS_FROM = Pattern.compile(
      "\\b(?:based on|according to) (?:your|this|that|these|those) ([\\w-]+)",
      Pattern.CASE_INSENSITIVE);

  /**
   * Whether branch {@code i} opens by working from what an earlier sibling's label names: "Start
   * working on the sub-problems based on your plan" after "Plan and Outline Your Approach".
   */
  private static boolean usesEarlierResult(List<BranchView> views, int i) {
    Matcher m = WORKS_FROM.matcher(firstSentence(views.get(i).body()));
    while (m.find()) {
      String stem = Words.stem(m.group(1));
      for (int j = 0; j < i; j++) {
        String label = views.get(j).label();
        if (label != null && Words.contentStems(label, 200).contains(stem)) {
          return true;
        }
      }
    }
    return false;
  }

  /** Whether the question itself names the pronoun's referent by it: "How can I cheer them up?" */
  private static boolean askedAbout(String question, String pronoun) {
    return question != null && Words.tokens(question, 2000).contains(pronoun.toLowerCase(Locale.ROOT));
  }

  /**
   * A label that names a product or a work ("Tovolo Glide-A-Scoop Ice Cream Tub"), or null: three
   * words or more, title-cased, with no verb. Shorter labels ("Dough Preparation") may be steps.
   */
  private static String productName(String label) {
    String[] words = label.strip().split("\\s+");
    if (words.length < 3 || !titleCased(List.of(words))) {
      return null; // checked before the tagger runs: most labels are short or not title-cased
    }
    String name = asName(label);
    return name != null && Words.tokens(name, 200).size() >= 3 ? name : null;
  }

  /** Whether most words open with a capital or a digit, as a product's or a work's name does. */
  private static boolean titleCased(List<String> words) {
    long capitals = words.stream()
        .filter(w -> Character.isUpperCase(w.charAt(0)) || Character.isDigit(w.charAt(0))).count();
    return capitals * 10 >= words.size() * 7;
  }

  private static String lastStem(String label) {
    if (label == null) {
      return null;
    }
    List<String> words = Words.tokens(label, 80);
    return words.isEmpty() ? null : Words.stem(words.get(words.size() - 1));
  }

  private static boolean isNumbered(List<BranchView> views) {
    int numbered = 0;
    for (BranchView v : views) {
      // "First, ...", "Second, ...": paragraphs numbered in words.
      if (!v.text().isEmpty() && Character.isDigit(v.text().charAt(0)) || SequenceCues.numberingOrdinal(v.text())) {
        numbered++;
      }
    }
    return numbered * 2 > views.size();
  }

  private static final Pattern NUMBERED_HEADING = Pattern.compile("^(?:#{1,6}\\s*|\\*\\*)(?:step\\s*)?\\d{1,2}[.):]\\s",
      Pattern.CASE_INSENSITIVE);

  /** Every branch opens on a numbered heading: "### 1. Understand the Frequencies", "**2. Gather tools**". */
  private static boolean numberedHeadings(List<BranchView> views) {
    return views.stream().allMatch(v -> NUMBERED_HEADING.matcher(v.text()).find());
  }

  private static final Pattern ORIGINAL_HEAD = Pattern.compile("\\boriginal\\b", Pattern.CASE_INSENSITIVE);
  private static final Pattern RENDERING_HEAD = Pattern.compile(
      "\\b(?:translat\\w*|interpretation|rewritten|rewrite|paraphrase\\w*|rendering|revised|version)\\b",
      Pattern.CASE_INSENSITIVE);

  /**
   * An original and a rendering of it, by the items' first lines: "Modern English (original quote from
   * "Taken"):" and "Old English (stylized interpretation):" (gpt4_1106 #305). The rendering is made from
   * the original. Returns {original, rendering} or null.
   */
  private static int[] rewriteOfAnother(List<BranchView> views) {
    int original = -1;
    for (int i = 0; i < views.size(); i++) {
      String text = views.get(i).text();
      int nl = text.indexOf('\n');
      String head = nl < 0 ? "" : text.substring(0, nl).strip();
      if (!head.endsWith(":") || head.length() > 90) {
        continue; // a heading line over the text it names, not a sentence that mentions an original
      }
      if (original < 0 && ORIGINAL_HEAD.matcher(head).find()) {
        original = i;
      } else if (original >= 0 && RENDERING_HEAD.matcher(head).find()) {
        return new int[] {original, i};
      }
    }
    return null;
  }

  /** A stop placed by its distance from another: "(70 miles north of Oceanside)", "2 hours' drive from Rome". */
  private static final Pattern LEG = Pattern.compile(
      "\\b\\d+(?:\\.\\d+)?[- ](?:miles?|mi|km|kilometers?|kilometres?|minutes?|hours?)'?s?"
          + "(?: (?:drive|ride|walk))?(?: (?:north|south|east|west|northeast|northwest|southeast|southwest|away|inland|"
          + "up the coast|down the coast))? (?:of|from)\\b", Pattern.CASE_INSENSITIVE);

  /**
   * Whether most stops after the first open by placing themselves from another stop: "4. Laguna Beach
   * (70 miles north of Oceanside)", "5. Newport Beach (10 miles north of Laguna Beach)". They are legs
   * of one road trip in order (claude-3-opus #682, audit 13; rule 8).
   */
  private static boolean legsOfARoute(List<BranchView> views) {
    int legs = 0;
    for (BranchView v : views.subList(1, views.size())) {
      int nl = v.text().indexOf('\n');
      legs += LEG.matcher(nl < 0 ? v.text() : v.text().substring(0, nl)).find() ? 1 : 0; // the item's first line
    }
    return legs >= 2 && legs * 2 >= views.size() - 1;
  }

  /** A number produced by "= N" in one branch and used again in a later one. */
  private static String carriedNumber(List<BranchView> views) {
    int withEquations = 0;
    boolean concluding = false;
    for (int i = 0; i < views.size(); i++) {
      String text = views.get(i).text();
      if (hasEquation(text)) {
        withEquations++;
      }
      concluding |= i > 0 && CONCLUDING.matcher(views.get(i).body()).find();
      for (String number : results(text)) {
        for (int j = i + 1; j < views.size(); j++) {
          if (containsNumber(views.get(j).text(), number)) {
            return "derivation: branch " + (j + 1) + " reuses " + number + ", computed in branch " + (i + 1);
          }
        }
      }
    }
    if (withEquations >= 2 && concluding) {
      return "derivation: " + withEquations + " branches calculate and a later one concludes from them";
    }
    return null;
  }

  private static boolean hasEquation(String text) {
    int from = 0;
    while (from < text.length()) {
      int nl = text.indexOf('\n', from);
      int to = nl < 0 ? text.length() : nl;
      if (AnswerProfile.isEquation(text, from, to) || text.startsWith("\\[", from)) {
        return true;
      }
      from = to + 1;
    }
    return false;
  }

  /** Numbers (at least two digits) that follow "=" or "≈", not the start of a range ("≈ 650-750 nm"). */
  static List<String> results(String text) {
    List<String> out = new ArrayList<>();
    for (int i = 0; i < text.length(); i++) {
      char c = text.charAt(i);
      if (c != '=' && c != '≈') {
        continue;
      }
      int p = i + 1;
      while (p < text.length() && (text.charAt(p) == ' ' || text.charAt(p) == '$' || text.charAt(p) == '~')) {
        p++;
      }
      int q = p;
      while (q < text.length() && (Character.isDigit(text.charAt(q)) || text.charAt(q) == ','
          || text.charAt(q) == '.' && q + 1 < text.length() && Character.isDigit(text.charAt(q + 1)))) {
        q++;
      }
      String number = text.substring(p, q);
      int digits = 0;
      for (int k = 0; k < number.length(); k++) {
        digits += Character.isDigit(number.charAt(k)) ? 1 : 0;
      }
      // "λ ≈ 650-750 nm" is a range that was looked up, not a result a later branch could reuse.
      boolean range = q + 1 < text.length() && (text.charAt(q) == '-' || text.charAt(q) == '\u2013')
          && Character.isDigit(text.charAt(q + 1));
      if (digits >= 2 && !range) {
        out.add(number);
      }
    }
    return out;
  }

  private static boolean containsNumber(String text, String number) {
    int at = text.indexOf(number);
    while (at >= 0) {
      boolean before = at == 0 || !Character.isDigit(text.charAt(at - 1)) && text.charAt(at - 1) != '.'
          && text.charAt(at - 1) != ',';
      int end = at + number.length();
      boolean after = end >= text.length() || !Character.isDigit(text.charAt(end));
      if (before && after) {
        return true;
      }
      at = text.indexOf(number, at + 1);
    }
    return false;
  }

  /** A name defined in one branch's code and used in another's. */
  private static String codeDependency(List<BranchView> views) {
    Map<String, Integer> definedIn = new LinkedHashMap<>();
    for (int i = 0; i < views.size(); i++) {
      String code = codeOf(views.get(i).text());
      if (code.isEmpty()) {
        continue;
      }
      Matcher m = CODE_DEFINITION.matcher(code);
      while (m.find()) {
        definedIn.putIfAbsent(m.group(1), i);
      }
      Matcher a = CODE_ASSIGNMENT.matcher(code);
      while (a.find()) {
        definedIn.putIfAbsent(a.group(1), i);
      }
    }
    for (Map.Entry<String, Integer> e : definedIn.entrySet()) {
      Pattern use = Pattern.compile("\\b" + Pattern.quote(e.getKey()) + "\\b");
      for (int j = 0; j < views.size(); j++) {
        if (j != e.getValue() && !codeOf(views.get(j).text()).isEmpty()
            && use.matcher(codeOf(views.get(j).text())).find()) {
          return "code in branch " + (j + 1) + " uses '" + e.getKey() + "', defined in branch " + (e.getValue() + 1);
        }
      }
    }
    return null;
  }

  /** The fenced code of a text, or "" when it has none. */
  private static String codeOf(String text) {
    int open = text.indexOf("```");
    if (open < 0) {
      return "";
    }
    StringBuilder out = new StringBuilder();
    while (open >= 0) {
      int lineEnd = text.indexOf('\n', open);
      if (lineEnd < 0) {
        break;
      }
      int close = text.indexOf("```", lineEnd);
      int end = close < 0 ? text.length() : close;
      out.append(text, lineEnd + 1, end).append('\n');
      if (close < 0) {
        break;
      }
      open = text.indexOf("```", close + 3);
    }
    return out.toString();
  }

  /** The label of a part of a story: "Chapter 3: The Hunt", "Epilogue", "Scene 2". */
  private static final Pattern STORY_PART = Pattern.compile(
      "^(?:[IVXL]{1,6}\\. )?(?:chapter|part|act|scene|prologue|epilogue)\\b", Pattern.CASE_INSENSITIVE);

  /** Parts only a story has. Scenes are not: a video script's thematic scenes are siblings (gold Q76). */
  private static final Pattern DRAMA_PART = Pattern.compile("^(?:prologue|epilogue)\\b", Pattern.CASE_INSENSITIVE);

  /**
   * Past-tense prose in most branches, unlabelled or labelled as parts of a story ("Chapter 1: A
   * Frayed Arrow" ... "Epilogue"): a story told in order (Qwen2-72B #399, audit 12).
   */
  private static boolean narrative(List<BranchView> views) {
    if (views.stream().allMatch(v -> v.label() != null && DRAMA_PART.matcher(v.label()).find())) {
      return true; // "Prologue" and "Epilogue": only a story has them
    }
    int story = 0;
    for (BranchView v : views) {
      if (v.label() != null && !STORY_PART.matcher(v.label()).find()) {
        return false;
      }
      Matcher m = PAST_NARRATIVE.matcher(v.body().length() > 1500 ? v.body().substring(0, 1500) : v.body());
      int hits = 0;
      while (m.find()) {
        hits++;
      }
      // A chapter told mostly in dialogue has few past-tense verbs but its lines of speech:
      // '"I won't let you get to them," Roy replied.'
      int speech = 0;
      if (v.label() != null) {
        Matcher q = SPEECH.matcher(v.body());
        while (q.find()) {
          speech++;
        }
      }
      if (hits >= 3 || speech >= 2) {
        story++;
      }
    }
    // Parts of a story by name ("Prologue", "Epilogue") need half of them told as one: an epilogue is short.
    boolean parts = views.stream().allMatch(v -> v.label() != null);
    return parts ? story * 2 >= views.size() : story * 2 > views.size();
  }

  /** A later branch that names an earlier sibling's multi-word label builds on it. */
  private static String labelDependency(List<BranchView> views) {
    // The first item is handled as a premise (see premise); a later one taken up still counts: an
    // essay's "Lifestyle ... shaped by their natural environments and local cultures" (gpt4 #203).
    List<String> phrases = labelPhrases(views);
    for (int i = 2; i < views.size(); i++) {
      String phrase = phrase(views.get(i - 1).label());
      if (phrase == null) {
        continue;
      }
      boolean imperative = imperative(phrase);
      for (int j = i; j < views.size(); j++) {
        String body = views.get(j).body();
        int at = usedAt(body, phrase, phrases);
        if (at >= 0 && !(imperative && opensSentence(body, at))) {
          return "branch " + (j + 1) + " builds on branch " + i + " ('" + phrase + "')";
        }
      }
    }
    return null;
  }

  /** The branches' multi-word label phrases ("local culture", "data visualization"); see {@link #phrase}. */
  private static List<String> labelPhrases(List<BranchView> views) {
    return views.stream().map(v -> phrase(v.label())).filter(p -> p != null).toList();
  }

  /**
   * Where {@code body} names a sibling's label {@code phrase}, or -1 when it does not, or only in a note
   * that sums up the sections: a line after the item's first that names three of them or more ("The
   * questions assess basic R programming, data manipulation and analysis, data visualization and
   * advanced R programming", Meta-Llama-3-8B #496).
   */
  private static int usedAt(String body, String phrase, List<String> phrases) {
    int at = body.toLowerCase(Locale.ROOT).indexOf(phrase);
    int from = at < 0 ? -1 : body.lastIndexOf('\n', at);
    if (from < 0) {
      return at;
    }
    int to = body.indexOf('\n', at);
    String line = body.substring(from, to < 0 ? body.length() : to).toLowerCase(Locale.ROOT);
    return phrases.stream().filter(line::contains).count() >= 3 ? -1 : at;
  }

  /** Whether a label is an instruction, "offer incentives", rather than a name ("social media"). */
  private static boolean imperative(String phrase) {
    // Tagged as a label opens, with a capital: the tagger reads "offer incentives" as two nouns.
    List<String> words = List.of((Character.toUpperCase(phrase.charAt(0)) + phrase.substring(1)).split(" "));
    return words.size() >= 2 && !words.get(0).endsWith("ing") && PartsOfSpeech.tag(words).get(0).equals("VERB");
  }

  /**
   * Whether {@code at} opens a sentence of {@code text}. An earlier tip's instruction given again as a
   * sentence of its own ("Offer incentives for successful referrals") is the same advice in another
   * setting, not a use of that tip's result; "once you offer incentives" would be.
   */
  private static boolean opensSentence(String text, int at) {
    int p = at - 1;
    while (p >= 0 && Character.isWhitespace(text.charAt(p))) {
      p--;
    }
    return Character.isUpperCase(text.charAt(at)) && (p < 0 || ".!?:".indexOf(text.charAt(p)) >= 0);
  }

  private static String phrase(String label) {
    if (label == null) {
      return null;
    }
    // "II. Local Culture" is named as "local culture": an outline's numbering is no part of the name.
    String p = Labels.withoutNumbering(label).toLowerCase(Locale.ROOT);
    int paren = p.indexOf('(');
    p = (paren >= 0 ? p.substring(0, paren) : p).strip();
    return Words.contentStems(p, 200).size() >= 2 && p.length() >= 8 ? p : null;
  }

  /**
   * The first item is a premise when a later item reuses its own label words (beyond the question,
   * the introduction and generic words), either as the item's exact label phrase or, in a list of
   * hypothetical consequences ("would", "could", "might"), as one of its distinctive words.
   */
  private static String premise(List<BranchView> views, String precondition, String question) {
    if (views.size() < 3) {
      String phrase = phrase(views.get(0).label());
      if (phrase != null && views.get(1).body().toLowerCase(Locale.ROOT).contains(phrase)) {
        return "branch 2 builds on the first item ('" + phrase + "')";
      }
      return null;
    }
    String first = views.get(0).label();
    if (first == null) {
      return null;
    }
    if (INTRODUCING_LABEL.matcher(first).find()) {
      return "premise: the first item ('" + first + "') introduces what the others are about";
    }
    if (!first.strip().endsWith("?") && views.subList(1, views.size()).stream()
        .allMatch(v -> v.label() != null && v.label().strip().endsWith("?"))) {
      // "**Join the Movement!**" over "**Why collaborate?**", "**What can you contribute?**": the
      // others answer questions about what the first announces (Meta-Llama-3-8B #480, audit 13).
      return "premise: the first item ('" + first + "') is no question like the others; it opens them";
    }
    String named = phrase(first);
    // "Screenwriting software" over "Best screenwriting software", "Free screenwriting software":
    // every label varies the first, which is one more of its kind (gpt-3.5 #218, audit 14).
    String phrase = named != null && views.subList(1, views.size()).stream()
        .allMatch(v -> v.label() != null && v.label().toLowerCase(Locale.ROOT).contains(named)) ? null : named;
    List<String> phrases = labelPhrases(views);
    for (int j = 1; phrase != null && j < views.size(); j++) {
      if (usedAt(views.get(j).body(), phrase, phrases) >= 0) {
        return "premise: branch " + (j + 1) + " builds on the first item ('" + phrase + "')";
      }
    }
    int conditional = 0;
    for (BranchView v : views) {
      conditional += CONDITIONAL.matcher(v.body()).find() ? 1 : 0;
    }
    String cleaned = Labels.clean(first).strip().toLowerCase(Locale.ROOT);
    String opening = cleaned.split(" ", 2)[0];
    // A base form only: "Delayed European colonization" opens on a participle, a consequence.
    if (conditional * 2 < views.size() || !cleaned.isEmpty() && opening.equals(Words.stem(opening))
        && imperative(cleaned)) {
      // Consequences ("Prolonged War") are taken up by the ones after them; a tip or an activity
      // ("Share Your Story") is not, though its siblings tell stories too (Mistral #650, audit 14).
      return null;
    }
    Set<String> heads = nounStems(first);
    Set<String> keys = new HashSet<>(Words.contentStems(first, 200));
    keys.removeAll(Words.contentStems(question == null ? "" : question, 2000));
    keys.removeAll(Words.contentStems(tail(precondition, 1500), 1500));
    keys.removeAll(GENERIC);
    // A one-word label ("Size") is a common noun that a sibling may use in its own sense ("enormous in
    // size"); it is taken up when the sibling points back at it ("such an enormous weight").
    boolean oneWord = Words.tokens(Labels.clean(first), 200).size() == 1;
    for (int j = 1; j < views.size(); j++) {
      List<String> words = Words.tokens(firstSentence(views.get(j).body()), 400);
      List<String> stems = words.stream().map(Words::stem).toList();
      List<String> tags = null;
      for (int p = 0; p < stems.size(); p++) {
        String key = stems.get(p);
        if (!keys.contains(key)) {
          continue;
        }
        if (oneWord && !pointedAt(words, p)) {
          continue;
        }
        tags = tags != null ? tags : PartsOfSpeech.tag(words);
        if (heads.contains(key) || !tags.get(p).equals("ADJ") || nearHead(stems, p, heads)) {
          return "premise: branch " + (j + 1) + " builds on the first item's '" + key + "'";
        }
      }
    }
    return null;
  }

  private static final Set<String> POINTING = Set.of("such", "this", "that", "these", "those", "same");

  /** Whether a word that points back comes just before the word at {@code p}: "such an enormous weight". */
  private static boolean pointedAt(List<String> words, int p) {
    for (int q = Math.max(0, p - 3); q < p; q++) {
      if (POINTING.contains(words.get(q))) {
        return true;
      }
    }
    return false;
  }

  /**
   * Whether the first label's modifier, used again at {@code p} as a modifier, goes with one of the
   * label's nouns a few words away: "a prolonged and more destructive war" and "the war had been
   * significantly prolonged" take up "Prolonged War", where "faster and more efficient communication"
   * says nothing of "Faster dissemination of knowledge". A modifier used as a verb or a noun ("would
   * have been delayed", "a delay in") takes up its item by itself.
   */
  private static boolean nearHead(List<String> stems, int p, Set<String> heads) {
    for (int q = Math.max(0, p - 4); q < Math.min(stems.size(), p + 5); q++) {
      if (q != p && heads.contains(stems.get(q))) {
        return true;
      }
    }
    return false;
  }

  /**
   * The stems of a label's nouns: what a later item takes up when it builds on it, by itself or
   * after one of the label's modifiers.
   */
  private static Set<String> nounStems(String label) {
    // In lower case: the tagger takes every word of a title-cased label for a name ("Biological").
    List<String> words = bareWords(Labels.clean(label).toLowerCase(Locale.ROOT), "[\\s/]+");
    List<String> tags = PartsOfSpeech.tag(words);
    Set<String> stems = new HashSet<>();
    for (int i = 0; i < words.size(); i++) {
      if (tags.get(i).equals("NOUN") || tags.get(i).equals("PROPN")) {
        stems.addAll(Words.contentStems(words.get(i), 200));
      }
    }
    return stems;
  }

  /** A last item labelled as the joint result of the others, or naming two or more of them. */
  private static String closing(List<BranchView> views) {
    BranchView last = views.get(views.size() - 1);
    if (last.label() == null && SequenceCues.summingUp(last.body())) {
      return "closing: the last item sums up the ones before it ('" + excerpt(last.body()) + "')";
    }
    if (SequenceCues.escalation(last.body())) {
      // "If all else fails, ...", "If the problem persists, ...": tried after the others (gold rule 9).
      return "closing: the last item ('" + excerpt(last.body()) + "') is tried after the ones before it";
    }
    // Unless an earlier label (or an unlabelled item's first words) reads so too: "1. Overall rating" makes "10. Overall satisfaction" one more
    // question of a questionnaire, not its closing (llama-2 #559).
    boolean closingKind = views.stream().limit(views.size() - 1).anyMatch(v -> CLOSING_LABEL.matcher(
        v.label() != null ? v.label() : String.join(" ", Words.tokens(SequenceCues.lead(v.body()), 40))).find());
    if (views.size() >= 3 && last.label() != null && CLOSING_LABEL.matcher(last.label()).find() && !closingKind) {
      return "closing: the last item ('" + last.label() + "') combines the ones before it";
    }
    if (views.size() < 3 || last.label() == null) {
      return null;
    }
    Set<String> shared = null;
    List<Set<String>> keys = new ArrayList<>();
    for (BranchView v : views) {
      Set<String> k = Words.contentStems(v.label() == null ? "" : v.label(), 200);
      keys.add(k);
      if (shared == null) {
        shared = new HashSet<>(k);
      } else {
        shared.retainAll(k);
      }
    }
    Set<String> body = Words.contentStems(last.body(), 4000);
    int named = 0;
    for (int i = 0; i < views.size() - 1; i++) {
      Set<String> k = new HashSet<>(keys.get(i));
      k.removeAll(shared);
      if (!k.isEmpty() && body.containsAll(k)) {
        named++;
      }
    }
    // Half of them at least: a last factor that mentions "social media" and "digital marketing" after
    // five others, two of them "Social" and "Marketing", is one more factor (Qwen2-72B #733).
    return named >= 2 && named * 2 >= views.size() - 1
        ? "closing: the last item draws on " + named + " of the items before it" : null;
  }

  /** The body's first sentence, past any nested bold label. */
  static String firstSentence(String body) {
    int limit = Math.min(body.length(), 400);
    for (int i = 20; i < limit - 1; i++) {
      char c = body.charAt(i);
      if ((c == '.' || c == '!' || c == '?') && Character.isWhitespace(body.charAt(i + 1))) {
        return body.substring(0, i + 1);
      }
    }
    return body.substring(0, limit);
  }

  private static String quoteLabels(List<String> labels) {
    List<String> shown = new ArrayList<>();
    for (String l : labels) {
      if (l != null && shown.size() < 3) {
        shown.add("'" + l + "'");
      }
    }
    return String.join(", ", shown);
  }

  static String tail(String s, int n) {
    return s == null ? "" : s.length() > n ? s.substring(s.length() - n) : s;
  }

  /** Whether a branch before {@code i} names {@code place} ("Boulder", "French Riviera"). */
  private static boolean earlierMention(List<BranchView> views, int i, String place) {
    String needle = place.toLowerCase(Locale.ROOT);
    for (int j = 0; j < i; j++) {
      if (views.get(j).text().toLowerCase(Locale.ROOT).contains(needle)) {
        return true;
      }
    }
    return false;
  }

  /** The last line of {@code s} with text, without its heading hashes and emphasis: "Day 2: Rabat". */
  private static String lastLine(String s) {
    String t = s == null ? "" : s.strip();
    String line = t.substring(t.lastIndexOf('\n') + 1);
    return line.replaceAll("^[#>\\s]+", "").replace("**", "").replace("__", "").strip();
  }

  private static String lastSentence(String s) {
    String t = s.strip();
    int cut = Math.max(t.lastIndexOf(". ", t.length() - 2), t.lastIndexOf('\n', t.length() - 2));
    return cut > 0 ? t.substring(cut + 1).strip() : t;
  }

  private static String excerpt(String s) {
    String t = s.strip().replace('\n', ' ');
    return t.length() > 60 ? t.substring(0, 60) + "…" : t;
  }
}
