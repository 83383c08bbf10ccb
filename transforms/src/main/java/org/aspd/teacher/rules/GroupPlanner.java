package org.aspd.teacher.rules;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * Chooses the groups of one candidate: which sibling sections become branches, and which lists
 * become groups of their own (gold rule 7), with every group checked by the
 * {@link IndependenceHeuristic} and by {@link Substance}.
 *
 * <p>{@link Level#AUTO} makes sections the branches when they are siblings of one kind (four or
 * more with bodies of the same shape, or headings that share a word, or no list inside to group
 * instead), and otherwise groups each section's own list. {@link Level#LISTS} groups the lists
 * even where AUTO makes sections the branches, to give stage 4 an alternative. There is no level
 * that forces sections over rule 7's lists: stage 4 prefers the candidate with the most text in
 * branches, so such a candidate would always win (it did: gold branch F1 0.885 against 0.978).
 */
final class GroupPlanner {
  enum Level { AUTO, LISTS }

  /** Line ranges [first, end) of the branches of one group, with their labels. */
  record Planned(List<int[]> branches, List<String> labels) {
    int first() {
      return branches.get(0)[0];
    }
  }

  /** Sections that open or close an answer rather than being one of its siblings. */
  private static final Pattern FRAME_HEADING = Pattern.compile(
      "^(conclusion|summary|in summary|in conclusion|introduction|intro|overview|background|context|"
          + "final thoughts?|closing|closing thoughts|wrapping up|wrap-?up|recap|tl;?dr|references|sources|works cited|bibliography|citations|"
          + "further reading|footnotes|notes?|disclaimer|key takeaways?|"
          + "takeaways?|bottom line|verdict|review|plot|synopsis|story|title|example usage|examples? of usage|"
          + "output|sample output|result|results|answer|final answer|opening|opening scene|closing scene|"
          + "end screen|scenario|explanation|how it works|code explanation)\\b",
      java.util.regex.Pattern.CASE_INSENSITIVE);
  private static final Pattern SYNTHESIS_HEADING = Pattern.compile(
      "\\b(balanc\\w*|both|combin\\w*|integrat\\w*|together|overall|bridging|reconcil\\w*|synthes\\w*)\\b",
      Pattern.CASE_INSENSITIVE);
  private static final Pattern CODE_COMPONENT = Pattern.compile(
      "\\b(functions?|methods?|class|operations?|modules?|components?|constructor|property|attributes?|"
          + "parameters?|endpoints?|fields?|variables?|hooks?|props?|routes?)\\b", Pattern.CASE_INSENSITIVE);
  /** An identifier in a label: {@code is_empty}, {@code toLowerCase}, {@code main()}. */
  private static final Pattern IDENTIFIER = Pattern.compile("\\w_\\w|[a-z][A-Z]|\\(\\)");
  /** A code span with no space inside that opens an item's text: "`==`", "`.equals()`". */
  private static final Pattern LEADING_CODE_SPAN = Pattern.compile("`([^`\\s]{1,30})`");
  /** An operator that opens a label: "== compares the reference", "!== also compares types". */
  private static final Pattern LEADING_OPERATOR = Pattern.compile("^[=!<>&|]{2,3}(?=\\s|$)");
  private static final int MIN_SECTION_WORDS = 8;
  /** More siblings than this are a catalogue, not branches; merging them would hide the structure. */
  static final int MAX_SIBLINGS = 40;
  private static final int CONTEXT_CHARS = 2000;

  private final Outline o;
  private final AnswerProfile profile;
  private final String question;
  private final Level level;
  private final List<Planned> planned = new ArrayList<>();
  private final Memo memo;

  /** Headings of a section that stands beside a procedure's steps rather than in them. */
  private static final Pattern ASIDE_HEADING = Pattern.compile(
      "(?i)\\b(?:tips?|notes?|safety|warnings?|precautions?|troubleshooting|considerations?|reminders?|faqs?|"
          + "mistakes|pitfalls|variations?|alternatives?|takeaways?|key points|summary|themes|conclusions?)\\b");

