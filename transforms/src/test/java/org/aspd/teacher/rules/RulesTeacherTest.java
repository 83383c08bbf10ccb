package org.aspd.teacher.rules;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.List;
import org.aspd.format.AnnotationCodec;
import org.aspd.format.Branch;
import org.aspd.format.Group;
import org.aspd.format.Response;
import org.aspd.format.SerialText;
import org.aspd.format.TagEscaper;
import org.aspd.model.Sample;
import org.aspd.teacher.IndependenceQuery;
import org.aspd.teacher.Verdict;
import org.junit.jupiter.api.Test;

class RulesTeacherTest {
  private final RulesTeacher teacher = new RulesTeacher();

  private List<String> rewrite(String question, String answer) {
    return teacher.rewrite(Texts.sample(question, answer), TagEscaper.escape(answer), 3);
  }

  private static Response parse(String candidate, String answer) throws Exception {
    Response r = AnnotationCodec.parse(candidate, answer);
    assertEquals(List.of(), StructureRules.problems(r));
    return r;
  }

  @Test
  void numberedTipsBecomeOneGroupWithIntroAndClosingSerial() throws Exception {
    List<String> candidates = rewrite("How can I stay healthy?", Texts.TIPS);
    assertEquals(1, candidates.size());
    Response r = parse(candidates.get(0), Texts.TIPS);
    assertEquals(3, r.items().size());
    assertTrue(((SerialText) r.items().get(0)).text().startsWith("Here are some ways"));
    Group g = (Group) r.items().get(1);
    assertEquals(List.of("Sleep well", "Eat vegetables", "Move daily"), g.branches().stream().map(Branch::title).toList());
    assertTrue(g.branches().get(0).content().startsWith("1. **Sleep well:**"));
    assertTrue(g.branches().get(2).content().endsWith("lungs.\n\n"), "whitespace after an item belongs to it");
    assertTrue(((SerialText) r.items().get(2)).text().startsWith("Small habits"));
  }

  @Test
  void sectionsAndTheirListsAreBothOffered() throws Exception {
    List<String> candidates = rewrite("How can I deal with stress?", Texts.SECTIONS);
    assertEquals(2, candidates.size());
    Response sections = parse(candidates.get(0), Texts.SECTIONS);
    assertEquals(1, sections.groups().size());
    assertEquals(List.of("Physical Techniques", "Mental Techniques", "Social Techniques"),
        sections.groups().get(0).branches().stream().map(Branch::title).toList());
    Response lists = parse(candidates.get(1), Texts.SECTIONS);
    assertEquals(3, lists.groups().size());
    assertTrue(lists.groups().stream().allMatch(g -> g.size() == 3));
  }

  @Test
  void sequentialMaterialStaysSerial() {
    assertEquals(List.of(), rewrite("How do I reset my router?", Texts.PROCEDURE));
    assertEquals(List.of(), rewrite("Calculate the total cost step by step.", Texts.DERIVATION));
    assertEquals(List.of(), rewrite("Write a binary search in Python.", Texts.CODE_WALKTHROUGH));
    assertEquals(List.of(), rewrite("Hi?", "Hello! How can I help you today?"));
  }

  @Test
  void premiseItemStaysSerialBeforeTheGroup() throws Exception {
    List<String> candidates = rewrite("What if the canal had never been built?", Texts.COUNTERFACTUAL);
    Response r = parse(candidates.get(0), Texts.COUNTERFACTUAL);
    assertTrue(((SerialText) r.items().get(0)).text().contains("**Longer Routes**"));
    assertEquals(3, r.groups().get(0).size());
  }

  @Test
  void longListsAreMergedIntoPairsWithOneFinalTriple() throws Exception {
    String twelve = Texts.longList(12);
    Response even = parse(rewrite("Ideas?", twelve).get(0), twelve);
    assertEquals(6, even.groups().get(0).size());
    assertEquals("Idea Alpha and Idea Bravo", even.groups().get(0).branches().get(0).title());
    String eleven = Texts.longList(11);
    Group odd = parse(rewrite("Ideas?", eleven).get(0), eleven).groups().get(0);
    assertEquals(5, odd.size());
    assertTrue(odd.branches().get(4).content().contains("9. ") && odd.branches().get(4).content().contains("11. "));
    String many = Texts.longList(30);
    assertTrue(parse(rewrite("Ideas?", many).get(0), many).groups().get(0).size() <= 10);
  }

  @Test
  void literalTagsInTheAnswerSurviveTheRoundTrip() throws Exception {
    String answer = Texts.TIPS.replace("every meal", "every <branch title=\"x\"> meal");
    List<String> candidates = rewrite("How can I stay healthy?", answer);
    assertEquals(answer, parse(candidates.get(0), answer).plainText());
  }

