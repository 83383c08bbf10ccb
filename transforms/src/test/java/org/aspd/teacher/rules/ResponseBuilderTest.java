package org.aspd.teacher.rules;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.Arrays;
import java.util.List;
import org.aspd.format.Group;
import org.aspd.format.Response;
import org.junit.jupiter.api.Test;

class ResponseBuilderTest {
  private static final String ANSWER = "Here is a short quiz in three parts.\n\n"
      + "- Which function combines two data frames by their columns?\n"
      + "- How do you filter the rows of a data frame by a condition?\n"
      + "### Part One\nHow do you define a function that returns the square of a number?\n"
      + "### Part Two\nWhich package is most often used to draw plots of data frames?\n"
      + "### Part Three\nHow do you fit a linear regression of one column on another?\n";

  @Test
  void ofTwoGroupsWithNoSerialTextBetweenTheOneWithMoreTextIsKept() {
    // gpt-4o #496: a quiz section's two-item list, planned first, shut out the five sections after it.
    Outline o = Outline.of(ANSWER);
    GroupPlanner.Planned list = new GroupPlanner.Planned(spans(2, 3, 3, 4), Arrays.asList(null, null));
    GroupPlanner.Planned sections = new GroupPlanner.Planned(spans(4, 6, 6, 8, 8, 10),
        List.of("Part One", "Part Two", "Part Three"));
    Response r = ResponseBuilder.build(o, List.of(list, sections));
    assertEquals(ANSWER, r.plainText());
    assertEquals(1, r.groups().size());
    Group kept = r.groups().get(0);
    assertEquals(List.of("Part One", "Part Two", "Part Three"), kept.branches().stream().map(b -> b.title()).toList());
  }

  @Test
  void groupsWithSerialTextBetweenAreBothKept() {
    String answer = ANSWER.replace("### Part One", "And now the longer questions.\n### Part One");
    Outline o = Outline.of(answer);
    GroupPlanner.Planned list = new GroupPlanner.Planned(spans(2, 3, 3, 4), Arrays.asList(null, null));
    GroupPlanner.Planned sections = new GroupPlanner.Planned(spans(5, 7, 7, 9, 9, 11),
        List.of("Part One", "Part Two", "Part Three"));
    Response r = ResponseBuilder.build(o, List.of(list, sections));
    assertEquals(answer, r.plainText());
    assertEquals(List.of(2, 3), r.groups().stream().map(Group::size).toList());
  }

  private static List<int[]> spans(int... bounds) {
    List<int[]> out = new java.util.ArrayList<>();
    for (int i = 0; i < bounds.length; i += 2) {
      out.add(new int[] {bounds[i], bounds[i + 1]});
    }
    return out;
  }
}
