package org.aspd.stages;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.aspd.model.Sample;
import org.aspd.teacher.IndependenceQuery;
import org.aspd.teacher.Teacher;
import org.aspd.teacher.TeacherException;
import org.aspd.teacher.TeacherFactory;
import org.aspd.teacher.Verdict;

/**
 * A teacher whose answers are scripted per sample id: rewrites as given, independence failing
 * for groups whose first branch title is listed, and an error for ids listed as failing.
 */
final class ScriptedTeacher implements Teacher {
  record Script(Map<String, List<String>> rewrites, List<String> dependentTitles, List<String> failingIds,
      boolean deterministic, int concurrency) implements TeacherFactory {
    Script(Map<String, List<String>> rewrites, List<String> dependentTitles, List<String> failingIds,
        boolean deterministic) {
      this(rewrites, dependentTitles, failingIds, deterministic, 1);
    }

    @Override
    public Teacher create() {
      return new ScriptedTeacher(this);
    }

    @Override
    public String name() {
      return "scripted";
    }
  }

  private final Script script;

  private ScriptedTeacher(Script script) {
    this.script = script;
  }

  @Override
  public String name() {
    return "scripted";
  }

  @Override
  public String version() {
    return "test-1";
  }

  @Override
  public boolean deterministic() {
    return script.deterministic();
  }

  @Override
  public int maxConcurrency() {
    return script.concurrency();
  }

  @Override
  public List<String> rewrite(Sample sample, String escapedAnswer, int candidates) throws TeacherException {
    if (script.failingIds().contains(sample.id())) {
      throw new TeacherException("scripted failure for " + sample.id());
    }
    return new ArrayList<>(script.rewrites().getOrDefault(sample.id(), List.of()));
  }

  @Override
  public Verdict judgeIndependence(IndependenceQuery query, int vote) {
    String first = query.group().branches().get(0).title();
    return script.dependentTitles().contains(first) ? Verdict.fail("scripted dependency on " + first)
        : Verdict.pass("scripted independent");
  }

  @Override
  public Verdict judgeFormat(Sample sample, String rewritten, int vote) {
    return rewritten.equals(sample.answer()) ? Verdict.pass("same text") : Verdict.fail("text differs");
  }

  @Override
  public Verdict judgeAnswer(Sample sample, String rewritten, int vote) {
    return judgeFormat(sample, rewritten, vote);
  }
}