  /** Decisions that do not depend on the level, shared by the candidates of one answer. */
  static final class Memo {
    private final java.util.Map<String, int[]> kept = new java.util.HashMap<>();
    private final java.util.Map<Integer, java.util.Optional<Planned>> lists = new java.util.HashMap<>();
    private final java.util.Map<Integer, Boolean> eligible = new java.util.HashMap<>();
    /** Runs of sections that failed as ordered (a procedure, a timeline), by the key of their spans. */
    private final Set<String> ordered = new HashSet<>();
    /** Sections inside such a run: gold rule 8 keeps them whole, so no list is carved out of them. */
    private final Set<Integer> orderedSections = new HashSet<>();
  }

  private GroupPlanner(Outline o, AnswerProfile profile, String question, Level level,
      Memo memo) {
    this.o = o;
    this.profile = profile;
    this.question = question;
    this.level = level;
    this.memo = memo;
  }

  /**
   * Plans one candidate. {@code memo} caches independence decisions by span across the levels of
   * one answer; pass a fresh one per answer.
   */
  static List<Planned> plan(Outline o, AnswerProfile profile, String question, Level level, Memo memo) {
    if (profile.words() < AnswerProfile.MIN_ANSWER_WORDS) {
      return List.of();
    }
    GroupPlanner p = new GroupPlanner(o, profile, question, level, memo);
    p.planContainer(-1);
    p.planned.sort(Comparator.comparingInt(Planned::first));
    return p.planned;
  }

  private void planContainer(int parent) {
    List<Integer> children = o.children(parent);
    Set<Integer> claimed = new HashSet<>();
    List<Integer> run = new ArrayList<>();
    for (int k = 0; k <= children.size(); k++) {
      Integer child = k < children.size() ? children.get(k) : null;
      boolean continues = child != null && eligible(child) && (run.isEmpty()
          || o.sections.get(run.get(0)).level() == o.sections.get(child).level());
      if (continues) {
        run.add(child);
        continue;
      }
      if (run.size() >= 2) {
        claimed.addAll(decideRun(run));
      }
      run = new ArrayList<>();
      if (child != null && eligible(child)) {
        run.add(child);
      }
    }
    for (int child : children) {
      if (!claimed.contains(child) && !sequential(child)) {
        planContainer(child);
      }
    }
    int from = parent < 0 ? 0 : o.sections.get(parent).heading() + 1;
    int to = parent < 0 ? o.lines.size() : o.sections.get(parent).end();
    for (Outline.ListBlock list : o.listsBetween(from, to)) {
      // A list inside a section of an ordered run is part of that sequence: gold rule 8 keeps a
      // procedure or a timeline whole and carves no small independent pieces out of it. A section of
      // tips or warnings beside the steps ("Safety Tips") is no step.
      // The steps under "Method 1: Using Built-in Functions" are one procedure too.
      boolean inSequence = parent >= 0 && (memo.orderedSections.contains(parent)
          || SequenceCues.numberedMethod(o.headingLabel(o.sections.get(parent))))
          && !ASIDE_HEADING.matcher(o.headingLabel(o.sections.get(parent))).find();
      if (list.depth() == 0 && o.sectionOf(list.first()) == parent && !inSequence) {
        tryList(list);
        if (list.items().size() == 1) {
          // One point whose own items are the list ("- **Vitamins, minerals, and electrolytes** do not
          // provide energy." over "- **Vitamins** ...", "- **Minerals** ..."): the point leads into them.
          for (Outline.ListBlock inner : o.listsBetween(list.first() + 1, list.end())) {
            if (inner.depth() == 1) {
              tryList(inner);
            }
          }
        }
      }
    }
  }

  private boolean eligible(int index) {
    return memo.eligible.computeIfAbsent(index, this::computeEligible);
  }

