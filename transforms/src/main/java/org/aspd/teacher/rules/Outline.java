package org.aspd.teacher.rules;

import java.util.ArrayList;
import java.util.List;

/**
 * The sibling structure of an answer: headed sections (with their nesting) and lists (numbered,
 * bulleted, and runs of bold-lead paragraphs), nested lists included. Everything is kept as line
 * ranges over {@link MarkdownLines}, so spans are exact source offsets.
 */
final class Outline {
  /** A heading and everything up to the next heading of the same or a higher level. */
  record Section(int heading, int level, int end, int parent) {}

  /** One item of a list: lines [first, end), trailing blank lines excluded. */
  record Item(int first, int end) {}

  enum ListKind { NUMBERED, BULLETED, BOLD_LEAD, ORDINAL }

  /** Sibling items; {@code depth} 0 for a list that is not inside another list's item. */
  record ListBlock(ListKind kind, List<Item> items, int depth) {
    int first() {
      return items.get(0).first();
    }

    int end() {
      return items.get(items.size() - 1).end();
    }
  }

  final String text;
  final List<Line> lines;
  final List<Section> sections = new ArrayList<>();
  final List<ListBlock> lists = new ArrayList<>();
  /** Bold heading lines read as text because they repeat (see {@link #demoteNonHeadings}), with their level. */
  final java.util.Map<Integer, Integer> repeated = new java.util.HashMap<>();

  private Outline(String text) {
    this.text = text;
    this.lines = MarkdownLines.split(text);
  }

  /** Innermost section whose body holds each line, or -1. */
  private int[] sectionOfLine;
  /** Child sections of each section; key -1 for the top level. */
  private final java.util.Map<Integer, List<Integer>> children = new java.util.HashMap<>();
  /** Lists sorted by first line, for range queries. */
  private List<ListBlock> sortedLists;
  private int[] sortedFirsts;

  static Outline of(String text) {
    Outline o = new Outline(text);
    o.findSections();
    o.findLists(0, o.lines.size(), 0);
    o.findBoldLeadRuns();
    o.findOrdinalRuns();
    o.index();
    return o;
  }

  private void index() {
    sectionOfLine = new int[lines.size()];
    java.util.Arrays.fill(sectionOfLine, -1);
    for (int i = 0; i < sections.size(); i++) {
      Section s = sections.get(i);
      children.computeIfAbsent(s.parent(), k -> new ArrayList<>()).add(i);
      int end = s.end();
      for (int j = i + 1; j < sections.size() && sections.get(j).level() > s.level(); j++) {
        end = Math.max(end, sections.get(j).end());
      }
      for (int line = s.heading() + 1; line < end; line++) {
        sectionOfLine[line] = i;
      }
    }
    sortedLists = new ArrayList<>(lists);
    sortedLists.sort(java.util.Comparator.comparingInt(ListBlock::first));
    sortedFirsts = sortedLists.stream().mapToInt(ListBlock::first).toArray();
  }

  List<Integer> children(int parent) {
    return children.getOrDefault(parent, List.of());
  }

  /** Lists whose first line lies in [from, to), in line order. */
  List<ListBlock> listsBetween(int from, int to) {
    int a = lowerBound(from);
    int b = lowerBound(to);
    return sortedLists.subList(a, Math.max(a, b));
  }

  private int lowerBound(int line) {
    int lo = 0;
    int hi = sortedFirsts.length;
    while (lo < hi) {
      int mid = (lo + hi) >>> 1;
      if (sortedFirsts[mid] < line) {
        lo = mid + 1;
      } else {
        hi = mid;
      }
    }
    return lo;
  }

  int startOffset(int line) {
    return lines.get(line).start();
  }

  /** Offset just past the last character of line {@code endLine - 1}. */
  int endOffset(int endLine) {
    return lines.get(endLine - 1).end();
  }

  /** Index of the innermost section whose body holds {@code line}, or -1. */
  int sectionOf(int line) {
    return sectionOfLine[line];
  }

  /** The heading line's label text: no hashes, emphasis, numbering or trailing colon. */
  String headingLabel(Section s) {
    Line l = lines.get(s.heading());
    return Labels.clean(text.substring(l.textStart(), l.end()));
  }

