package org.aspd.stages;

import java.util.HashSet;
import java.util.Locale;
import java.util.Set;
import org.aspd.format.Branch;
import org.aspd.format.Group;
import org.aspd.format.Response;
import org.aspd.tokens.AspdTokenizer;

/**
 * The deterministic structure gate of stage 1 (method §3): a group that breaks a rule is demoted
 * to serial text; a group with more than {@code maxBranches} branches fails the whole candidate
 * (merging is the rewriter's job, method §10).
 */
final class StructureGate {
  private StructureGate() {}

  /** The gated response; throws when the candidate fails as a whole. */
  static Response apply(Response response, StageConfig config, AspdTokenizer tok) throws GateFailure {
    Response current = response;
    for (int g = current.groups().size() - 1; g >= 0; g--) {
      Group group = current.groups().get(g);
      if (group.size() > config.maxBranches()) {
        throw new GateFailure("structure:too_many_branches",
            "group " + g + " has " + group.size() + " branches (max " + config.maxBranches() + ")");
      }
      if (violation(group, config, tok) != null) {
        current = current.demoteGroup(g);
      }
    }
    return current;
  }

  /** The first rule a group breaks, or null. */
  static String violation(Group group, StageConfig config, AspdTokenizer tok) {
    if (group.size() < 2) {
      return "fewer than 2 branches";
    }
    Set<String> titles = new HashSet<>();
    for (Branch b : group.branches()) {
      String title = b.title();
      String content = b.content().strip();
      if (title.isEmpty()) {
        return "empty title";
      }
      if (title.contains("\n") || title.contains("\r")) {
        return "multi-line title";
      }
      if (title.contains("<|")) {
        return "reserved text in a title";
      }
      if (!titles.add(title.toLowerCase(Locale.ROOT))) {
        return "duplicate title '" + title + "'";
      }
      if (tok.countText(title) > config.titleMaxTokens()) {
        return "title longer than " + config.titleMaxTokens() + " tokens";
      }
      if (content.length() < config.minContentChars() || content.length() <= title.length()) {
        return "branch '" + title + "' too short for its title";
      }
    }
    return null;
  }

  static final class GateFailure extends Exception {
    private final String code;

    GateFailure(String code, String message) {
      super(message);
      this.code = code;
    }

    String code() {
      return code;
    }
  }
}
