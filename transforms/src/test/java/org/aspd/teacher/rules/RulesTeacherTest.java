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
  @Test
  void aWorksCitedSectionIsNotASiblingOfTheEssayItCites() {
    // AlpacaEval gpt4_1106 #203: the essay and its Works Cited were two branches.
    String answer = "**Two Towns, One Student**\n\nLiving in Flagstaff taught me patience with snow and with "
        + "people, and the pines there shaped how I think about quiet. As Abbey writes, the desert is a place "
        + "that asks for attention, and Kaneohe asked for the same in another way.\n\n"
        + "**Works Cited**\n\nAbbey, Edward. *Desert Solitaire*. Ballantine Books, 1968. Pukui, Mary Kawena. "
        + "*Olelo No'eau*. Bishop Museum Press, 1983.";
    assertEquals(List.of(), rewrite("Write a two-topic essay with citations.", answer));
  }

  @Test
  void aClosingParagraphAfterTheLastOfOneParagraphSectionsStaysSerial() throws Exception {
    // AlpacaEval gpt4_1106 #184: the closing call to buy ended up in the last branch.
    String answer = "Title: Sterling Silver Cuban Link Chain\n\n"
        + "Material:\nThe chain is made of 92.5% pure silver, alloyed for strength, and it is hypoallergenic.\n\n"
        + "Design:\nTightly interlocking oval links with a flat surface give the chain a sleek, seamless look.\n\n"
        + "Closure:\nA durable box clasp keeps the chain secure and is easy to fasten and to remove.\n\n"
        + "Invest in the enduring appeal of this chain and add a timeless piece to your collection today.";
    Response r = parse(rewrite("Describe this chain.", answer).get(0), answer);
    assertEquals(List.of("Material", "Design", "Closure"),
        r.groups().get(0).branches().stream().map(Branch::title).toList());
    assertTrue(((SerialText) r.items().get(r.items().size() - 1)).text().startsWith("Invest in"));
  }

  @Test
  void anItemThatAnnouncesWhatFollowsKeepsItOrIsNoBranch() throws Exception {
    // AlpacaEval gpt4 #181: "a few basic formulas:" then the formulas, outside the last item.
    String formulas = "Area and perimeter describe the size and the boundary of a flat shape.\n\n"
        + "1. Area: the space a shape covers, measured in square units such as square metres or feet.\n"
        + "- Rectangle: length times width\n- Circle: pi times the radius squared\n\n"
        + "2. Perimeter: the length of the boundary of a shape. Here are a few basic formulas:\n\n"
        + "- Rectangle: twice the sum of length and width\n- Square: four times the side\n\n"
        + "Both are measured from the shape's sides.";
    Group g = parse(rewrite("Explain area and perimeter.", formulas).get(0), formulas).groups().get(0);
    assertEquals(List.of("Area", "Perimeter"), g.branches().stream().map(Branch::title).toList());
    assertTrue(g.branches().get(1).content().contains("- Square: four times the side"));
    // AlpacaEval gpt4 #614: the working of the last item lies outside it, so there is no group.
    String proof = "The statement is not entirely correct. Let's break it down to understand it better.\n\n"
        + "1. \"If x is a positive integer\": a positive integer is a whole number greater than 0, so x > 0.\n\n"
        + "2. \"or a solution to x + 3 > 4\": to find the solutions, we can subtract 3 from both sides:\n\n"
        + "x > 4 - 3\nx > 1\n\nSo x needs to be greater than 1, and x > 12 does not follow from either part.";
    assertEquals(List.of(), rewrite("Prove the given statement.", proof));
  }

  @Test
  void aListIntroducedByAStepIsPartOfThatStep() {
    // AlpacaEval gpt4 #599: the endings per pronoun are step 2's cases (gold rule 8).
    String answer = "Regular German verbs end in -en in the infinitive, and the ending changes with the subject. "
        + "Here's a quick guide to the present tense:\n\n"
        + "1. Remove the -en from the infinitive to find the stem (spielen becomes spiel).\n\n"
        + "2. Add the appropriate ending based on the subject pronoun:\n\n"
        + "- ich (I): add -e to the stem, as in ich spiele\n"
        + "- du (you, informal): add -st to the stem, as in du spielst\n"
        + "- er/sie/es (he/she/it): add -t to the stem, as in er spielt\n"
        + "- wir (we): add -en to the stem, as in wir spielen\n\n"
        + "Irregular verbs follow other patterns.";
    assertEquals(List.of(), rewrite("How do German verbs end?", answer));
  }
  @Test
  void aHeadingLikeLastItemTakesTheListItAnnounces() throws Exception {
    // A review of rules-3 (Qwen1.5-7B #737): "2. Monetary Policy:" is a heading, not a step, and
    // its bullets are its body; the minimum-content check reads the item with them.
    String answer = "Governments can steer the economy with two kinds of policy.\n\n"
        + "1. Fiscal Policy: the government changes taxes and spending to raise or cool demand in the economy.\n"
        + "- Tax cuts leave households more money to spend.\n\n"
        + "2. Monetary Policy:\n\n"
        + "- The central bank raises or lowers interest rates to change the cost of borrowing.\n"
        + "- It buys or sells bonds to change the amount of money in the banking system.\n\n"
        + "Both affect inflation and employment.";
    Group g = parse(rewrite("How do governments steer the economy?", answer).get(0), answer).groups().get(0);
    assertEquals(List.of("Fiscal Policy", "Monetary Policy"), g.branches().stream().map(Branch::title).toList());
    assertTrue(g.branches().get(1).content().contains("banking system."));
  }

  @Test
  void aComparisonInProseIsNotWorking() {
    // A review of rules-3: "Adults 18+ > 7 hours" made the answer a derivation (numbered lists serial).
    String answer = "How much sleep you need depends on your age. As a rule of thumb:\n\n"
        + "Adults 18+ > 7 hours\n\n"
        + "1. **Keep a schedule:** go to bed and get up at the same time every day, weekends included.\n"
        + "2. **Limit screens:** put phones and laptops away an hour before bed to let your mind settle.\n"
        + "3. **Cool room:** keep the bedroom cool, dark and quiet so that you fall asleep more easily.\n\n"
        + "Sleep well!";
    assertEquals(1, rewrite("How many hours of sleep do I need?", answer).size());
  }
}
