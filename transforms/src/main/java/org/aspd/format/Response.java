package org.aspd.format;

import java.io.Serializable;
import java.util.ArrayList;
import java.util.List;

/**
 * The one model of an assistant response: serial segments and parallel groups, in order.
 *
 * <p>Both codecs ({@link AnnotationCodec} for the rewriter's tags, {@link AspdText} for the six-token
 * training format) read and write this model, so a structure never depends on which format it came
 * from.
 */
public record Response(List<Item> items) implements Serializable {
  public Response {
    items = List.copyOf(items);
  }

  public static Response serial(String text) {
    return new Response(text.isEmpty() ? List.of() : List.of(new SerialText(text)));
  }

  /** The text with all structure removed: serial texts and branch contents in order. */
  public String plainText() {
    StringBuilder out = new StringBuilder();
    for (Item item : items) {
      if (item instanceof SerialText s) {
        out.append(s.text());
      } else if (item instanceof Group g) {
        for (Branch b : g.branches()) {
          out.append(b.content());
        }
      }
    }
    return out.toString();
  }

  public List<Group> groups() {
    List<Group> groups = new ArrayList<>();
    for (Item item : items) {
      if (item instanceof Group g) {
        groups.add(g);
      }
    }
    return groups;
  }

  public boolean isParallel() {
    return items.stream().anyMatch(i -> i instanceof Group);
  }

  /**
   * Turns group {@code groupIndex} (0-based among groups) into serial text, keeping its source text,
   * and merges it with neighbouring serial text.
   */
  public Response demoteGroup(int groupIndex) {
    List<Item> out = new ArrayList<>();
    int seen = 0;
    for (Item item : items) {
      if (item instanceof Group g && seen++ == groupIndex) {
        StringBuilder text = new StringBuilder();
        g.branches().forEach(b -> text.append(b.content()));
        out.add(new SerialText(text.toString()));
      } else {
        out.add(item);
      }
    }
    return new Response(out).normalized();
  }

  /**
   * Canonical form: adjacent serial texts merged, empty serial texts removed, groups of fewer than
   * two branches demoted, and a group that directly follows another group (no serial text between)
   * demoted (method §2 step 6).
   */
  public Response normalized() {
    List<Item> out = new ArrayList<>();
    for (Item item : items) {
      Item current = item;
      if (current instanceof Group g) {
        boolean tooSmall = g.size() < 2;
        boolean adjacent = !out.isEmpty() && out.get(out.size() - 1) instanceof Group;
        if (tooSmall || adjacent) {
          StringBuilder text = new StringBuilder();
          g.branches().forEach(b -> text.append(b.content()));
          current = new SerialText(text.toString());
        }
      }
      if (current instanceof SerialText s) {
        if (s.text().isEmpty()) {
          continue;
        }
        if (!out.isEmpty() && out.get(out.size() - 1) instanceof SerialText prev) {
          out.set(out.size() - 1, new SerialText(prev.text() + s.text()));
          continue;
        }
      }
      out.add(current);
    }
    return new Response(out);
  }
}