  private boolean computeEligible(int index) {
    Outline.Section s = o.sections.get(index);
    String label = o.headingLabel(s);
    return !label.isEmpty() && !FRAME_HEADING.matcher(Labels.withoutNumbering(label)).find()
        && !SYNTHESIS_HEADING.matcher(label).find()
        && !sequential(index) && !placeholderBody(s) && !hidesHeadings(s) && Words.count(o.text, o.startOffset(s.heading()), o.endOffset(Math.max(s.end(),
        s.heading() + 1))) - Words.count(label) >= MIN_SECTION_WORDS;
  }

  /**
   * Whether a section runs over bold lines that repeat at its own level and name a heading of its
   * kind ("**Religious perspectives:**", then "**Scientific perspectives:**" three times in an
   * answer that loops; "**Characteristics of Sets:**" running over "**Lists**"): they are read as
   * text, so the section would swallow its siblings. Repeated sub-headings of another kind
   * ("**Narrator:**", "**Chorus:**") are the section's own content.
   */
  private boolean hidesHeadings(Outline.Section s) {
    if (o.repeated.isEmpty()) {
      return false;
    }
    Set<String> kind = new HashSet<>();
    for (Outline.Section other : o.sections) {
      if (other.level() == s.level() && other.parent() == s.parent()) {
        kind.addAll(Words.contentStems(o.headingLabel(other), 200));
      }
    }
    for (int line = s.heading() + 1; line < s.end(); line++) {
      Integer level = o.repeated.get(line);
      if (level != null && level == s.level()) {
        String label = Labels.clean(o.text.substring(o.lines.get(line).textStart(), o.lines.get(line).end()));
        if (Words.contentStems(label, 200).stream().anyMatch(kind::contains)) {
          return true;
        }
      }
    }
    return false;
  }

  private boolean placeholderBody(Outline.Section s) {
    for (Outline.ListBlock list : o.listsBetween(s.heading() + 1, s.end())) {
      if (Substance.hasPlaceholder(o, list.items())) {
        return true;
      }
    }
    return false;
  }

  private boolean sequential(int index) {
    Outline.Section s = o.sections.get(index);
    return profile.inDerivation(s.heading()) || SequenceCues.sequentialHeading(o.headingLabel(s))
        || SequenceCues.timelineLabel(o.headingLabel(s));
  }

  /** Plans one run of sibling sections; returns the sections that became branches. */
  private List<Integer> decideRun(List<Integer> run) {
    if (run.size() > MAX_SIBLINGS) {
      return List.of();
    }
    boolean anyInnerList = false;
    for (int s : run) {
      anyInnerList |= hasGroupableList(s);
    }
    List<int[]> spans = sectionSpans(run);
    if (spans.stream().allMatch(this::onlyBareItems)) {
      // "**1-10:**" over "1. Artificial Intelligence (AI)", ...: labels, no clauses (gold rule 10).
      return List.of();
    }
    int[] kept = accept(spans);
    if (kept == null) {
      if (memo.ordered.contains(key(spans))) {
        int dated = datedPrefix(run);
        if (dated < run.size() - 1) {
          // Eras in order, then "Key Points", "Important Terms", "Key Figures": the timeline is the dated
          // sections; the rest are siblings of another kind, planned on their own.
          memo.orderedSections.addAll(run.subList(0, dated));
          return decideRun(run.subList(dated, run.size()));
        }
        memo.orderedSections.addAll(run);
      }
      return List.of();
    }
    // Sections of different roles, each with its own list, give their lists as groups (gold rule 7).
    if (anyInnerList && !(level != Level.LISTS && (run.size() >= 4 && homogeneous(run) || sharedHeadingWord(run)))) {
      return List.of();
    }
    List<String> labels = new ArrayList<>();
    for (int s : run) {
      labels.add(o.headingLabel(o.sections.get(s)));
    }
    planned.add(new Planned(spans.subList(kept[0], kept[1]), labels.subList(kept[0], kept[1])));
    return run.subList(kept[0], kept[1]);
  }

