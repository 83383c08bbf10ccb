package org.aspd.format;

import java.util.ArrayList;
import java.util.List;

/**
 * Exact integrity (method §3 stage 1, "Ours"): proves that a parsed rewrite is the source text with
 * only whitespace moved at branch and group boundaries, and re-derives that whitespace from the
 * source (method §2 step 4): the whitespace run after a branch's content belongs to that branch, so
 * the aligned response's {@link Response#plainText()} equals the source byte for byte.
 */
public final class SourceAligner {
  private SourceAligner() {}

  public static Response align(List<Item> scanned, String source) throws AnnotationException {
    List<Item> out = new ArrayList<>();
    // The piece that receives whitespace found in the source before the next piece.
    StringBuilder pendingSerial = new StringBuilder();
    List<Branch> openGroup = null;
    int pos = 0;
    for (Item item : scanned) {
      if (item instanceof SerialText s) {
        String core = s.text().strip();
        if (core.isEmpty()) {
          continue;
        }
        int start = skipWhitespace(source, pos);
        String gap = source.substring(pos, start);
        if (openGroup != null) {
          appendToLastBranch(openGroup, gap);
          out.add(new Group(openGroup));
          openGroup = null;
        } else {
          pendingSerial.append(gap);
        }
        pos = expect(source, start, core);
        pendingSerial.append(core);
      } else if (item instanceof Group g) {
        List<Branch> previous = openGroup;
        openGroup = new ArrayList<>();
        for (Branch b : g.branches()) {
          String core = b.content().strip();
          int start = skipWhitespace(source, pos);
          String gap = source.substring(pos, start);
          if (openGroup.isEmpty() && previous != null) {
            // Two groups with only whitespace between them: the whitespace goes to the earlier
            // group's last branch; normalized() below demotes the later group (method §2 step 6).
            appendToLastBranch(previous, gap);
            out.add(new Group(previous));
          } else if (openGroup.isEmpty()) {
            pendingSerial.append(gap);
            if (!pendingSerial.isEmpty()) {
              out.add(new SerialText(pendingSerial.toString()));
              pendingSerial.setLength(0);
            }
          } else {
            appendToLastBranch(openGroup, gap);
          }
          pos = expect(source, start, core);
          openGroup.add(new Branch(b.title(), core));
        }
      }
    }
    String tail = source.substring(pos);
    if (!tail.isBlank()) {
      throw new AnnotationException("text_dropped",
          "the rewrite drops source text at offset " + pos + ": " + quote(tail));
    }
    if (openGroup != null) {
      appendToLastBranch(openGroup, tail);
      out.add(new Group(openGroup));
    } else {
      pendingSerial.append(tail);
    }
    if (!pendingSerial.isEmpty()) {
      out.add(new SerialText(pendingSerial.toString()));
    }
    Response aligned = new Response(out).normalized();
    if (!aligned.plainText().equals(source)) {
      // Cannot happen if the loop above is right; checked because integrity is the whole point.
      throw new IllegalStateException("alignment lost text");
    }
    return aligned;
  }

  private static int expect(String source, int start, String core) throws AnnotationException {
    if (!source.startsWith(core, start)) {
      int diff = firstDifference(source, start, core);
      throw new AnnotationException("text_changed", "the rewrite changes the source at offset "
          + (start + diff) + ": source " + quote(source.substring(start + diff))
          + ", rewrite " + quote(core.substring(Math.min(diff, core.length()))));
    }
    return start + core.length();
  }

  private static void appendToLastBranch(List<Branch> group, String gap) {
    Branch last = group.get(group.size() - 1);
    group.set(group.size() - 1, new Branch(last.title(), last.content() + gap));
  }

  private static int skipWhitespace(String s, int p) {
    while (p < s.length() && Character.isWhitespace(s.charAt(p))) {
      p++;
    }
    return p;
  }

  private static int firstDifference(String source, int start, String core) {
    int i = 0;
    while (i < core.length() && start + i < source.length() && source.charAt(start + i) == core.charAt(i)) {
      i++;
    }
    return i;
  }

  private static String quote(String s) {
    String cut = s.length() > 40 ? s.substring(0, 40) + "…" : s;
    return "'" + cut.replace("\n", "\\n") + "'";
  }
}
