package org.aspd.teacher.rules;

import java.util.ArrayList;
import java.util.List;
import org.aspd.format.Branch;
import org.aspd.format.Group;
import org.aspd.format.Item;
import org.aspd.format.Response;
import org.aspd.format.SerialText;

/**
 * Turns planned groups into a {@link Response} whose plain text is the answer byte for byte:
 * serial text between groups, branch contents as exact spans (each ending with the whitespace that
 * follows it), lists of more than ten items merged into pairs with one final triple, and titles
 * from {@link TitleMaker}. A group that would break a structure rule stays serial.
 */
final class ResponseBuilder {
  static final int MAX_BRANCHES = 10;
  static final int MIN_CONTENT_CHARS = 10;

  private ResponseBuilder() {}

  static Response build(Outline o, List<GroupPlanner.Planned> plan) {
    String text = o.text;
    List<Item> items = new ArrayList<>();
    int cursor = 0;
    boolean afterGroup = false;
    for (GroupPlanner.Planned g : plan) {
      List<int[]> spans = merge(g.branches());
      int start = o.startOffset(spans.get(0)[0]);
      if (start < cursor) {
        continue;
      }
      String serial = text.substring(cursor, start);
      if (afterGroup && serial.isBlank()) {
        continue; // two groups need serial text between them
      }
      List<String> titles = titles(o, g, spans);
      List<Branch> branches = new ArrayList<>();
      int end = start;
      for (int i = 0; i < spans.size(); i++) {
        int from = o.startOffset(spans.get(i)[0]);
        int to = i + 1 < spans.size() ? o.startOffset(spans.get(i + 1)[0]) : skipWhitespace(text,
            o.endOffset(spans.get(i)[1]));
        branches.add(new Branch(titles.get(i), text.substring(from, to)));
        end = to;
      }
      if (!StructureRules.groupProblems(branches).isEmpty()) {
        continue;
      }
      if (!serial.isEmpty()) {
        items.add(new SerialText(serial));
      }
      items.add(new Group(branches));
      cursor = end;
      afterGroup = true;
    }
    if (cursor < text.length()) {
      items.add(new SerialText(text.substring(cursor)));
    }
    return new Response(items).normalized();
  }

  /** Neighbouring spans merged into pairs, the last three together when the count is odd. */
  static List<int[]> merge(List<int[]> spans) {
    if (spans.size() <= MAX_BRANCHES) {
      return spans;
    }
    List<int[]> out = new ArrayList<>();
    int n = spans.size();
    int i = 0;
    while (i < n) {
      int size = n - i == 3 ? 3 : 2;
      out.add(new int[] {spans.get(i)[0], spans.get(Math.min(n, i + size) - 1)[1], i, Math.min(n, i + size)});
      i += size;
    }
    while (out.size() > MAX_BRANCHES) {
      // More than 21 items: fold the two smallest neighbours until ten remain.
      int[] a = out.remove(out.size() - 2);
      int[] b = out.remove(out.size() - 1);
      out.add(new int[] {a[0], b[1], a[2], b[3]});
    }
    return out;
  }

  private static List<String> titles(Outline o, GroupPlanner.Planned g, List<int[]> spans) {
    List<String> items = new ArrayList<>();
    List<String> bodies = new ArrayList<>();
    for (int i = 0; i < g.branches().size(); i++) {
      int[] span = g.branches().get(i);
      String body = BranchView.of(o.text.substring(o.startOffset(span[0]), o.endOffset(span[1]))).body();
      String label = g.labels().get(i);
      items.add(TitleMaker.fromItem(label, label != null ? "" : body));
      bodies.add(body);
    }
    items = TitleMaker.distinct(items, g.labels(), bodies);
    List<String> raw = new ArrayList<>();
    boolean merged = spans.size() != g.branches().size();
    java.util.Set<String> common = merged ? TitleMaker.commonWords(items) : java.util.Set.of();
    for (int k = 0; k < spans.size(); k++) {
      raw.add(merged ? TitleMaker.merged(items.subList(spans.get(k)[2], spans.get(k)[3]), common) : items.get(k));
    }
    return TitleMaker.unique(raw);
  }

  private static int skipWhitespace(String s, int p) {
    while (p < s.length() && Character.isWhitespace(s.charAt(p))) {
      p++;
    }
    return p;
  }
}