  /**
   * Bold lines that repeat (speaker labels such as {@code **Narrator:**}) or are bracketed stage
   * directions ({@code **[Visual: ...]**}) are text, not headings; bracketed scene or part markers
   * stay headings.
   */
  private void demoteNonHeadings() {
    java.util.Map<String, Integer> counts = new java.util.HashMap<>();
    for (Line l : lines) {
      if (l.isHeading() && l.level() >= 7) {
        counts.merge(Labels.clean(text.substring(l.textStart(), l.end())).toLowerCase(java.util.Locale.ROOT), 1,
            Integer::sum);
      }
    }
    for (int i = 0; i < lines.size(); i++) {
      Line l = lines.get(i);
      if (!l.isHeading() || l.level() < 7) {
        continue;
      }
      String raw = text.substring(l.textStart(), l.end());
      String label = Labels.clean(raw).toLowerCase(java.util.Locale.ROOT);
      int bracket = raw.indexOf("**[");
      boolean bracketed = bracket >= 0 && bracket < 6 && !STRUCTURAL.matcher(label).find();
      if (counts.getOrDefault(label, 0) > 1 || bracketed) {
        lines.set(i, new Line(l.start(), l.end(), l.indent(), Line.Kind.TEXT, 0, false, l.textStart()));
        if (!bracketed) {
          repeated.put(i, l.level());
        }
      }
    }
  }

  private static final java.util.regex.Pattern STRUCTURAL =
      java.util.regex.Pattern.compile("\\b(scene|part|act|chapter|segment|section|round)\\b");

  private void findSections() {
    demoteNonHeadings();
    List<Integer> stack = new ArrayList<>();
    for (int i = 0; i < lines.size(); i++) {
      Line l = lines.get(i);
      if (!l.isHeading()) {
        continue;
      }
      while (!stack.isEmpty() && sections.get(stack.get(stack.size() - 1)).level() >= l.level()) {
        stack.remove(stack.size() - 1);
      }
      int parent = stack.isEmpty() ? -1 : stack.get(stack.size() - 1);
      sections.add(new Section(i, l.level(), -1, parent));
      stack.add(sections.size() - 1);
    }
    for (int k = 0; k < sections.size(); k++) {
      Section s = sections.get(k);
      int end = lines.size();
      for (int j = k + 1; j < sections.size(); j++) {
        if (sections.get(j).level() <= s.level()) {
          end = sections.get(j).heading();
          break;
        }
      }
      sections.set(k, new Section(s.heading(), s.level(), trimBlankEnd(s.heading() + 1, end), s.parent()));
    }
  }

  int trimBlankEnd(int from, int end) {
    while (end > from && lines.get(end - 1).isBlank()) {
      end--;
    }
    return end;
  }

  private void findLists(int from, int to, int depth) {
    int i = from;
    while (i < to) {
      Line l = lines.get(i);
      if (!l.isItem()) {
        i++;
        continue;
      }
      List<Item> items = new ArrayList<>();
      int indent = l.indent();
      boolean ordered = l.ordered();
      int current = i;
      int lastText = i;
      int j = i + 1;
      while (j < to) {
        Line m = lines.get(j);
        if (m.isBlank()) {
          j++;
        } else if (m.isItem() && Math.abs(m.indent() - indent) <= 1 && m.ordered() == ordered) {
          items.add(new Item(current, lastText + 1));
          current = j;
          lastText = j++;
        } else if (m.indent() > indent + 1 && !m.isHeading()
            || m.kind() == Line.Kind.TEXT && !lines.get(j - 1).isBlank()
            || continuesAfter(j, to, indent, ordered)) {
          lastText = j++;
        } else {
          break;
        }
      }
      items.add(new Item(current, lastText + 1));
      ListKind kind = ordered ? ListKind.NUMBERED : ListKind.BULLETED;
      lists.add(new ListBlock(kind, List.copyOf(items), depth));
      for (Item item : items) {
        findLists(item.first() + 1, item.end(), depth + 1);
      }
      i = Math.max(j, i + 1);
    }
  }

  /**
   * True when line {@code j} (code, math, or bullets under a numbered list, at the list's own
   * indent) is followed by another item of the same list: then it belongs to the current item.
   */
  private boolean continuesAfter(int j, int to, int indent, boolean ordered) {
    Line m = lines.get(j);
    boolean candidate = m.kind() == Line.Kind.CODE || m.kind() == Line.Kind.MATH
        || ordered && m.isItem() && !m.ordered();
    if (!candidate) {
      return false;
    }
    for (int k = j + 1; k < to && k < j + 400; k++) {
      Line x = lines.get(k);
      if (x.isItem() && Math.abs(x.indent() - indent) <= 1 && x.ordered() == ordered) {
        return true;
      }
      boolean allowed = x.isBlank() || x.kind() == Line.Kind.CODE || x.kind() == Line.Kind.MATH
          || x.indent() > indent + 1 || x.isItem() && !x.ordered();
      if (!allowed) {
        return false;
      }
    }
    return false;
  }