  /**
   * How many sections open a run with dated labels when two or more do and none of the rest does or
   * starts with a year ("**Reunification**" over "In 1990, the Berlin Wall ..." goes on with the
   * timeline); else the run's size.
   */
  private int datedPrefix(List<Integer> run) {
    int end = run.size();
    while (end > 0 && !SequenceCues.datedLabel(o.headingLabel(o.sections.get(run.get(end - 1))))) {
      Outline.Section s = o.sections.get(run.get(end - 1));
      int from = o.endOffset(s.heading() + 1);
      if (SequenceCues.namesYear(o.text.substring(from, Math.min(from + 200, o.endOffset(Math.max(s.end(), s.heading() + 1)))))) {
        return run.size();
      }
      end--;
    }
    int dated = 0;
    for (int k = 0; k < end; k++) {
      dated += SequenceCues.datedLabel(o.headingLabel(o.sections.get(run.get(k)))) ? 1 : 0;
    }
    return dated >= 2 && end > 0 ? end : run.size();
  }

  private List<int[]> sectionSpans(List<Integer> run) {
    List<int[]> spans = new ArrayList<>();
    for (int k = 0; k < run.size(); k++) {
      Outline.Section sec = o.sections.get(run.get(k));
      int end = sec.end();
      if (k == run.size() - 1 && !laterSiblingFollows(run.get(k))) {
        end = endBeforeClosingProse(run.get(k));
        end = end == sec.end() ? endBeforeClosingParagraphs(run) : end;
      }
      spans.add(new int[] {sec.heading(), end});
    }
    return spans;
  }

  /**
   * Where the last section of a run of plain-paragraph sections ends. When every other section
   * has the same number of paragraphs and the last one has more, the extra paragraphs close the
   * run ("Invest in the enduring appeal of ...") and stay serial. Needs three sections or more.
   */
  private int endBeforeClosingParagraphs(List<Integer> run) {
    int lastIndex = run.get(run.size() - 1);
    Outline.Section last = o.sections.get(lastIndex);
    if (run.size() < 3) {
      return last.end();
    }
    int shared = -1;
    for (int k = 0; k < run.size() - 1; k++) {
      List<Integer> starts = paragraphStarts(o.sections.get(run.get(k)));
      if (starts == null || starts.isEmpty() || shared >= 0 && starts.size() != shared) {
        return last.end();
      }
      shared = starts.size();
    }
    List<Integer> starts = paragraphStarts(last);
    if (starts == null || starts.size() <= shared) {
      return last.end();
    }
    return o.trimBlankEnd(last.heading() + 1, starts.get(shared));
  }

  /** First lines of a section body's paragraphs, or null when the body holds more than plain paragraphs. */
  private List<Integer> paragraphStarts(Outline.Section s) {
    List<Integer> starts = new ArrayList<>();
    boolean inParagraph = false;
    for (int i = s.heading() + 1; i < s.end(); i++) {
      Line l = o.lines.get(i);
      if (l.isBlank()) {
        inParagraph = false;
        continue;
      }
      if (l.kind() != Line.Kind.TEXT || l.indent() > 0) {
        return null;
      }
      if (!inParagraph) {
        starts.add(i);
        inParagraph = true;
      }
    }
    return starts;
  }

  /** Whether the first line with text from {@code line} on sums up ("In summary, ...", "Overall, ..."). */
  private boolean summingUpAt(int line) {
    for (int i = line; i < o.lines.size(); i++) {
      Line l = o.lines.get(i);
      if (!l.isBlank()) {
        return l.kind() == Line.Kind.TEXT && SequenceCues.summingUp(o.text.substring(l.textStart(), l.end()));
      }
    }
    return false;
  }

  /** A later section at the same level inside the same parent (such as a conclusion) follows. */
  private boolean laterSiblingFollows(int index) {
    Outline.Section s = o.sections.get(index);
    for (int j = index + 1; j < o.sections.size(); j++) {
      Outline.Section next = o.sections.get(j);
      if (next.heading() >= s.end() && next.level() == s.level()) {
        return true;
      }
      if (next.level() < s.level()) {
        return false;
      }
    }
    return false;
  }

