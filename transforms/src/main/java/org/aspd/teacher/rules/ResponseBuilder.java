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
    List<Built> built = new ArrayList<>();
    for (GroupPlanner.Planned g : plan) {
      List<int[]> spans = merge(g.branches());
      int start = o.startOffset(spans.get(0)[0]);
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
      if (StructureRules.groupProblems(branches).isEmpty()) {
        built.add(new Built(start, end, branches));
      }
    }
    List<Item> items = new ArrayList<>();
    int cursor = 0;
    for (Built b : heaviestCompatible(text, built)) {
      if (b.start() > cursor) {
        items.add(new SerialText(text.substring(cursor, b.start())));
      }
      items.add(new Group(b.branches()));
      cursor = b.end();
    }
    if (cursor < text.length()) {
      items.add(new SerialText(text.substring(cursor)));
    }
    return new Response(items).normalized();
  }

  /** A planned group laid onto the text: where it starts and ends, and its branches. */
  private record Built(int start, int end, List<Branch> branches) {
    long weight() {
      return branches.stream().mapToLong(b -> b.content().length()).sum();
    }
  }

  /**
   * The groups to keep when some cannot all be: two groups may not overlap and need serial text between
   * them (method §1). Of the sets that obey this, the one with the most text in branches; on a tie,
   * the earlier groups. A quiz section's two-item list no longer shuts out the five sections after it.
   */
  private static List<Built> heaviestCompatible(String text, List<Built> built) {
    // Weighted interval scheduling: group j may come before group i when it ends at or before the
    // last non-blank character ahead of i. Groups are taken in order of their ends, so every group
    // that may precede one is seen before it; a running maximum over those ends gives the best chain.
    int n = built.size();
    Integer[] byEnd = new Integer[n];
    for (int i = 0; i < n; i++) {
      byEnd[i] = i;
    }
    java.util.Arrays.sort(byEnd, java.util.Comparator.comparingInt((Integer i) -> built.get(i).end()).thenComparingInt(i -> i));
    long[] best = new long[n];
    int[] previous = new int[n];
    int[] ends = new int[n];
    long[] runningBest = new long[n];
    int[] runningArg = new int[n];
    for (int k = 0; k < n; k++) {
      int i = byEnd[k];
      Built b = built.get(i);
      int lastInk = b.start() - 1;
      while (lastInk >= 0 && Character.isWhitespace(text.charAt(lastInk))) {
        lastInk--;
      }
      int before = lastBefore(ends, k, lastInk); // the last group seen that ends at or before lastInk
      previous[i] = before < 0 ? -1 : runningArg[before];
      best[i] = b.weight() + (before < 0 ? 0 : runningBest[before]);
      ends[k] = b.end();
      boolean better = k == 0 || best[i] > runningBest[k - 1];
      runningBest[k] = better ? best[i] : runningBest[k - 1];
      runningArg[k] = better ? i : runningArg[k - 1];
    }
    List<Built> chosen = new ArrayList<>();
    for (int i = n == 0 ? -1 : runningArg[n - 1]; i >= 0; i = previous[i]) {
      chosen.add(0, built.get(i));
    }
    return chosen;
  }

  /** The largest k' < k with ends[k'] <= limit, or -1; ends[0..k) ascend. */
  private static int lastBefore(int[] ends, int k, int limit) {
    int lo = 0;
    int hi = k - 1;
    int found = -1;
    while (lo <= hi) {
      int mid = (lo + hi) >>> 1;
      if (ends[mid] <= limit) {
        found = mid;
        lo = mid + 1;
      } else {
        hi = mid - 1;
      }
    }
    return found;
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
