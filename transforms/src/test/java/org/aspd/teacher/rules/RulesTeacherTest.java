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
import org.aspd.format.Item;
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
  void aPremiseOfThePremiseStaysSerialTooAndTheGroupPassesItsCheck() throws Exception {
    // Gold Q59: with "Delayed Colonization" serial, "Colonial Powers" is taken up by "the dominant
    // European power". The planner used to offer the group from item 2, which its own independence
    // check then failed, so the whole answer stayed serial.
    String answer = """
        Here are some potential scenarios and their implications:

        1. **Delayed Colonization:** Another explorer would likely have reached the Americas a few decades later, since European colonization was only a matter of time.
        2. **Different Colonial Powers:** The nature of colonization could have been different if England or France had arrived first, with other languages spreading.
        3. **Impact on Indigenous Peoples:** Native empires could have had a reprieve from disease and war, though similar outcomes would have followed contact.
        4. **Geopolitical Changes:** Without the silver of Peru, Spain might not have become the dominant European power of the sixteenth century.
        5. **Cultural Exchange:** Crops like potatoes, maize and tomatoes would have reached European kitchens much later than they did.

        In summary, the discovery would have come, but its timing and nature could have differed.""";
    Sample s = Texts.sample("What if Columbus had not discovered the Americas?", answer);
    Response r = parse(rewrite("What if Columbus had not discovered the Americas?", answer).get(0), answer);
    StringBuilder before = new StringBuilder();
    for (Item item : r.items()) {
      if (item instanceof Group) {
        break;
      }
      before.append(((SerialText) item).text());
    }
    assertTrue(before.toString().contains("**Different Colonial Powers:**"), before.toString());
    Group group = r.groups().get(0);
    assertEquals(3, group.size());
    Verdict v = teacher.judgeIndependence(new IndependenceQuery(s, before.toString(), group, ""), 0);
    assertTrue(v.passed(), v.reason());
  }

  @Test
  void theExplainedPartsOfARegexAreAGroupThoughEachIsShort() throws Exception {
    // gpt-3.5 #787 (audit 14), as gold Q63: "`@` - Matches the "@" symbol." is a clause about its part,
    // not a bare label, and the breakdown stayed serial.
    String answer = """
        Here's a breakdown of the pattern:

        - `^` and `$` - Anchors the pattern to the start and end of the string, so the entire string must match.
        - `[\\w.-]+` - Matches one or more word characters (letters, digits, and underscores), dots, or hyphens.
        - `@` - Matches the "@" symbol.
        - `\\.` - Matches a dot symbol (escaped with a backslash).
        - `\\w+` - Matches one or more word characters.

        This pattern covers most standard email address formats.""";
    Response r = parse(rewrite("Implement a regular expression in Python to validate an email address.", answer)
        .get(0), answer);
    assertEquals(5, r.groups().get(0).size());
    assertEquals("@", r.groups().get(0).branches().get(2).title());
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
  void aBulletedListInsideAStepIsPartOfTheProcedureButTipsBesideItAreAGroup() throws Exception {
    // AlpacaEval gpt-4o #289: the parts to install under "Assemble" were carved out of a step-by-step
    // guide as a group; the "Tips" section beside the steps is not a step.
    String answer = "Here is a step-by-step guide to building your own PC:\n\n"
        + "### 1. Plan Your Build\n"
        + "Decide what the PC is for and set a budget that guides every choice of part you make.\n\n"
        + "### 2. Assemble the Components\n"
        + "- **Install the CPU**: Open the socket, align the triangle marks and close the latch gently.\n"
        + "- **Install the RAM**: Open the slots, align the notch on each stick and press until it clicks.\n"
        + "- **Install the Motherboard**: Align it with the standoffs in the case and secure it with screws.\n\n"
        + "### 3. Install the Operating System\n"
        + "Connect the monitor, switch on the power supply, enter the BIOS and boot from the installer.\n\n"
        + "### 4. Install Drivers\n"
        + "Once the OS is installed, download the latest drivers for the graphics card and the chipset.\n\n"
        + "### Tips\n"
        + "- **Read the manuals**: Each part comes with instructions that show its connectors and limits.\n"
        + "- **Stay grounded**: Touch a metal part of the case often so that static does not harm the parts.\n"
        + "- **Take your time**: Rushing leads to bent pins and loose cables that are hard to find later.\n";
    List<String> candidates = rewrite("How do I build a PC?", answer);
    assertEquals(1, candidates.size(), candidates.toString());
    Response r = parse(candidates.get(0), answer);
    assertEquals(List.of("Read the manuals", "Stay grounded", "Take your time"),
        r.items().stream().filter(i -> i instanceof Group).map(i -> ((Group) i).branches())
            .findFirst().orElseThrow().stream().map(Branch::title).toList());
    assertEquals(1, r.items().stream().filter(i -> i instanceof Group).count(), "the steps' list stays serial");
  }

  @Test
  void theVersesOfASongAreNoSiblings() {
    // vicuna-7b #220: a rap's verses and outro were a group (gold rule 6: songs stay serial).
    String answer = "Verse 1:\nYo, it's Snoop and I'm here to spit some knowledge on how to keep your cool\n"
        + "First thing you gotta do is stay informed, stay aware of every rule\n\n"
        + "Verse 2:\nYou gotta know the laws of war and understand them through and through\n"
        + "Don't take part in attacks on civilians, that's a no-no for you\n\n"
        + "Verse 3:\nIf you're in a leadership role you gotta lead by example every day\n"
        + "Use your power and your influence to promote peace along the way\n\n"
        + "Outro:\nSo remember, keep your principles and your morals, that's what it's about\n"
        + "Stay informed, stay aware, and always keep your cool, no doubt";
    assertEquals(List.of(), rewrite("Write a rap about keeping your cool.", answer));
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

  @Test
  void anItemThatAnnouncesALetteredListOrCodeTakesIt() throws Exception {
    // A review of rules-3 (Meta-Llama-3.1-8B #384, #700): a last item ending on ":" followed by
    // "a./b." items or by a code block lost its group; it takes what it announces, as with a list.
    String lettered = "You can get back on track this week with a few changes to how you plan your work.\n\n"
        + "1. **Re-prioritize your tasks**: identify the most critical tasks and give them your best hours.\n"
        + "2. **Protect your focus**: turn off notifications while you work on the hardest part of the project.\n"
        + "3. **Ask for feedback early**: show a draft to your supervisor and consider the following:\n\n"
        + "a. **Scope**: whether the plan still fits the two weeks that are left.\n"
        + "b. **Quality**: which parts need the most polish before the deadline.\n\n"
        + "Good luck with the project!";
    Group g = parse(rewrite("How do I finish my project?", lettered).get(0), lettered).groups().get(0);
    assertEquals(3, g.size());
    assertTrue(g.branches().get(2).content().contains("b. **Quality**"), g.branches().get(2).content());
    String code = "Your loop has three small bugs, and each has a simple fix once you see it. The corrected "
        + "loop above prints the numbers from zero to nine, one per line, which is what the exercise asks for.\n\n"
        + "**Best practice:** give the loop variable a descriptive name such as `iteration` instead of `i`, so that a reader knows what it counts.\n\n"
        + "**Example use case:** you can print the answer to a sum ten times like this:\n\n"
        + "```python\nanswer = 2 + 2\nfor i in range(10):\n    print(answer)\n```\n";
    Group c = parse(rewrite("Fix my loop.", code).get(0), code).groups().get(0);
    assertEquals(List.of("Best practice", "Example use case"), c.branches().stream().map(Branch::title).toList());
    assertTrue(c.branches().get(1).content().contains("print(answer)\n```"), c.branches().get(1).content());
  }

  @Test
  void titledItemsWithTheirOwnTipsAreNotProcedureSteps() throws Exception {
    // llama-2 #328: "1. Create a good thumbnail:" heads a paragraph and tips, like a bold label.
    String answer = "Starting a gaming channel takes some planning. Here are some tips to help you get started:\n\n"
        + "1. Create a good thumbnail:\n"
        + "Your thumbnail is the first thing viewers see, so make it clear and relevant to the video.\n"
        + "* Use high-quality images that match your content.\n"
        + "2. Create a good name:\n"
        + "Your channel name should be easy to remember and easy to spell. Here are some tips for a name:\n"
        + "* Keep it short and simple.\n\n"
        + "I hope these tips help you get started!";
    Group g = parse(rewrite("How do I start a gaming channel?", answer).get(0), answer).groups().get(0);
    assertEquals(2, g.size());
    assertTrue(g.branches().get(1).content().contains("Keep it short"));
  }

  @Test
  void bareReferencesDegenerateTextAndCheckboxesAreNoGroup() {
    // AlpacaEval vicuna-13b #90: titles and authors only (gold rule 10).
    String books = "Here are some popular science fiction books that are worth considering for a fan:\n\n"
        + "1. \"Dune\" by Frank Herbert\n2. \"Ender's Game\" by Orson Scott Card\n"
        + "3. \"The Hitchhiker's Guide to the Galaxy\" by Douglas Adams\n4. \"The Time Machine\" by H.G. Wells\n"
        + "5. **\"Scaling Laws for Neural Language Models\"** by Kaplan et al. (2020)\n\n"
        + "These books cover a range of sub-genres and mix classic and contemporary stories.";
    assertEquals(List.of(), rewrite("Recommend science fiction books.", books));
    // Meta-Llama-3.1-8B #524: a model that loops ("Sue Sue Sue ...") wrote the last item.
    String loop = "Here are a few paper suggestions on the topic of scaling laws in machine learning:\n\n"
        + "1. **Compute-optimal training**: fit the number of tokens to the model size for a fixed budget.\n"
        + "2. **Data scaling**: the loss falls as a power law in the amount of training data used.\n"
        + "3. **Scaling Up**: Spike Sue Sue Sue Sue Sue Sue Sue Sue Surrey Surrey Sour Sour Sour Sour.\n";
    assertEquals(List.of(), rewrite("Suggest papers on scaling laws.", loop));
    // Qwen1.5-7B #689: an issue template's boxes to tick are placeholders, not points.
    String template = "Use this template for every new ticket that you open in the tracker, so that nothing "
        + "is missed by the team and the reviewer can start work at once:\n\n"
        + "- [ ] A clear and concise description of the issue or of the task that is to be done\n"
        + "- [ ] The steps to reproduce the problem, with the expected and the actual result\n"
        + "- [ ] Screenshots or logs that help to illustrate the problem for the reviewer\n\n"
        + "Fill in every box before you submit the ticket.";
    assertEquals(List.of(), rewrite("Write a ticket template.", template));
  }

  @Test
  void aSectionDoesNotSwallowRepeatedHeadingsOfItsKind() throws Exception {
    // Meta-Llama-3.1-8B #403: "**Scientific perspectives:**" repeats, so it is read as text and
    // the "Religious perspectives" branch ran over it; that section is no branch now.
    String answer = "The meaning of life has been answered in many ways.\n\n"
        + "**Philosophical perspectives:**\n\n"
        + "1. **Existentialism**: life has no inherent meaning; each person creates their own purpose.\n"
        + "2. **Stoicism**: live in accordance with reason and virtue, accepting the natural order.\n\n"
        + "**Religious perspectives:**\n\n"
        + "1. **Christianity**: love and serve God, and seek salvation through faith.\n"
        + "2. **Buddhism**: attain enlightenment and end suffering through the Eightfold Path.\n\n"
        + "**Scientific perspectives:**\n\n"
        + "1. **Biological**: survive and reproduce, passing on genetic material to the next generation.\n\n"
        + "**Scientific perspectives:**\n\n"
        + "1. **Evolutionary**: adapt and thrive in a world that keeps changing around us.\n\n"
        + "**Other perspectives:**\n\n"
        + "1. **Humanist**: seek happiness, fulfilment and self-actualisation in this life.\n"
        + "2. **Existential-humanist**: create meaning through our own choices and actions.\n\n"
        + "These perspectives are not mutually exclusive.";
    for (String candidate : rewrite("What is the meaning of life?", answer)) {
      for (Group g : parse(candidate, answer).groups()) {
        for (Branch b : g.branches()) {
          assertFalse(b.content().contains("**Scientific perspectives:**"), b.content());
        }
      }
    }
  }

  @Test
  void theStepsOfANumberedMethodAreOneProcedure() {
    // gpt-4o #490 (audit 7): "Open Word" then "Insert Placeholder Text" under "Method 1" was a group.
    String answer = "Here are two ways to add filler text to a Word document:\n\n"
        + "### Method 1: Using Built-in Functions\n"
        + "1. **Open Word:** Start Microsoft Word and open the document where you want to add filler text.\n"
        + "2. **Insert Placeholder Text:** Type =lorem(3,5) and press Enter to get three paragraphs of text.\n"
        + "3. **Adjust the Text:** Select the generated text and change its font and size to match the page.\n\n"
        + "### Method 2: Using Online Generators\n"
        + "If you need more variety, you can use an online text generator from your web browser instead.\n";
    // The methods may be siblings; the steps of one are not.
    for (String candidate : rewrite("How do I add filler text in Word?", answer)) {
      assertFalse(candidate.contains("<branch title=\"Open Word\">"), candidate);
      assertTrue(candidate.contains("<branch title=\"Method 1"), candidate);
    }
  }

  @Test
  void stepsAnnouncedByTheirIntroductionStayWhole() {
    // gpt-4o #166 (audit 7): "Steps to compute a Mel-spectrogram typically include:" over four steps.
    String answer = "A Mel-spectrogram shows the power of a sound over time on the Mel scale. Steps to compute "
        + "a Mel-spectrogram typically include:\n"
        + "1. **Windowing the signal**: The audio signal is divided into short overlapping frames of equal length.\n"
        + "2. **Fourier Transform**: Each frame is moved from the time domain to the frequency domain by an FFT.\n"
        + "3. **Mel Filter Bank**: The resulting power spectrum is passed through a bank of Mel-spaced filters.\n"
        + "4. **Logarithm**: The logarithm of the filtered energies is taken to mimic how loudness is heard.\n";
    assertEquals(List.of(), rewrite("What is a Mel-spectrogram?", answer));
  }

  @Test
  void anEntryAnnotatedBelowKeepsItsAnnotationInTheLastSection() throws Exception {
    // text-davinci-003 #156 (audit 9): the last entry's annotation was left serial as if it closed the answer.
    StringBuilder answer = new StringBuilder("Annotated Bibliography: Social Media\n\n");
    String[][] kinds = {{"Blogs", "blogging platforms", "personal publishing"},
        {"Wikis", "collaborative encyclopedias", "shared editing"}, {"Forums", "discussion boards", "threaded talk"}};
    for (String[] k : kinds) {
      answer.append(k[0]).append(":\n\n");
      answer.append("1. \"The State of ").append(k[0]).append(" Today.\" N.p., n.d. Web. 01 Mar. 2016.\n\n")
          .append("This article provides an overview of ").append(k[1]).append(", including statistics on their usage"
              + " and the trends in their content. It also discusses how their audience has grown.\n\n");
      answer.append("2. \"Why ").append(k[0]).append(" Still Matter.\" N.p., n.d. Web. 01 Mar. 2016.\n\n")
          .append("This article argues that ").append(k[2]).append(" remains relevant and cites its ability to"
              + " connect people with similar interests. It gives several examples of such communities.\n\n");
    }
    String text = answer.toString().stripTrailing();
    List<String> candidates = rewrite("Create an annotated bibliography with entries in three categories.", text);
    assertFalse(candidates.isEmpty());
    Response r = parse(candidates.get(0), text);
    Group g = r.groups().get(0);
    assertEquals(List.of("Blogs", "Wikis", "Forums"), g.branches().stream().map(Branch::title).toList());
    assertTrue(g.branches().get(2).content().strip().endsWith("examples of such communities."),
        g.branches().get(2).content());
  }

  @Test
  void sectionsOfBareNamesAreNoGroup() {
    // Meta-Llama-3-8B #265 and #499 (audit 9): "**Programming Languages:**" over "1. Python", "2. Java".
    String skills = "Here are skills to add to your profile:\n\n"
        + "**Programming Languages:**\n\n1. Python\n2. Java\n3. C++\n4. JavaScript\n5. Go\n6. Rust\n7. Kotlin\n"
        + "8. Swift\n9. Ruby\n10. TypeScript\n\n"
        + "**Frameworks:**\n\n1. Spring Boot\n2. Django\n3. React\n4. Angular\n5. Flask\n6. Ruby on Rails\n"
        + "7. Express.js\n8. Vue.js\n9. ASP.NET Core\n10. Laravel\n\n"
        + "**Databases:**\n\n1. PostgreSQL\n2. MySQL\n3. MongoDB\n4. Redis\n5. Cassandra\n6. SQLite\n"
        + "7. Oracle Database\n8. Microsoft SQL Server\n9. DynamoDB\n10. Elasticsearch\n\n"
        + "Pick the ones you have used in real projects.";
    assertEquals(List.of(), rewrite("Which skills should a software engineer list?", skills));
  }

  @Test
  void oneBlankToFillAmongFullItemsIsStillAPointButBlankNamesAreATemplate() {
    // Meta-Llama-3-8B #217 (audit 10): one "[insert a weird hobby]" kept ten questions serial.
    String questions = "Here are a few ideas to get you started:\n\n"
        + "1. Who is the most likely to have written a bestselling novel during their lunch breaks?\n"
        + "2. Who is the most likely to have become a professional gamer and won a championship?\n"
        + "3. Who is the most likely to have started a YouTube channel about [insert a weird hobby or talent, e.g.,"
        + " extreme ironing, competitive eating, or playing the harmonica with their feet]?\n"
        + "4. Who is the most likely to have invented a product that changes how we cook at home?\n"
        + "5. Who is the most likely to have moved to a remote island to raise goats and write poetry?\n\n"
        + "Have fun with these!";
    assertEquals(1, rewrite("Give me questions for a 'who is most likely to' game in 10 years.", questions).size());
    // Qwen1.5-7B #798: "[Feature 2]: Revolutionize [specific process]" is a name left to fill in.
    String template = "Here are the key features:\n\n"
        + "1. [Feature 1]: This feature will [describe the benefit] for every team in your company.\n"
        + "2. [Feature 2]: Revolutionize [specific process] with our intelligent automation engine.\n"
        + "3. [Feature 3]: Our intuitive dashboard gives you real-time insights into your operations.\n"
        + "4. [Feature 4]: Our responsive support ensures a smooth onboarding and steady improvement.\n\n"
        + "We look forward to hearing from you.";
    assertEquals(List.of(), rewrite("Write a product launch email.", template));
  }

  @Test
  void closingWordsAfterARuleStaySerial() throws Exception {
    // gpt-4o #243 (audit 10): "---" then "This example provides a comprehensive framework" closed the
    // answer but stayed in the last section's branch.
    String answer = "Here is a plan:\n\n"
        + "### Goals\n- Improve the customer experience across every channel we serve.\n"
        + "- Cut the time it takes to answer a support request by half.\n\n"
        + "### Risks\n- Staff may resist the new tools unless they are trained early.\n"
        + "- Old systems may not connect to the new platform without extra work.\n\n"
        + "### Metrics\n- Track customer satisfaction scores every month after launch.\n"
        + "- Measure how many requests are solved on the first contact.\n\n"
        + "---\n\nThis example provides a framework; adjust it to the needs of your organization.";
    List<String> candidates = rewrite("Write a project plan.", answer);
    assertFalse(candidates.isEmpty());
    Response r = parse(candidates.get(0), answer);
    Group g = r.groups().get(0);
    assertFalse(g.branches().get(g.size() - 1).content().contains("framework"), g.branches().get(g.size() - 1).content());
    assertTrue(((SerialText) r.items().get(r.items().size() - 1)).text().contains("This example provides a framework"));
  }

  @Test
  void aListInItsOwnSectionBeforeTheCodeIsNoWalkthroughUnlessItsItemsAreSteps() throws Exception {
    // Meta-Llama-3-8B #343 (audit 11): key genes above "Python code examples" stayed serial because the
    // answer has code; gpt-4o #400: chkdsk steps above an example command stay serial.
    String code = "**Python code:**\n\n```python\nimport genes\nprint(genes.design('MC1R'))\n```\n\n"
        + "This code designs a guide for the gene and prints it.\n";
    String genes = "Appearance has many causes.\n\n**Which genes shape appearance?**\n\n"
        + "1. **MC1R** (Melanocortin 1 Receptor): responsible for skin and hair pigmentation in people.\n"
        + "2. **EDAR** (Ectodysplasin A Receptor): plays a role in hair growth and in the shape of the face.\n"
        + "3. **FGFR2** (Fibroblast Growth Factor Receptor 2): involved in bone development and dental structure.\n\n"
        + "These genes interact with the environment.\n\n" + code;
    List<String> candidates = rewrite("Which genes describe appearance? Give Python code.", genes);
    assertFalse(candidates.isEmpty());
    assertEquals(3, parse(candidates.get(0), genes).groups().get(0).size());
    String steps = genes.replace("1. **MC1R** (Melanocortin 1 Receptor): responsible for",
            "1. **Open the Command Prompt** as administrator: it is responsible for")
        .replace("2. **EDAR** (Ectodysplasin A Receptor): plays", "2. **Run the check** on the drive: it plays")
        .replace("3. **FGFR2** (Fibroblast Growth Factor Receptor 2): involved", "3. **Restart your computer** now: involved");
    assertEquals(List.of(), rewrite("Which genes describe appearance? Give Python code.", steps));
  }

  @Test
  void numberedItemsThatOpenOnTheOperatorsTheyCompareAreNoWalkthrough() throws Exception {
    // claude-3-opus #562 (audit 12): "1. `==` compares ..." / "2. `.equals()` compares ..." above an
    // example stayed serial, read as a walkthrough of the code below them.
    String answer = "When comparing strings, use `.equals()` instead of `==`. Here's why:\n\n"
        + "1. `==` compares the reference (memory address) of two objects:\n"
        + "   - It checks if both strings refer to the same object in memory.\n"
        + "   - Two strings with the same content may still be different objects.\n\n"
        + "2. `.equals()` compares the content of two strings:\n"
        + "   - It returns `true` if the strings have the same characters in the same order.\n"
        + "   - It ignores whether they are the same object in memory.\n\n"
        + "Here's an example to illustrate the difference:\n\n"
        + "```java\nString a = \"Hi\";\nString b = new String(\"Hi\");\nSystem.out.println(a == b);\n```\n\n"
        + "The comparison prints false because the two strings are different objects.";
    List<String> candidates = rewrite("How do I compare strings in Java?", answer);
    assertFalse(candidates.isEmpty());
    Group g = parse(candidates.get(0), answer).groups().get(0);
    assertEquals(2, g.size());
    assertEquals("== compares the reference", g.branches().get(0).title());
    // Items that open on a statement of the code are still read in its order.
    String walk = answer.replace("1. `==` compares", "1. `String a = \"Hi\";` compares")
        .replace("2. `.equals()` compares", "2. `b.intern();` compares");
    assertEquals(List.of(), rewrite("How do I compare strings in Java?", walk));
  }

  @Test
  void aSummingUpAfterTheLastSubSectionClosesTheAnswer() throws Exception {
    // gpt-4o #735 (audit 11): "In summary, ..." sat at the end of the last section's last sub-section.
    StringBuilder answer = new StringBuilder("Both kinds of bottle have costs.\n\n");
    for (String kind : new String[] {"Environmental", "Economic", "Social"}) {
      answer.append("### ").append(kind).append(" Implications\n\n");
      answer.append("#### Single-Use Bottles\n1. **First point**: ").append(kind)
          .append(" costs of single-use bottles add up over the years for every household.\n\n");
      answer.append("#### Reusable Bottles\n1. **Second point**: ").append(kind)
          .append(" costs of reusable bottles are paid once and then spread over many years.\n\n");
    }
    answer.append("In summary, reusable bottles cost less over time and do less harm to the planet.");
    String text = answer.toString();
    List<String> candidates = rewrite("Compare single-use and reusable bottles.", text);
    assertFalse(candidates.isEmpty());
    Response r = parse(candidates.get(0), text);
    assertEquals(3, r.groups().get(0).size());
    Object last = r.items().get(r.items().size() - 1);
    assertTrue(last instanceof SerialText tail && tail.text().startsWith("In summary"), String.valueOf(last));
  }

  @Test
  void sectionsAfterATimelineThatAreNoPointInItArePlannedOnTheirOwn() throws Exception {
    // Meta-Llama-3.1-8B #695 (audit 11): eras in order, then "Important Terms" and "Key Figures" lists,
    // which stayed serial as parts of the timeline.
    String eras = "Here is an overview of the history of the country:\n\n"
        + "**Colonial Era (1607-1776)**\n\nSettlers founded colonies along the coast and traded with Europe.\n\n"
        + "**Revolution (1775-1783)**\n\nThe colonies fought for independence and wrote a new constitution.\n\n"
        + "**Civil War (1861-1865)**\n\nThe country split over slavery and was reunited after four years of war.\n\n";
    String tail = "**Important Terms**\n\n"
        + "* **Manifest Destiny**: The idea that the country was destined to expand across the continent.\n"
        + "* **Sectionalism**: The division of the country into regions with different economies and cultures.\n"
        + "* **Red Scare**: The period of fear about communism and socialism during the early Cold War.\n\n"
        + "**Key Figures**\n\n"
        + "* **George Washington**: The first president and the leader of the army in the Revolution.\n"
        + "* **Abraham Lincoln**: The sixteenth president, who led the country through the Civil War.\n"
        + "* **Franklin D. Roosevelt**: The president who led the country through the Depression and the war.\n";
    String answer = eras + tail;
    List<String> candidates = rewrite("Give study notes on the history of the USA.", answer);
    assertFalse(candidates.isEmpty());
    Response r = parse(candidates.get(0), answer);
    assertEquals(List.of(3, 3), r.groups().stream().map(Group::size).toList());
    // A section that opens on a year goes on with the timeline.
    String story = eras + "**Reunification**\n\nIn 1990 the two halves of the city were joined again after decades.\n\n"
        + "**Today**\n\nIn 2024 the city is a thriving capital known for its culture and its history.\n";
    assertEquals(List.of(), rewrite("Who made the city?", story));
  }

  @Test
  void romanNumberedIntroductionIsNoSiblingAndALongTitleDropsItsNumeral() throws Exception {
    // Meta-Llama-3.1-8B #532 (audit 11): "I. Introduction" sat in the group; "VI. Last-Minute Gift Ideas"
    // lost "for Specific Interests" to the numeral.
    String answer = "Here's an outline for the post:\n\n"
        + "**I. Introduction**\n\n* Explain the stress of shopping for gifts at the very last minute.\n\n"
        + "**II. Quick Fix Gift Ideas**\n\n* Gifts that can be picked up at any store nearby, such as candles.\n\n"
        + "**III. DIY Gift Ideas**\n\n* Homemade gifts that can be made in an afternoon, such as baked goods.\n\n"
        + "**IV. Last-Minute Gift Ideas for Specific Interests**\n\n* Ideas for a bookworm, a gamer or a foodie.\n\n"
        + "**V. Conclusion**\n\n* Recap the ideas and wish the readers happy holidays and a calm season.\n";
    List<String> candidates = rewrite("Design an outline for a blog post about last-minute gifts.", answer);
    assertFalse(candidates.isEmpty());
    List<String> titles = parse(candidates.get(0), answer).groups().get(0).branches().stream().map(Branch::title).toList();
    // The numeral names no section, and goes from every title (it once stayed where the title fit).
    assertEquals(List.of("Quick Fix Gift Ideas", "DIY Gift Ideas"), titles.subList(0, 2));
    // The estimate keeps "Last-Minute Gift Ideas"; the job's tokenizer fits "... for Specific Interests".
    assertTrue(titles.get(2).startsWith("Last-Minute Gift Ideas"), titles.get(2));
  }

  @Test
  void theItemsOfALonePointAreAGroup() throws Exception {
    // gpt-4o #141 (audit 11): one bullet leading into vitamins, minerals and electrolytes, left serial.
    String answer = "Only some nutrients give energy.\n\n### Vitamins, Minerals, and Electrolytes:\n"
        + "- **Vitamins, minerals, and electrolytes** do not provide caloric value because they are no fuel.\n"
        + "  - **Vitamins** are organic compounds needed for growth; they act as coenzymes in metabolic reactions.\n"
        + "  - **Minerals** are inorganic elements essential for bone formation, nerve function and enzymes.\n"
        + "  - **Electrolytes** such as sodium and potassium keep the fluid balance and the muscles working.\n\n"
        + "So they have no calories at all.";
    List<String> candidates = rewrite("Why do only proteins, carbohydrates and fats have calories?", answer);
    assertFalse(candidates.isEmpty());
    Group g = parse(candidates.get(0), answer).groups().get(0);
    assertEquals(3, g.size());
    assertTrue(g.branches().get(0).content().strip().startsWith("- **Vitamins**"), g.branches().get(0).content());
  }

  @Test
  void paragraphsNumberedInWordsAreSiblingsUnlessTheyAreSteps() throws Exception {
    // Qwen2-72B #257 (audit 11): "First, ... Second, ... Third, ... Finally, ..." reasons, one per line,
    // were left serial.
    String reasons = "It can feel like less effort for a few reasons.\n"
        + "First, TV episodes are structured to have a clear beginning, middle and end within one episode.\n"
        + "Second, TV shows often have a familiar format and recurring characters that feel comfortable.\n"
        + "Third, TV episodes are shorter than films, which makes each of them feel less daunting to start.\n"
        + "Finally, watching episodes back to back gives a sense of momentum that makes the time fly by.\n"
        + "Overall, the feeling of effort depends on structure, length and engagement.";
    List<String> candidates = rewrite("Why do TV episodes feel like less effort than a film?", reasons);
    assertFalse(candidates.isEmpty());
    Response r = parse(candidates.get(0), reasons);
    assertEquals(4, r.groups().get(0).size());
    Object last = r.items().get(r.items().size() - 1);
    assertTrue(last instanceof SerialText tail && tail.text().startsWith("Overall"), String.valueOf(last));
    String steps = "To bake the cake you need a few steps.\n\n"
        + "First, preheat the oven to 180 degrees and grease a round cake pan with butter.\n\n"
        + "Second, mix the flour, sugar, eggs and milk in a large bowl until the batter is smooth.\n\n"
        + "Third, pour the batter into the greased pan and bake it for thirty minutes in the oven.\n\n"
        + "Finally, let the baked cake cool on a rack before you slice it and serve it.\n\nEnjoy your cake!";
    assertEquals(List.of(), rewrite("How do I bake a cake?", steps));
  }
}