  /**
   * Where the last section of a group ends. When it is the last child of its parent and its
   * structured body (a list or sub-sections) is followed by plain paragraphs, those paragraphs
   * close the whole answer or parent, not this section, and stay serial.
   */
  private int endBeforeClosingProse(int index) {
    Outline.Section s = o.sections.get(index);
    int structuredEnd = -1;
    List<Outline.ListBlock> lists = new ArrayList<>();
    for (Outline.ListBlock list : o.listsBetween(s.heading() + 1, s.end())) {
      if (list.depth() == 0 && list.end() <= s.end()) {
        structuredEnd = Math.max(structuredEnd, list.end());
        lists.add(list);
      }
    }
    if (lists.size() >= 2 && annotatedEntries(s.heading() + 1, lists)) {
      // Entries each followed by a paragraph ("1. <citation>", its annotation, "2. ..."): the paragraph
      // after the last entry is that entry's, not a closing.
      return s.end();
    }
    List<Integer> subs = o.children(index);
    if (!subs.isEmpty()) {
      // "In summary, ..." after the list of the last sub-section ("#### Reusable Bottles") closes the
      // whole answer, not that sub-section (gpt-4o #735); other prose there may be the sub-section's own.
      int lastSub = subs.get(subs.size() - 1);
      int inner = o.sections.get(lastSub).end() >= s.end() ? endBeforeClosingProse(lastSub) : s.end();
      if (inner < s.end() && summingUpAt(inner)) {
        return inner;
      }
    }
    for (int sub : subs) {
      structuredEnd = Math.max(structuredEnd, o.sections.get(sub).end());
    }
    if (structuredEnd < 0 || structuredEnd >= s.end()) {
      return s.end();
    }
    for (int i = structuredEnd; i < s.end(); i++) {
      Line l = o.lines.get(i);
      // A rule ("---") before the closing words sets them apart all the more.
      if (!l.isBlank() && l.kind() != Line.Kind.RULE && (l.kind() != Line.Kind.TEXT || l.indent() > 0)) {
        return s.end();
      }
    }
    return structuredEnd;
  }

  /**
   * Whether a section body from {@code bodyStart} opens with these lists (in order of their first
   * lines), single entries each followed by a plain paragraph of its own: "1. <citation>", its
   * annotation, "2. <citation>", its annotation.
   */
  private boolean annotatedEntries(int bodyStart, List<Outline.ListBlock> lists) {
    for (int i = bodyStart; i < lists.get(0).first(); i++) {
      if (o.lines.get(i).kind() == Line.Kind.TEXT) {
        return false; // prose before each entry ("Chapter 6: Strings", then "- Purpose: ..."): a heading
      }
    }
    for (int k = 0; k + 1 < lists.size(); k++) {
      if (lists.get(k).items().size() != 1) {
        return false;
      }
      boolean prose = false;
      for (int i = lists.get(k).end(); i < lists.get(k + 1).first(); i++) {
        Line l = o.lines.get(i);
        prose |= l.kind() == Line.Kind.TEXT && l.indent() == 0;
      }
      if (!prose) {
        return false;
      }
    }
    return lists.get(lists.size() - 1).items().size() == 1;
  }

  private void tryList(Outline.ListBlock list) {
    java.util.Optional<Planned> known = memo.lists.get(list.first());
    if (known == null) {
      known = java.util.Optional.ofNullable(planList(list));
      memo.lists.put(list.first(), known);
    }
    known.ifPresent(planned::add);
  }

