package org.aspd.teacher.rules;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import org.aspd.format.AnnotationCodec;
import org.aspd.format.Branch;
import org.aspd.format.Response;
import org.aspd.format.TagEscaper;
import org.aspd.model.Sample;
import org.aspd.teacher.IndependenceQuery;
import org.aspd.teacher.Teacher;
import org.aspd.teacher.Verdict;

/**
 * The embedded offline teacher: finds sibling structure in an answer (lists, headed sections,
 * bold-lead paragraphs) at more than one granularity, keeps only groups that pass an independence
 * heuristic, and judges integrity exactly. Deterministic, so one call stands for every vote.
 *
 * <p>Candidates, most preferred first: the automatic choice of level ({@link GroupPlanner.Level}),
 * then each section's own lists. Identical candidates are returned once; an empty list means "not
 * parallel".
 */
public final class RulesTeacher implements Teacher {
  public static final String NAME = "rules";
  /** Bump whenever a rewrite or a verdict can change. */
  public static final String VERSION = "rules-10";

  private static final GroupPlanner.Level[] ORDER = {
      GroupPlanner.Level.AUTO, GroupPlanner.Level.LISTS};

  /** Counts a title's tokens the way the structure gate does; null: {@link TitleMaker}'s estimate. */
  private final java.util.function.ToIntFunction<String> titleTokens;

  public RulesTeacher() {
    this(null);
  }

  public RulesTeacher(java.util.function.ToIntFunction<String> titleTokens) {
    this.titleTokens = titleTokens;
  }

  @Override
  public String name() {
    return NAME;
  }

  @Override
  public String version() {
    return VERSION;
  }

  @Override
  public boolean deterministic() {
    return true;
  }

  @Override
  public List<String> rewrite(Sample sample, String escapedAnswer, int candidates) {
    String answer = TagEscaper.unescape(escapedAnswer);
    if (candidates <= 0 || answer.isBlank()) {
      return List.of();
    }
    return TitleMaker.countingWith(titleTokens, () -> plan(sample, answer, candidates));
  }

  private List<String> plan(Sample sample, String answer, int candidates) {
    Outline outline = Outline.of(answer);
    AnswerProfile profile = AnswerProfile.of(outline, sample.question());
    Set<String> out = new LinkedHashSet<>();
    GroupPlanner.Memo memo = new GroupPlanner.Memo();
    for (GroupPlanner.Level level : ORDER) {
      List<GroupPlanner.Planned> plan = GroupPlanner.plan(outline, profile, sample.question(), level, memo);
      if (plan.isEmpty()) {
        continue;
      }
      Response response = ResponseBuilder.build(outline, plan);
      if (!response.isParallel() || !response.plainText().equals(answer)) {
        continue;
      }
      out.add(AnnotationCodec.format(response));
      if (out.size() >= candidates) {
        break;
      }
    }
    return List.copyOf(out);
  }

  @Override
  public Verdict judgeIndependence(IndependenceQuery query, int vote) {
    List<String> contents = new ArrayList<>();
    Set<String> titles = new LinkedHashSet<>();
    for (Branch b : query.group().branches()) {
      contents.add(b.content());
      if (!titles.add(b.title().strip().toLowerCase(Locale.ROOT))) {
        return Verdict.fail("two branches share the title '" + b.title().strip() + "'");
      }
    }
    IndependenceHeuristic.Assessment a = IndependenceHeuristic.assess(contents, query.precondition(),
        query.following(), query.sample().question());
    return a.independent() ? Verdict.pass(a.reason()) : Verdict.fail(a.reason());
  }

  @Override
  public Verdict judgeFormat(Sample sample, String rewritten, int vote) {
    return integrity(sample, rewritten);
  }

  @Override
  public Verdict judgeAnswer(Sample sample, String rewritten, int vote) {
    return integrity(sample, rewritten);
  }

  /**
   * Passes iff the de-tagged rewrite equals the answer once whitespace runs are collapsed. Stage 3
   * hands the judges plain text, so text in it that looks like markup ({@code <|endoftext|>},
   * {@code <branch>}) is the answer's own and is compared as it is.
   */
  static Verdict integrity(Sample sample, String rewritten) {
    String a = collapse(sample.answer());
    String b = collapse(rewritten);
    if (a.equals(b)) {
      return Verdict.pass("the de-tagged rewrite equals the answer up to whitespace");
    }
    int i = 0;
    while (i < a.length() && i < b.length() && a.charAt(i) == b.charAt(i)) {
      i++;
    }
    return Verdict.fail("the de-tagged rewrite differs from the answer at character " + i + " (whitespace collapsed)");
  }

  static String collapse(String s) {
    StringBuilder out = new StringBuilder(s.length());
    boolean space = false;
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      if (Character.isWhitespace(c) || Character.isSpaceChar(c)) {
        space = out.length() > 0;
      } else {
        if (space) {
          out.append(' ');
          space = false;
        }
        out.append(c);
      }
    }
    return out.toString();
  }
}
