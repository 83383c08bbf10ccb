package org.aspd.teacher.rules;

import java.util.List;
import java.util.regex.Pattern;

/**
 * Whole-answer facts that decide where groups may appear at all: length, code, and whether the
 * answer is a derivation (equations, or a question that asks for step-by-step reasoning).
 *
 * <p>In a derivation everything up to the last equation is one sequential region (method rule 8),
 * and numbered lists stay serial everywhere; only bulleted lists after the result may be grouped.
 */
record AnswerProfile(int words, boolean hasCode, boolean derivation, int derivationEndLine) {
  /** Answers shorter than this stay serial (gold rule 6). */
  static final int MIN_ANSWER_WORDS = 60;

  private static final Pattern STEP_BY_STEP_QUESTION = Pattern.compile(
      "step[- ]by[- ]step|show (?:your|the) (?:work|steps|reasoning)|explain your (?:reasoning|answer)|"
          + "\\bsolve\\b|\\bcalculate\\b|\\bcompute\\b|how many|\\bestimate\\b|\\bprove\\b",
      Pattern.CASE_INSENSITIVE);

  static AnswerProfile of(Outline outline, String question) {
    String text = outline.text;
    List<Line> lines = outline.lines;
    boolean code = false;
    int equations = 0;
    int lastEquation = -1;
    for (int i = 0; i < lines.size(); i++) {
      Line l = lines.get(i);
      if (l.kind() == Line.Kind.CODE) {
        code = true;
      } else if (l.kind() == Line.Kind.MATH || isEquation(text, l.textStart(), l.end())) {
        equations++;
        lastEquation = i;
      }
    }
    boolean stepQuestion = question != null && STEP_BY_STEP_QUESTION.matcher(
        question.length() > 600 ? question.substring(0, 600) : question).find();
    boolean derivation = equations >= 3 || equations >= 1 && stepQuestion || stepQuestion && !code
        && question.toLowerCase(java.util.Locale.ROOT).contains("step");
    int end = !derivation ? -1 : lastEquation >= 0 ? lastEquation : lines.size() - 1;
    return new AnswerProfile(Words.count(text), code, derivation, end);
  }

  /** A short line of working with a comparison of numbers and one-letter variables: "x > 4 - 3", "2y ≤ 10". */
  private static final Pattern INEQUALITY = Pattern.compile(
      "^(?:[\\d\\s.+\\-*/^()]|(?<![A-Za-z])[A-Za-z](?![A-Za-z])){1,20}[<>≤≥]"
          + "(?:[\\d\\s.+\\-*/^()]|(?<![A-Za-z])[A-Za-z](?![A-Za-z])){1,20}$");

  /**
   * A line that computes: an equals sign with digits or variables around it, a multiplication or
   * division of numbers, LaTeX arithmetic, or a short inequality.
   */
  static boolean isEquation(String text, int from, int to) {
    int digits = 0;
    boolean equals = false;
    boolean operator = false;
    int limit = Math.min(to, from + 400);
    for (int i = from; i < limit; i++) {
      char c = text.charAt(i);
      if (Character.isDigit(c)) {
        digits++;
      } else if (c == '=' && i + 1 < limit && text.charAt(i + 1) != '=' && (i == from || text.charAt(i - 1) != '=')
          && (i == from || text.charAt(i - 1) != '!' && text.charAt(i - 1) != '<' && text.charAt(i - 1) != '>')) {
        equals = true;
      } else if (c == '×' || c == '÷' || c == '≈') {
        operator = true;
      } else if (c == '\\' && (text.startsWith("\\frac", i) || text.startsWith("\\times", i)
          || text.startsWith("\\approx", i) || text.startsWith("\\cdot", i))) {
        operator = true;
      }
    }
    return digits >= 2 && (equals || operator)
        || digits > 0 && to - from <= 40 && INEQUALITY.matcher(text.substring(from, to).strip()).matches();
  }

  /** True when line {@code line} lies in the derivation's sequential region. */
  boolean inDerivation(int line) {
    return derivation && line <= derivationEndLine;
  }
}