  private Planned planList(Outline.ListBlock list) {
    if (list.items().size() < 2 || list.items().size() > MAX_SIBLINGS || profile.inDerivation(list.first())
        || profile.derivation() && list.kind() == Outline.ListKind.NUMBERED) {
      return null;
    }
    List<int[]> spans = new ArrayList<>();
    List<String> labels = new ArrayList<>();
    Set<String> seen = new HashSet<>();
    List<String> names = new ArrayList<>(); // a label, else a code span the item opens on ("`.equals()` compares")
    boolean repeated = false;
    for (Outline.Item item : list.items()) {
      spans.add(new int[] {item.first(), item.end()});
      BranchView v = BranchView.of(o.text.substring(o.startOffset(item.first()), o.endOffset(item.end())));
      labels.add(v.label());
      java.util.regex.Matcher span = LEADING_CODE_SPAN.matcher(v.body());
      names.add(v.label() != null ? v.label() : span.lookingAt() ? span.group(1) : null);
      repeated |= v.label() != null && !seen.add(v.label().toLowerCase(java.util.Locale.ROOT));
    }
    if (repeated && list.kind() == Outline.ListKind.BOLD_LEAD) {
      return null; // a dialogue ("Host:", "Guest:"), not siblings
    }
    if (profile.hasCode() && list.kind() == Outline.ListKind.NUMBERED && !codeComponents(names)
        && (nearCode(list) || mostlyImperative(list))) {
      return null; // an explanation that walks through code in execution order
    }
    if (subListOfItem(list)) {
      return null;
    }
    for (int i = 0; i + 1 < spans.size(); i++) {
      if (endsOnColon(spans.get(i)[0], spans.get(i)[1])) {
        return null; // a heading swallowed by an item ("- Safe if built correctly\nCons:")
      }
    }
    int[] last = spans.get(spans.size() - 1);
    if (endsOnColon(last[0], last[1])) {
      // "Here are a few formulas:" then a list, a lettered list or code: it is the last item's;
      // else the item is cut off.
      int announced = announcedEnd(last[1]);
      if (announced < 0) {
        return null;
      }
      spans.set(spans.size() - 1, new int[] {last[0], announced});
    }
    if (Substance.problem(o, spans.stream().map(s -> new Outline.Item(s[0], s[1])).toList()) != null) {
      return null;
    }
    int[] kept = accept(spans);
    return kept == null ? null : new Planned(spans.subList(kept[0], kept[1]), labels.subList(kept[0], kept[1]));
  }

  /**
   * Whether the last item ends on a colon at its own indent: it announces what follows it
   * ("subtract 3 from both sides:", then the working), so it is not whole on its own. A form's
   * blank inside the item ("   b. Please explain:") does not count.
   */
  private boolean endsOnColon(int first, int end) {
    int last = end - 1; // items hold no trailing blank lines
    return lineText(last).stripTrailing().endsWith(":")
        && o.lines.get(last).indent() <= o.lines.get(first).indent();
  }

  /**
   * The end of what an item ending on a colon announces, when it starts right after line
   * {@code end} (blank lines apart): a list, a fenced code block, or a lettered list
   * ("a. **Prioritize tasks**: ...") that the outline does not read as a list; -1 when none does.
   */
  private int announcedEnd(int end) {
    int next = end;
    while (next < o.lines.size() && o.lines.get(next).isBlank()) {
      next++;
    }
    if (next >= o.lines.size()) {
      return -1;
    }
    for (Outline.ListBlock other : o.listsBetween(next, next + 1)) {
      return other.end();
    }
    if (o.lines.get(next).kind() == Line.Kind.CODE) {
      int line = next;
      while (line < o.lines.size() && o.lines.get(line).kind() == Line.Kind.CODE) {
        line++;
      }
      return line;
    }
    int line = next;
    int after = -1;
    int lettered = 0;
    while (line < o.lines.size() && LETTERED.matcher(lineText(line)).find()) {
      lettered++;
      line++;
      while (line < o.lines.size() && o.lines.get(line).kind() == Line.Kind.TEXT && !LETTERED.matcher(lineText(line)).find()
          && o.lines.get(line).indent() > 0) {
        line++; // an indented continuation of the lettered item
      }
      after = line;
      while (line < o.lines.size() && o.lines.get(line).isBlank()) {
        line++;
      }
    }
    return lettered >= 2 ? after : -1;
  }

  /** A lettered item line: "a. ", "b) ", "(c) ". */
  private static final Pattern LETTERED = Pattern.compile("^\\s*\\(?[a-h][.)]\\s+\\S");

