package org.aspd.pipeline.cli;

import java.util.List;

/**
 * Checks the options {@code aspd run} hands to Beam unread. Beam takes {@code --name=value} only, so
 * a mistyped option of ours with its value apart ({@code --limt 3}) used to surface as "Argument '3'
 * does not begin with '--'", and a mistyped {@code --outptu DIR} as a missing --output.
 */
final class PassThrough {
  private PassThrough() {}

  /**
   * What is wrong, in one line, or null; {@code own} are the options of {@code aspd run} itself,
   * suggested when a pass-through one is close to one of them.
   */
  static String problem(List<String> args, boolean outputMissing, java.util.Collection<String> own) {
    for (int i = 0; i < args.size(); i++) {
      String arg = args.get(i);
      if (!arg.startsWith("--")) {
        String before = i > 0 ? args.get(i - 1) : null;
        return before != null && before.startsWith("--") && !before.contains("=")
            ? "unknown option '" + before + "'" + suggestion(before, own) + " (pipeline options are given as --name=value;"
                + " aspd run --help-options lists them)"
            : "'" + arg + "' is not an option or a value of one";
      }
    }
    if (outputMissing) {
      for (String arg : args) {
        String name = arg.contains("=") ? arg.substring(0, arg.indexOf('=')) : arg;
        String suggestion = suggestion(name, own);
        if (suggestion.contains("--output")) {
          return "unknown option '" + name + "'" + suggestion + "; --output DIR is required";
        }
      }
      return "missing required option --output DIR";
    }
    return null;
  }

  /**
   * picocli's multi-value --input takes what follows it, options included: "--input a --jobName b"
   * would read b as a second input. What is wrong in one line, or null.
   */
  static String valueApartAmongInputs(List<String> inputs) {
    for (int i = 0; i + 1 < inputs.size(); i++) {
      if (inputs.get(i).startsWith("--") && !inputs.get(i).contains("=") && !inputs.get(i + 1).startsWith("--")) {
        return "'" + inputs.get(i) + " " + inputs.get(i + 1) + "' after --input: pipeline options are given as"
            + " --name=value (aspd run --help-options lists them)";
      }
    }
    return null;
  }

  /** "; did you mean --limit?" for the option of ours nearest to a name, one or two edits away, else "". */
  private static String suggestion(String name, java.util.Collection<String> own) {
    String nearest = null;
    int best = 3;
    for (String option : own) {
      int d = distance(option, name);
      if (d > 0 && d < best) {
        nearest = option;
        best = d;
      }
    }
    return nearest == null ? "" : "; did you mean " + nearest + "?";
  }

  private static int distance(String a, String b) {
    int[] prev = new int[b.length() + 1];
    int[] cur = new int[b.length() + 1];
    for (int j = 0; j <= b.length(); j++) prev[j] = j;
    for (int i = 1; i <= a.length(); i++) {
      cur[0] = i;
      for (int j = 1; j <= b.length(); j++) {
        cur[j] = Math.min(Math.min(cur[j - 1], prev[j]) + 1, prev[j - 1] + (a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1));
      }
      int[] t = prev;
      prev = cur;
      cur = t;
    }
    return prev[b.length()];
  }
}
