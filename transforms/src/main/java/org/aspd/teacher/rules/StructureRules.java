package org.aspd.teacher.rules;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import org.aspd.format.Branch;
import org.aspd.format.Group;
import org.aspd.format.Item;
import org.aspd.format.Response;
import org.aspd.format.SerialText;

/**
 * The deterministic structure gate (method §3 stage 1): 2 to 10 branches per group, short
 * single-line titles without reserved text, unique case-insensitively, content of at least 10
 * characters and longer than its title, and serial text between any two groups.
 */
public final class StructureRules {
  private StructureRules() {}

  /** Every violation in a response; empty when it satisfies the rules. */
  public static List<String> problems(Response response) {
    List<String> out = new ArrayList<>();
    boolean groupThenBlank = false;
    int index = 0;
    for (Item item : response.items()) {
      if (item instanceof Group g) {
        index++;
        if (groupThenBlank) {
          out.add("group " + index + " follows another group without serial text");
        }
        for (String p : groupProblems(g.branches())) {
          out.add("group " + index + ": " + p);
        }
        groupThenBlank = true;
      } else if (item instanceof SerialText s && !s.text().isBlank()) {
        groupThenBlank = false;
      }
    }
    return out;
  }

  /** Violations within one group. */
  public static List<String> groupProblems(List<Branch> branches) {
    List<String> out = new ArrayList<>();
    if (branches.size() < 2 || branches.size() > ResponseBuilder.MAX_BRANCHES) {
      out.add(branches.size() + " branches (need 2-" + ResponseBuilder.MAX_BRANCHES + ")");
    }
    Set<String> seen = new HashSet<>();
    for (Branch b : branches) {
      String title = b.title();
      if (!TitleMaker.fits(title)) {
        out.add("title '" + title + "' is empty, too long, multi-line or holds reserved text");
      }
      if (!seen.add(title.toLowerCase(Locale.ROOT))) {
        out.add("title '" + title + "' repeats");
      }
      String content = b.content().strip();
      if (content.length() < ResponseBuilder.MIN_CONTENT_CHARS || content.length() <= title.length()) {
        out.add("branch '" + title + "' is too short for its title");
      }
    }
    return out;
  }
}