  private String lineText(int line) {
    return o.text.substring(o.startOffset(line), o.endOffset(line + 1));
  }

  /**
   * A list introduced by the last step of a numbered list ("2. Add the appropriate ending based on
   * the subject pronoun:", then "- ich: add -e"): it belongs to that step, as an indented sub-list
   * would, and is not carved out. A short heading-like item ("3. Key Differences:") does not count.
   */
  private boolean subListOfItem(Outline.ListBlock list) {
    int before = o.trimBlankEnd(0, list.first()) - 1;
    if (before < 0) {
      return false;
    }
    String line = lineText(before).strip();
    if (!line.endsWith(":") || Words.count(line) <= 6) {
      return false;
    }
    for (Outline.ListBlock other : o.lists) {
      if (other != list && other.end() == before + 1 && other.kind() == Outline.ListKind.NUMBERED
          && other.items().size() >= 2) {
        return true;
      }
    }
    return false;
  }

  /** A run of spans by its first line, its size and its end: what the memo keys decisions by. */
  private static String key(List<int[]> spans) {
    return spans.get(0)[0] + ":" + spans.size() + ":" + spans.get(spans.size() - 1)[1];
  }

  /**
   * Runs the independence heuristic, dropping a premise first item or a closing last item when it
   * asks to; returns the kept range [from, to) of the spans, or null when no group remains.
   */
  private int[] accept(List<int[]> spans) {
    String key = key(spans);
    if (memo.kept.containsKey(key)) {
      return memo.kept.get(key);
    }
    int[] kept = decideIndependence(spans);
    memo.kept.put(key, kept);
    return kept;
  }

  private int[] decideIndependence(List<int[]> spans) {
    int from = 0;
    int to = spans.size();
    for (int attempt = 0; attempt < 3 && to - from >= 2; attempt++) {
      List<String> texts = new ArrayList<>();
      for (int i = from; i < to; i++) {
        texts.add(o.text.substring(o.startOffset(spans.get(i)[0]), o.endOffset(spans.get(i)[1])));
      }
      int start = o.startOffset(spans.get(from)[0]);
      int end = o.endOffset(spans.get(to - 1)[1]);
      // The heuristic reads only the last part of the text before a group and the start of the text after it.
      IndependenceHeuristic.Assessment a = IndependenceHeuristic.assess(texts,
          o.text.substring(Math.max(0, start - CONTEXT_CHARS), start),
          o.text.substring(end, Math.min(o.text.length(), end + CONTEXT_CHARS)), question);
      if (a.independent()) {
        return new int[] {from, to};
      }
      if (!a.dropFirst() && !a.dropLast()) {
        if (a.ordered()) {
          memo.ordered.add(key(spans));
        }
        return null;
      }
      if (a.dropLast() && to < spans.size()) {
        return new int[] {from, to}; // one closing item at most: the items before it are no closing too
      }
      // A premise may have one of its own: with "Delayed European Colonization" left serial, "Different
      // Colonial Powers" is the premise of what follows (gold Q59), and the group starts after it.
      from += a.dropFirst() ? 1 : 0;
      to -= a.dropLast() ? 1 : 0;
    }
    return null;
  }

  /** Whether a section's span past its heading holds nothing but list items, most of them bare labels. */
  private boolean onlyBareItems(int[] span) {
    int top = Integer.MAX_VALUE;
    for (int i = span[0] + 1; i < span[1]; i++) {
      Line l = o.lines.get(i);
      if (!l.isBlank() && !l.isItem()) {
        return false;
      }
      top = l.isItem() ? Math.min(top, l.indent()) : top;
    }
    // A top-level item with the items nested below it ("Shurijo Castle" over its details, a question
    // over its options) is one point; bare when all of it is a few words.
    List<Integer> tops = new ArrayList<>();
    for (int i = span[0] + 1; i < span[1]; i++) {
      if (o.lines.get(i).isItem() && o.lines.get(i).indent() == top) {
        tops.add(i);
      }
    }
    int bare = 0;
    for (int k = 0; k < tops.size(); k++) {
      int end = k + 1 < tops.size() ? tops.get(k + 1) : span[1];
      Line first = o.lines.get(tops.get(k));
      bare += Words.count(o.text, first.textStart(), o.endOffset(end)) < Substance.MIN_ITEM_WORDS ? 1 : 0;
    }
    return !tops.isEmpty() && bare * 2 > tops.size();
  }