  @Test
  void independenceJudgeGivesConcreteReasons() {
    Sample s = Texts.sample("How?", Texts.PROCEDURE);
    Group procedure = new Group(List.of(new Branch("Unplug", "1. Unplug the router and wait thirty seconds.\n"),
        new Branch("Reset", "2. Then press the reset button for ten seconds.\n")));
    Verdict v = teacher.judgeIndependence(new IndependenceQuery(s, "Follow these steps:\n\n", procedure, ""), 0);
    assertFalse(v.passed());
    assertTrue(v.reason().contains("branch 2"), v.reason());
    Group duplicate = new Group(List.of(new Branch("Tip", "A first useful tip."), new Branch("tip", "A second tip.")));
    assertFalse(teacher.judgeIndependence(new IndependenceQuery(s, "", duplicate, ""), 0).passed());
    Group tips = new Group(List.of(new Branch("Sleep", "- **Sleep:** Rest eight hours every night.\n"),
        new Branch("Water", "- **Water:** Drink two litres every day.")));
    assertTrue(teacher.judgeIndependence(new IndependenceQuery(s, "Tips:\n\n", tips, ""), 0).passed());
  }

  @Test
  void integrityJudgesCompareUpToWhitespace() {
    Sample s = Texts.sample("How?", Texts.TIPS);
    assertTrue(teacher.judgeFormat(s, Texts.TIPS.replace("\n\n", "\n"), 0).passed());
    assertTrue(teacher.judgeAnswer(s, "  " + Texts.TIPS + "\n", 0).passed());
    Verdict changed = teacher.judgeAnswer(s, Texts.TIPS.replace("seven", "six"), 0);
    assertFalse(changed.passed());
    assertTrue(changed.reason().contains("differs"), changed.reason());
    assertTrue(teacher.deterministic());
    assertEquals("rules", new RulesTeacherFactory().create().name());
  }

  @Test
  void textThatLooksLikeMarkupIsComparedAsText() {
    // Stage 3 hands the judges de-tagged text; an answer's own <|endoftext|> or <branch> is content.
    // (They were taken for markup before: such an answer failed the format check and stayed serial.)
    String answer = Texts.TIPS.replace("every meal", "every <|endoftext|> meal, <|branch|>, <branch title=\"x\">");
    Sample s = Texts.sample("How?", answer);
    assertTrue(teacher.judgeFormat(s, answer, 0).passed());
    assertTrue(teacher.judgeAnswer(s, answer.replace("\n\n", "\n"), 0).passed());
    assertFalse(teacher.judgeAnswer(s, answer.replace("<|endoftext|>", ""), 0).passed());
  }

  @Test
  void hugeAndPathologicalInputsFinishQuickly() {
    StringBuilder big = new StringBuilder();
    while (big.length() < 2_000_000) {
      big.append(Texts.SECTIONS).append("\n\n").append(Texts.TIPS).append("\n\n");
    }
    String[] inputs = {big.toString(), "*".repeat(200_000), "**".repeat(100_000) + " x", "1. ".repeat(100_000),
        " ".repeat(50_000) + "- item\n".repeat(20_000), "#".repeat(100_000), "\\[".repeat(100_000),
        ("- " + "a ".repeat(30) + "\n").repeat(30_000), "```\n".repeat(50_001)};
    assertTimeoutPreemptively(Duration.ofSeconds(20), () -> {
      for (String input : inputs) {
        for (String c : rewrite("Question?", input)) {
          assertEquals(input, AnnotationCodec.parse(c, input).plainText());
        }
      }
    });
  }

  @Test
  void anIngredientListStaysSerial() {
    String answer = "Tahini is easy to make at home with a blender or a food processor and two ingredients.\n\n"
        + "### Ingredients\n\n"
        + "- 1 cup (150 grams) of sesame seeds, hulled and raw for a lighter tahini or toasted for more flavour\n"
        + "- 2 to 4 tablespoons of neutral oil, like light olive oil, grapeseed oil or a mild vegetable oil\n"
        + "- A pinch of salt, which is optional but brings out the nutty taste of the seeds\n\n"
        + "Blend the seeds first, then add the oil slowly until the paste is smooth and pourable.";
    assertEquals(List.of(), rewrite("How do I make tahini?", answer));
  }

  @Test
  void numberedStepsInsideAnOrderedRunOfSectionsAreNotCarvedOut() {
    // AlpacaEval gpt4_1106 #126: the sections are steps (the last starts from the state the one
    // before made), so the numbered lists inside them are sub-steps, not groups (gold rule 8).
    String answer = "Here is how to load the pistol safely, one stage at a time, from an empty gun to a loaded one:\n\n"
        + "**Inserting the Magazine:**\n"
        + "1. Hold the pistol in one hand, with the muzzle pointed in a safe direction and your finger off the trigger.\n"
        + "2. With the other hand, insert the magazine into the magazine well until you hear a click.\n\n"
        + "**Chambering a Round:**\n"
        + "1. With the loaded magazine in the pistol, grip the slide from the rear and pull it fully back.\n"
        + "2. Release the slide so that it moves forward and chambers a round from the magazine.\n"
        + "3. If you do not intend to fire immediately, engage the safety if your model has one.\n\n"
        + "Always check your local laws before you carry or fire a gun, and take a safety course first.";
    assertEquals(List.of(), rewrite("How do I load my pistol?", answer));
  }
}