  /** Runs of top-level paragraphs that each open with a bold label: {@code **Label:** text}. */
  private void findBoldLeadRuns() {
    java.util.Map<String, Integer> speakers = new java.util.HashMap<>();
    for (int i = 0; i < lines.size(); i++) {
      Line l = lines.get(i);
      String lead = l.kind() == Line.Kind.TEXT && l.indent() == 0 ? Labels.boldLead(text, l.textStart(), l.end()) : null;
      if (lead != null) {
        speakers.merge(lead.toLowerCase(java.util.Locale.ROOT), 1, Integer::sum);
      }
    }
    List<Item> run = new ArrayList<>();
    int i = 0;
    while (i < lines.size()) {
      Line l = lines.get(i);
      boolean paragraphStart = l.kind() == Line.Kind.TEXT && l.indent() == 0
          && (i == 0 || lines.get(i - 1).isBlank() || lines.get(i - 1).isHeading());
      if (!paragraphStart) {
        if (!l.isBlank()) {
          flushBoldRun(run);
        }
        i++;
        continue;
      }
      int end = i + 1;
      while (end < lines.size() && lines.get(end).kind() == Line.Kind.TEXT) {
        end++;
      }
      String lead = Labels.boldLead(text, l.textStart(), l.end());
      if (lead != null && speakers.get(lead.toLowerCase(java.util.Locale.ROOT)) == 1) {
        run.add(new Item(i, end));
      } else {
        flushBoldRun(run);
      }
      i = end;
    }
    flushBoldRun(run);
  }

  private void flushBoldRun(List<Item> run) {
    if (run.size() >= 2) {
      lists.add(new ListBlock(ListKind.BOLD_LEAD, List.copyOf(run), 0));
    }
    run.clear();
  }

  /** 1-5 for a line that opens "First," ... "Fifth,", 0 for "Finally,", -1 when it opens on no ordinal. */
  private int ordinalAt(int line) {
    Line l = lines.get(line);
    if (l.kind() != Line.Kind.TEXT || l.indent() != 0) {
      return -1;
    }
    return SequenceCues.ordinalPlace(text.substring(l.textStart(), Math.min(l.end(), l.textStart() + 20)));
  }

  /**
   * Runs of top-level paragraphs that open "First, ...", "Second, ...", ... and perhaps "Finally, ...":
   * siblings a reader sees (gold rule 3). Each item runs to the next ordinal; the last one to the end
   * of its paragraph, or its line when the items are single lines. A heading or a list between two
   * ordinals ends the run.
   */
  private void findOrdinalRuns() {
    java.util.Set<Integer> listed = new java.util.HashSet<>();
    for (ListBlock list : lists) {
      for (Item item : list.items()) {
        for (int line = item.first(); line < item.end(); line++) {
          listed.add(line);
        }
      }
    }
    for (int i = 0; i < lines.size(); i++) {
      if (ordinalAt(i) != 1 || listed.contains(i)) {
        continue;
      }
      List<Integer> starts = new ArrayList<>(List.of(i));
      int expected = 2;
      boolean closed = false;
      for (int j = i + 1; j < lines.size() && !closed; j++) {
        Line l = lines.get(j);
        int ordinal = ordinalAt(j);
        if (ordinal == expected || ordinal == 0 && expected > 2) {
          starts.add(j);
          expected++;
          closed = ordinal == 0;
        } else if (!l.isBlank() && (l.kind() != Line.Kind.TEXT || l.indent() != 0 || listed.contains(j))) {
          break;
        }
      }
      if (starts.size() < 2) {
        continue;
      }
      boolean singleLines = true;
      for (int k = 0; k + 1 < starts.size(); k++) {
        singleLines &= trimBlankEnd(starts.get(k), starts.get(k + 1)) == starts.get(k) + 1;
      }
      int last = starts.get(starts.size() - 1);
      int end = last + 1;
      while (!singleLines && end < lines.size() && lines.get(end).kind() == Line.Kind.TEXT) {
        end++;
      }
      List<Item> items = new ArrayList<>();
      for (int k = 0; k < starts.size(); k++) {
        int to = k + 1 < starts.size() ? trimBlankEnd(starts.get(k), starts.get(k + 1)) : end;
        items.add(new Item(starts.get(k), to));
      }
      lists.add(new ListBlock(ListKind.ORDINAL, List.copyOf(items), 0));
      i = end - 1;
    }
  }
}