  private boolean hasGroupableList(int section) {
    Outline.Section s = o.sections.get(section);
    for (Outline.ListBlock list : o.listsBetween(s.heading() + 1, s.end())) {
      if (list.depth() == 0 && list.items().size() >= 2
          && Words.count(o.text, o.startOffset(list.first()), o.endOffset(list.end())) >= Substance.MIN_LIST_WORDS) {
        return true;
      }
    }
    return false;
  }

  /** Same kind of first structural block in every section body: all lists of one kind, or all prose. */
  private boolean homogeneous(List<Integer> run) {
    String kind = null;
    for (int s : run) {
      String k = bodyKind(o.sections.get(s));
      if (kind != null && !kind.equals(k)) {
        return false;
      }
      kind = k;
    }
    return true;
  }

  private String bodyKind(Outline.Section s) {
    for (int i = s.heading() + 1; i < s.end(); i++) {
      Line l = o.lines.get(i);
      if (l.isItem()) {
        return l.ordered() ? "numbered" : "bulleted";
      }
      if (l.isHeading()) {
        return "heading";
      }
      if (l.kind() == Line.Kind.CODE || l.kind() == Line.Kind.TABLE) {
        return l.kind().name();
      }
    }
    return "prose";
  }

  private boolean sharedHeadingWord(List<Integer> run) {
    Set<String> shared = null;
    for (int s : run) {
      Set<String> stems = new HashSet<>(Words.contentStems(o.headingLabel(o.sections.get(s)), 200));
      if (shared == null) {
        shared = stems;
      } else {
        shared.retainAll(stems);
      }
    }
    return shared != null && !shared.isEmpty();
  }

  /**
   * Whether a numbered list may walk through the answer's code: code comes before it, or later in its
   * own section (the plan of a block below it). A list in a section of its own before any code ("key
   * genes" above "Python code examples") explains no code, unless its items are steps (see
   * {@link #mostlyImperative}).
   */
  private boolean nearCode(Outline.ListBlock list) {
    int section = o.sectionOf(list.first());
    for (int i = 0; i < o.lines.size(); i++) {
      if (o.lines.get(i).kind() == Line.Kind.CODE && (i < list.first() || o.sectionOf(i) == section)) {
        return true;
      }
    }
    return false;
  }

  /** Whether most items open on a verb, as steps do: "**Open Command Prompt as Administrator**", "Run chkdsk". */
  private boolean mostlyImperative(Outline.ListBlock list) {
    int verbs = 0;
    for (Outline.Item item : list.items()) {
      String lead = SequenceCues.lead(o.text.substring(o.startOffset(item.first()), o.endOffset(item.end())));
      List<String> words = new ArrayList<>();
      for (String w : lead.split("\\s+")) {
        String letters = w.replaceAll("[^\\p{L}'-]", "");
        if (!letters.isEmpty()) {
          words.add(letters);
        }
        if (words.size() == 4) {
          break;
        }
      }
      verbs += words.size() >= 2 && !words.get(0).endsWith("ing") && PartsOfSpeech.tag(words).get(0).equals("VERB") ? 1 : 0;
    }
    return verbs * 2 > list.items().size();
  }

  private static boolean codeComponents(List<String> labels) {
    int named = 0;
    for (String label : labels) {
      if (label != null && (CODE_COMPONENT.matcher(label).find() || IDENTIFIER.matcher(label).find()
          || LEADING_OPERATOR.matcher(label).find())) {
        named++;
      }
    }
    return named * 2 > labels.size();
  }
}
