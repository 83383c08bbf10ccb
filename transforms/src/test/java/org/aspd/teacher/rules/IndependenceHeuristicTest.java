package org.aspd.teacher.rules;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import org.aspd.teacher.rules.IndependenceHeuristic.Assessment;
import org.junit.jupiter.api.Test;

class IndependenceHeuristicTest {
  private static Assessment assess(String intro, String... branches) {
    return IndependenceHeuristic.assess(List.of(branches), intro, "", "How do I do it?");
  }

  @Test
  void independentTipsPassWithAReason() {
    Assessment a = assess("Some tips:\n\n", "1. **Sleep:** Rest for eight hours every night.\n",
        "2. **Water:** Drink two litres of water each day.\n", "3. **Walk:** Take a short walk after lunch.");
    assertTrue(a.independent(), a.reason());
    assertTrue(a.reason().contains("3 branches"));
  }

  @Test
  void announcedProceduresAndImperativeStepsAreSequential() {
    Assessment announced = assess("Follow these steps to install it:\n\n", "1. **Download:** Get the installer.\n",
        "2. **Run:** Start the installer file.\n");
    assertFalse(announced.independent());
    assertTrue(announced.reason().contains("procedure"), announced.reason());
    Assessment imperative = assess("To clean it:\n\n", "1. Fill a bag with vinegar and water.\n",
        "2. Remove the showerhead from its arm.\n", "3. Soak the showerhead in the bag overnight.");
    assertFalse(imperative.independent(), imperative.reason());
  }

  @Test
  void temporalConnectivesAndBackReferencesAreRejected() {
    assertFalse(assess("", "Open the lid and look inside.", "Then take out the filter.").independent());
    assertFalse(assess("", "**A:** The first idea is simple.", "**B:** As mentioned above, it helps.").independent());
    assertFalse(assess("", "The engine starts.", "This makes the wheels turn.").independent());
    // Meta-Llama-3.1-8B #683: "This part is the same as the first part" reuses a sibling.
    assertFalse(assess("", "- `([0-9]{1,3})` matches one to three digits of the first octet.",
        "- `\\.([0-9]{1,3})` This part is the same as the first part, after a dot.").independent());
  }

  @Test
  void derivationsThatCarryNumbersAreRejected() {
    Assessment a = assess("", "1. **Apples:** 3 × 12 = 36 dollars.\n", "2. **Total:** 36 + 12 = 48 dollars.");
    assertFalse(a.independent());
    assertTrue(a.reason().startsWith("derivation"), a.reason());
    // Meta-Llama-3.1-8B #259: ranges looked up for each kind share an endpoint; nothing is carried.
    Assessment ranges = assess("", "* **Low temperatures:** red light (\u03bb \u2248 650-750 nm) from iron near 500\u00b0C.\n",
        "* **Medium temperatures:** orange light (\u03bb \u2248 600-650 nm) from copper near 800\u00b0C.");
    assertTrue(ranges.independent(), ranges.reason());
  }

  @Test
  void codeUsingASiblingsDefinitionIsRejected() {
    Assessment a = assess("", "1. **Helper function:**\n```python\ndef helper(x):\n    return x * 2\n```\n",
        "2. **Usage example:**\n```python\nresult = helper(3)\n```");
    assertFalse(a.independent());
    assertTrue(a.reason().contains("helper"), a.reason());
  }

  @Test
  void storiesAndTimelinesAreRejected() {
    assertFalse(assess("", "She walked to the river and saw that the boat was gone. She knew it had drifted.",
        "He came back later and said that he had found it. They were relieved and went home.").independent());
    assertFalse(assess("", "**Day 1:** Arrive and visit the old town.", "**Day 2:** Take the train to the coast.")
        .independent());
    assertFalse(assess("", "**Morning:** Check the systems.", "**Evening:** Review the logs.").independent());
  }

  @Test
  void premiseFirstItemAndClosingLastItemAreSplitOff() {
    Assessment premise = IndependenceHeuristic.assess(List.of(
        "1. **Longer Routes**: Ships would have to sail around Africa, adding weeks to voyages.\n",
        "2. **Higher Prices**: Freight would cost more for everyone importing goods.\n",
        "3. **Naval Strategy**: Navies would need coaling stations along the longer routes.\n"),
        "Without the canal:\n\n", "", "What if the canal had never been built?");
    assertTrue(premise.dropFirst(), premise.reason());
    Assessment closing = assess("", "1. **Variation**: Individuals differ in traits.\n",
        "2. **Inheritance**: Traits pass to offspring.\n", "3. **Selection**: Some traits help survival.\n",
        "4. **Accumulation of Traits**: Over generations, helpful traits become common.");
    assertTrue(closing.dropLast(), closing.reason());
  }

  @Test
  void stepsThatFollowOnFromAStateOrAStepBeforeAreRejected() {
    // AlpacaEval gpt4_1106 #126 and #86: labelled steps whose bodies start from what a step before made.
    Assessment loaded = assess("", "**Loading the Magazine:**\n1. Press rounds into the magazine one at a time.\n",
        "**Chambering a Round:**\n1. With the loaded magazine in the pistol, pull the slide back.\n");
    assertFalse(loaded.independent(), loaded.reason());
    assertTrue(loaded.ordered(), loaded.reason());
    // #123: "is then" in a later step's first sentence.
    assertFalse(assess("", "1. **Extraction**: Crude oil is extracted from the ground by drilling wells.\n",
        "2. **Transportation**: The crude oil is then moved to a refinery by pipeline or ship.\n").independent());
    // Meta-Llama-3-8B #434: "which is then" orders a process inside one sentence, not the branches.
    Assessment kinds = assess("", "**Interpreted languages:** An interpreter reads and runs the code line by line.\n",
        "**Compiled languages:** They are translated into machine code beforehand, which is then executed.\n");
    assertFalse(kinds.ordered(), kinds.reason());
  }

  @Test
  void oneTipThatMentionsAnOrderIsStillATipButTwoAreASequence() {
    List<String> tips = new java.util.ArrayList<>(List.of(
        "1. **Choose the Right Cut**: Ribeye and strip steaks have marbling that keeps them juicy.\n",
        "2. **Season Well**: Salt the steak generously at least forty minutes ahead.\n",
        "3. **Preheat the Pan**: A very hot pan gives the steak a brown crust.\n",
        "4. **Rest Your Steak**: After cooking, let it rest for five minutes on a board.\n"));
    Assessment one = IndependenceHeuristic.assess(tips, "Some tips:\n\n", "", "How do I cook a steak?");
    assertTrue(one.independent(), one.reason());
    tips.set(2, "3. **Sear**: After the pan smokes, lay the steak in it and leave it alone.\n");
    Assessment two = IndependenceHeuristic.assess(tips, "Some tips:\n\n", "", "How do I cook a steak?");
    assertFalse(two.independent(), two.reason());
    assertTrue(two.reason().contains("follow on"), two.reason());
    // One of two is a sequence too (#121: "Slower phase: After the initial phase, ...").
    assertFalse(assess("", "1. **Rapid phase**: The cones adapt within ten minutes of darkness.\n",
        "2. **Slower phase**: After the initial phase, the rods take over for an hour.\n").independent());
  }

  @Test
  void directionsBesideTheIngredientsTheyUseAreRejected() {
    Assessment recipe = assess("Kale Salad\n", "Ingredients:\n1/4 cup almond butter\n1/4 cup vinegar\n1 tablespoon tamari\n",
        "Directions:\n1. Whisk the almond butter, vinegar and tamari until smooth.\n2. Toss with the kale.\n");
    assertFalse(recipe.independent(), recipe.reason());
    assertTrue(recipe.reason().contains("Directions"), recipe.reason());
    // "Preparation" among tips for a presentation is a tip: no sibling lists materials.
    assertTrue(assess("Tips:\n\n", "1. Preparation: Research your topic and organise your thoughts into an outline.\n",
        "2. Practice: Rehearse the talk in front of a friend two or three times.\n").independent());
  }

  @Test
  void aWeekPlanAndAHistoryThatFollowsOnAreSequences() {
    // Second audit: a Monday-Sunday routine (an itinerary, gold rule 8) and "Following Aristotle, ...".
    assertFalse(assess("", "**Monday:** Upper body strength with push-ups and rows for forty minutes.\n",
        "**Tuesday:** Lower body work with squats and lunges, then a short stretch.\n").independent());
    Assessment history = assess("", "1. **Ancient Greece**: Aristotle argued from lunar eclipses that the Earth is round.\n",
        "2. **Hellenistic Astronomy**: Following Aristotle, Eratosthenes measured the Earth's circumference.\n");
    assertFalse(history.independent(), history.reason());
  }

  @Test
  void troubleshootingThatEscalatesIsASequence() {
    // AlpacaEval gpt4 #255: "If you're still encountering issues" follows from the fix before failing.
    Assessment a = assess("Try the following:\n\n",
        "4. Reinstall Anki: If none of the above steps work, uninstall Anki and install it again.\n",
        "5. Hardware acceleration: If you're still encountering issues, try disabling hardware acceleration.\n");
    assertFalse(a.independent());
    assertTrue(a.dropLast(), a.reason());
    // A review: one escalating last item leaves the group; the ones before it stay a group (gold rule 9).
    Assessment lastResort = assess("Try these:\n\n", "1. **Restart:** Turn the router off and on again after a minute.\n",
        "2. **Cables:** Check that every cable is firmly plugged into its port.\n",
        "3. **Reset:** If all else fails, hold the reset button for ten seconds.\n");
    assertTrue(lastResort.dropLast() && !lastResort.ordered(), lastResort.reason());
    assertTrue(assess("Tips:\n\n", "- **Sleep:** If you can, rest eight hours every night.\n",
        "- **Experience:** If you're still in high school, look for summer programs.\n",
        "- **Water:** If it is hot, drink two litres or more every day.\n").independent());
  }

  @Test
  void aBranchThatAnswersTheOneBeforeIsRejected() {
    // Meta-Llama-3.1-8B #447: "However, if you find a large amount" qualifies its sibling.
    Assessment a = assess("", "- If you find a dollar bill on the street, it is usually fine to keep it.\n",
        "- However, if you find a large amount of cash, take it to the police station.");
    assertFalse(a.independent());
    assertTrue(a.reason().contains("However"), a.reason());
    assertTrue(assess("", "- Instead of saying \"quickly\", say that the car sped down the road.\n",
        "- Instead of saying \"tall\", say that a figure loomed at the door.").independent());
  }

  @Test
  void listedIngredientsAndInstructionsAreAProcedure() {
    // The heading line was read with its list marker ("- Ingredients:"), so only bold or unlisted
    // headings were recognised.
    Assessment a = assess("Pancakes for a weekend breakfast:\n\n",
        "- Ingredients:\n  flour, a pinch of salt, two eggs and some milk\n",
        "- Instructions:\n  whisk everything into a smooth batter, let it rest, and fry thin pancakes in butter.");
    assertFalse(a.independent());
    assertTrue(a.reason().contains("is a procedure"), a.reason());
  }

  @Test
  void aLabelWithADashInsideKeepsItsColon() {
    // "Python - Django: ..." is labelled by its colon; its body started after the dash ("Django: a ...").
    BranchView v = BranchView.of("- Python - Django: a web framework with batteries included.");
    assertEquals("Python - Django", v.label());
    assertEquals("a web framework with batteries included.", v.body());
  }

  @Test
  void sectionsThatOpenOnDatesInOrderAreAHistoryNotSiblings() {
    // AlpacaEval (Meta-Llama-3.1-8B #292, gpt-4o #68): a city's or a field's history told by period.
    Assessment history = assess("Berlin has a long history.\n\n",
        "**Medieval Period**\n\nIn the 13th century, the Teutonic Knights founded the town of C\u00f6lln.\n",
        "**Prussian Period**\n\nIn 1709, Berlin became the capital of the Kingdom of Prussia.\n",
        "**German Empire**\n\nIn 1871, Germany was unified and Berlin grew into an industrial city.\n",
        "**Reunification**\n\nIn 1990, the wall came down and the city was one again.");
    assertFalse(history.independent());
    assertTrue(history.reason().contains("dates in order"), history.reason());
    // A reading list of a few recent years, and temperatures, are no history.
    Assessment papers = assess("Key papers:\n\n",
        "1. **Scaling Laws for Language Models**: Kaplan et al. (2020) fit power laws to loss.\n",
        "2. **Chinchilla**: Hoffmann et al. (2022) trained smaller models on more tokens.\n",
        "3. **Emergent Abilities**: Wei et al. (2022) list abilities that appear at scale.\n",
        "4. **Beyond Chinchilla**: Sardana et al. (2023) add the cost of inference.");
    assertTrue(papers.independent(), papers.reason());
    Assessment heat = assess("Colours of hot metal:\n\n",
        "1. **Red**: Around 1000\u00b0C the metal starts to glow a dull red colour.\n",
        "2. **Yellow**: Around 1300\u00b0C the glow turns yellow and much brighter.\n",
        "3. **White**: Above 1500\u00b0C the metal looks white to the human eye.");
    assertTrue(heat.independent(), heat.reason());
  }

  @Test
  void aStepThatActsOnWhatAnEarlierStepMadeIsASequence() {
    // AlpacaEval Meta-Llama-3-8B #99: "When drying herbs, make sure to:" harvest, tie, dry, store.
    Assessment herbs = assess("When drying herbs, make sure to:\n\n",
        "* Harvest fresh, healthy leaves with no signs of disease or pests.\n",
        "* Tie stems into small bunches to prevent leaves from falling off during drying.\n",
        "* Dry herbs in a warm, dry place with good air circulation.\n",
        "* Store dried herbs in airtight containers to preserve their flavor and aroma.");
    assertFalse(herbs.independent());
    assertTrue(herbs.reason().contains("acts on what branch 3 made"), herbs.reason());
    // A participle that only describes a dish is no result of a sibling step.
    Assessment meals = assess("Some ideas:\n\n", "* Grill chicken skewers with peppers and onions for a quick dinner.\n",
        "* Serve baked salmon with a side of steamed green beans.\n", "* Make a big pot of lentil soup on Sunday.");
    assertTrue(meals.independent(), meals.reason());
  }

  @Test
  void recipesInPassingAreNoRecipeToFollow() {
    // Meta-Llama-3-8B #99: "... for future use in teas, soups and other recipes. Here are some herbs" read
    // as announcing a recipe, so the list of herbs stayed serial.
    String[] herbs = {"1. **Basil**: A classic choice for Italian and Thai dishes, perfect for sauces.\n",
        "2. **Mint**: Peppermint and spearmint are great candidates for drying and for teas.\n",
        "3. **Thyme**: A versatile herb that pairs well with meats, soups and stews."};
    Assessment list = IndependenceHeuristic.assess(List.of(herbs), "Dried herbs keep for use in teas, soups and "
        + "other recipes. Here are some herbs that dry well:\n\n", "", "What herbs can I dry?");
    assertTrue(list.independent(), list.reason());
    Assessment recipe = IndependenceHeuristic.assess(List.of(herbs), "Here is the recipe:\n\n", "", "How?");
    assertFalse(recipe.independent(), recipe.reason());
  }

  @Test
  void sectionsNamedForPeriodsOfHistoryAreATimeline() {
    // Qwen2-72B #695: a US history by era carved lists out of each era.
    Assessment eras = assess("", "**Colonial Era**\n- Jamestown was settled by English colonists in Virginia.\n",
        "**Revolutionary Period**\n- The colonies declared independence and fought a war for it.\n",
        "**19th Century**\n- Westward expansion and the Civil War reshaped the country.\n",
        "**Modern Era**\n- Globalization and the digital age changed its economy and society.");
    assertFalse(eras.independent());
    assertTrue(eras.ordered(), eras.reason());
    // Kinds that are not periods stay siblings.
    assertTrue(assess("", "**Baroque Music**\n- Ornate, with a steady continuo bass line in most pieces.\n",
        "**Jazz**\n- Swing, blue notes and improvisation over chord changes.\n",
        "**Folk Music**\n- Songs passed on by ear within a community over many years.").independent());
  }

  @Test
  void aListUnderADayOfAnItineraryIsWhatHappensThatDayInOrder() {
    // gpt-3.5 #580: "Day 2: Casablanca - Rabat" over its bullets; gold Q29 keeps a "Morning:" list serial.
    String[] day = {"- After breakfast, drive to Rabat, the capital city of Morocco.\n",
        "- Visit the Hassan Tower, the Mausoleum of Mohammed V and the Kasbah of the Udayas.\n",
        "- Enjoy a traditional Moroccan dinner and spend the night in Rabat."};
    Assessment itinerary = IndependenceHeuristic.assess(List.of(day), "Day 1: Arrival\n- Arrive.\n\nDay 2: Casablanca - Rabat\n",
        "", "Plan a trip to Morocco.");
    assertTrue(itinerary.ordered(), itinerary.reason());
    // A sentence that opens with a time word is no heading of a point in time.
    String[] tips = {"- **Sleep**: Rest for eight hours every night.\n", "- **Water**: Drink two litres a day.\n",
        "- **Walk**: Take a short walk after lunch."};
    assertTrue(IndependenceHeuristic.assess(List.of(tips), "Before you start a new training plan, mind the basics:\n",
        "", "How do I stay healthy?").independent());
  }

  @Test
  void anItemPlacedWhereASiblingIsLeansOnIt() {
    // Qwen2-72B #354 ("Also in Boulder"), llama-2 #561 ("Another city on the French Riviera").
    Assessment trails = assess("", "3. **Royal Arch Trail** - A steep hike in Boulder with a natural arch at the top.\n",
        "4. **Flatirons Vista Trail** - Also in Boulder, this trail offers views of the Flatirons for all levels.");
    assertFalse(trails.independent());
    assertTrue(trails.reason().contains("takes its place from a sibling"), trails.reason());
    // "Also" that names no sibling's place is no such lean.
    assertTrue(assess("", "1. **Paris** - The capital, known for its museums and its cafes.\n",
        "2. **Lyon** - Also in France, famous for its food and its old town.").independent());
  }

  @Test
  void aLastItemAboutIntegrationIsATopicNotASummary() {
    // Meta-Llama-3.1-8B #738: "3. **Community integration**" was left out of its group as a closing item.
    Assessment a = assess("**Impact on Relationships:**\n\n",
        "1. **Social relationships**: Language barriers can limit the forming of friendships at work.\n",
        "2. **Intimate relationships**: They can also strain couples who do not share a first language.\n",
        "3. **Community integration**: They can make it hard to join a community, leading to isolation.");
    assertTrue(a.independent(), a.reason());
    assertFalse(assess("", "1. **Sleep**: Rest well.\n", "2. **Diet**: Eat well.\n",
        "3. **Integrating it all**: Sleep and diet work together for your health.").independent());
  }

  @Test
  void anItemDescribedOnlyByComparisonWithASiblingLeansOnIt() {
    // Qwen1.5-7B #8: "Similar to shirts, fold them ..." reuses the shirts drawer's advice.
    Assessment drawers = assess("", "1. **Shirts drawer**:\n- Fold shirts so that they do not wrinkle.\n",
        "2. **Pants drawer**:\n- Hang pants by the cuffs to keep their crease.\n",
        "3. **Blouses drawer**:\n- Similar to shirts, fold them in a way that reduces wrinkles.\n");
    assertFalse(drawers.independent());
    assertTrue(drawers.reason().contains("comparison with branch 1"), drawers.reason());
    // Meta-Llama-3.1-8B #449: "Similar to calzones, but often filled with ham" defines by the sibling.
    assertFalse(assess("", "1. **Calzones**: Folded dough pockets filled with cheese and baked.\n",
        "2. **Stromboli**: Similar to calzones, but often filled with ham and salami.").independent());
    // A comparison followed by a clause of the item's own says something about this item.
    assertTrue(assess("", "1. **Stone**: Durable and needs little care for a century or more.\n",
        "2. **Brick**: Like stone, brick is durable and gives good insulation.").independent());
    assertTrue(assess("", "1. **React**: To act in response to something that happened.\n",
        "2. **Respond**: Similar to react, respond implies a reply to a situation.").independent());
  }

  @Test
  void aFirstItemIsAPremiseOnlyWhenALaterOneTakesItUp() {
    String question = "What if the Internet had been invented during the Renaissance?";
    // Mistral-7B #775 (audit 7): "faster" again, but of communication, not of the first item's dissemination.
    Assessment shared = IndependenceHeuristic.assess(List.of(
        "1. Faster dissemination of knowledge: Scholars could have shared their findings within days.\n",
        "2. Expanded communication: The Internet would have enabled faster and more efficient communication.\n",
        "3. New forms of art: Artists could have collaborated on projects across Europe.\n",
        "4. Economic impact: Merchants would have traded with new partners far away."), "", "", question);
    assertTrue(shared.independent(), shared.reason());
    // Gold Q56: "the war had been significantly prolonged" takes up "Prolonged War".
    Assessment prolonged = IndependenceHeuristic.assess(List.of(
        "1. **Prolonged War**: The Allies would have struggled to read German messages for years.\n",
        "2. **Higher casualties**: The Allies could have suffered many more losses at sea.\n",
        "3. **Delayed computing**: Early computers could have come years later.\n",
        "4. **Possible Axis victory**: If the war had been significantly prolonged, the Axis could have won."),
        "", "", "What if Alan Turing had not cracked the Enigma code during World War II?");
    assertTrue(prolonged.dropFirst(), prolonged.reason());
    // Gold Q59: a later item that says what "would have been delayed" takes up "Delayed Colonization".
    Assessment delayed = IndependenceHeuristic.assess(List.of(
        "1. **Delayed Colonization**: Another explorer would have reached the Americas a few decades later.\n",
        "2. **Altered trade**: The exchange of crops would have been delayed, affecting economies.\n",
        "3. **Different powers**: England or France could have led the way in the New World."),
        "", "", "What if Christopher Columbus had not discovered the Americas?");
    assertTrue(delayed.dropFirst(), delayed.reason());
  }

  @Test
  void aLastItemThatMentionsTwoOfManySiblingsIsOneMoreSibling() {
    // Qwen2-72B #733 (audit 7): "Technological Factors" was cut off as drawing on "Social" and "Marketing".
    Assessment a = assess("Consumer behavior depends on many factors:\n\n",
        "1. **Personal Factors**: Age and occupation shape what people need.\n",
        "2. **Psychological Factors**: Motivation and perception drive choices.\n",
        "3. **Social Factors**: Family and peers influence decisions.\n",
        "4. **Situational Factors**: Time and place change what people buy.\n",
        "5. **Marketing and Product Factors**: Price, design and advertising matter.\n",
        "6. **Technological Factors**: Social media reviews, digital marketing and products sold online "
            + "change decisions.");
    assertTrue(a.independent(), a.reason());
    // A last item that draws on most of the ones before it still combines them.
    Assessment b = assess("", "1. **Sleep**: Rest for eight hours.\n", "2. **Diet**: Eat vegetables daily.\n",
        "3. **Exercise**: Walk every day.\n", "4. **Routine**: Sleep, diet and exercise at fixed times work together.");
    assertTrue(b.dropLast(), b.reason());
  }

  @Test
  void stepsWhoseFirstCallsItselfTheFirstStepAreAProcedure() {
    // vicuna-7b #79 (audit 7): a roof repair in numbered, labelled steps was grouped whole.
    String intro = "If you have a leaking roof, act soon. Here are some steps you can take to fix a leaking roof:\n\n";
    Assessment roof = assess(intro,
        "1. Identify the source of the leak: The first step in fixing a leaking roof is to find where it comes from.\n",
        "2. Gather the necessary tools: Before you start fixing your roof, get a ladder, tarps and a hammer.\n",
        "3. Fix any damaged shingles: Replace damaged or missing shingles with new ones.\n");
    assertFalse(roof.independent());
    assertTrue(roof.ordered(), roof.reason());
    // Tips whose item says "Before you start" are still tips.
    assertTrue(assess("Here are some tips for keeping nerves under control during a presentation:\n\n",
        "1. Prepare well: Rehearse the talk three times the day before it.\n",
        "2. Take deep breaths: Before you start your presentation, take a few slow breaths.\n",
        "3. Find a friendly face: Look at someone who smiles while you speak.").independent());
  }

  @Test
  void partsOfOneSessionFromItsStartToItsEndAreASchedule() {
    // Meta-Llama-3-8B #344 (audit 7): the plan for a daily hour of language practice was a group.
    Assessment hour = assess("Here's a suggested approach to make the most of your daily hour:\n\n",
        "1. **Warm-up and review**: Start with a 10-15 minute warm-up, reviewing what you learned yesterday.\n",
        "2. **Vocabulary building**: Spend 20-30 minutes learning new words with flashcards.\n",
        "3. **Listening and speaking**: Allocate 20 minutes to podcasts and speaking practice.\n",
        "4. **Consolidation and review**: End your daily practice with a 10 minute review of key phrases.");
    assertTrue(hour.ordered(), hour.reason());
    // Tips that only say where to begin are still tips.
    assertTrue(assess("", "1. **Plan**: Start with a clear goal for each week of study.\n",
        "2. **Apps**: Use an app such as Anki for spaced repetition.\n",
        "3. **Community**: Join a group of learners to stay motivated.").independent());
  }

  @Test
  void anExampleOfTheItemBeforeIsNoSibling() {
    // claude-3-opus #181 (audit 7): "For example, the perimeter of a square ..." applies the bullet before it.
    Assessment a = assess("Perimeter:\n",
        "- The perimeter of a shape is the total distance around its edges.\n",
        "- To calculate the perimeter, you add up the lengths of all sides of the shape.\n",
        "- For example, the perimeter of a square with a side length of 5 units is 4 × 5 = 20 units.\n");
    assertFalse(a.independent());
    assertTrue(a.reason().contains("For example"), a.reason());
  }

  @Test
  void itemsThatShareWhatTheQuestionAsksAboutAreNoChainOfSteps() {
    // Mistral-7B #198 (audit 7, missed): three obstacles to lifting Mount Everest were read as steps
    // acting on one object, the mountain the question names.
    Assessment obstacles = IndependenceHeuristic.assess(List.of(
        "1. The foundation required to lift such a massive weight is beyond the capacity of any structure.\n",
        "2. The energy required to lift Mount Everest is beyond the capabilities of any power source.\n",
        "3. The environmental impact of lifting Mount Everest would be catastrophic for the climate."),
        "These include:\n\n", "", "Can a crane hypothetically lift Mount Everest?");
    assertTrue(obstacles.independent(), obstacles.reason());
    // Imperative steps on the object the question names still follow one another.
    Assessment blinds = IndependenceHeuristic.assess(List.of("1. Measure the window for the blinds twice.\n",
        "2. Mark the positions of the blinds' brackets.\n", "3. Install the brackets and hang the blinds on them."),
        "", "", "How do I install blinds?");
    assertTrue(blinds.ordered(), blinds.reason());
  }

  @Test
  void explanationsThatContinueOrSumUpAreNoSiblings() {
    // claude-3-opus #222: "Computer organization, on the other hand, deals with ...".
    assertFalse(assess("", "1. Computer architecture deals with the design of the instruction set.\n",
        "2. Computer organization, on the other hand, deals with how the parts are wired together.\n",
        "3. Microarchitecture covers the pipelines and caches inside one processor.").independent());
    // "In essence, ..." sums up the items before it and stays serial after the group.
    Assessment a = assess("", "- Architecture defines the interface between hardware and software.\n",
        "- Organization describes how the hardware components are connected.\n",
        "- Design covers the choice of memory and input devices for the system.\n",
        "- In essence, architecture is the blueprint and organization fills in the details.");
    assertTrue(a.dropLast(), a.reason());
  }

  @Test
  void anItemLikeThePreviousOneRefersBackToIt() {
    // llama-2 #218 (audit 7b): "Similar to the previous keyword, but ..." leans on its sibling.
    Assessment a = assess("", "1. Screenwriting software: The broad keyword most writers search for first.\n",
        "2. Screenplay software for beginners: Aimed at writers who have never finished a script.\n",
        "3. Collaborative screenwriting tools: Similar to the previous keyword, but for teams of writers.");
    assertFalse(a.independent());
    assertTrue(a.reason().contains("refers back"), a.reason());
  }

  @Test
  void aFirstItemThatIntroducesTheOthersIsTheirPremise() {
    // gpt-4o #208 (audit 6): "What Are Backlinks?" defines the term the other sections build on.
    Assessment a = assess("", "### What Are Backlinks?\nLinks from one website to a page on another website.\n",
        "### What Are SEO Backlinks?\nLinks that search engines count as votes of confidence.\n",
        "### How Do I Get Backlinks?\nWrite content that other sites want to cite and reach out to editors.");
    assertTrue(a.dropFirst(), a.reason());
    // From an introduction to a closing: the items of an agenda, in order.
    Assessment agenda = assess("", "1. **Introduction**: Welcome everyone and state the goal.\n",
        "2. **Updates**: Each member shares progress since yesterday.\n",
        "3. **Blockers**: Raise anything that stops the work.\n",
        "4. **Closing**: Confirm action items and the time of the next meeting.");
    assertTrue(agenda.ordered(), agenda.reason());
  }

  @Test
  void aListUnderIngredientsIsNoGroupOfPoints() {
    // Qwen1.5-7B #63 (audit 8): "6-8 medium-sized apples" has no unit the quantity check knows.
    Assessment a = assess("Here's a basic recipe for homemade apple juice:\n\nIngredients:\n",
        "- 6-8 medium-sized apples (any variety, such as Granny Smith or Honeycrisp)\n",
        "- 1-2 cups of water (optional, for diluting the juice if desired)\n",
        "- Optional: lemon or ginger for added flavor\n");
    assertFalse(a.independent());
    assertTrue(a.reason().contains("ingredients"), a.reason());
  }

  @Test
  void numberedHeadingsUnderAnnouncedStepsAreAProcedure() {
    // gpt-4o #312 (audit 8): "Here's a step-by-step guide" over "### 1. Understand the Frequencies" ...
    String intro = "Using SDR to detect a drone can work. Here's a step-by-step guide to help you get started:\n\n";
    Assessment sdr = assess(intro, "### 1. Understand the Frequencies\nDrones use the 2.4 GHz and 5.8 GHz bands.\n",
        "### 2. Required Equipment\nAn SDR receiver, an antenna and a laptop with SDR software.\n",
        "### 3. Setting Up the SDR\nConnect the antenna and tune the receiver to the bands above.\n");
    assertTrue(sdr.ordered(), sdr.reason());
    // "Some steps and tips" over numbered aspects is no procedure.
    assertTrue(assess("Here are some steps and tips to help you get started:\n\n",
        "### 1. Choose the Right Location\nPick a spot with plenty of natural light.\n",
        "### 2. Lighting\nAdd grow lights when the days are short.\n",
        "### 3. Watering\nWater when the top inch of soil is dry.\n").independent());
  }

  @Test
  void namedEntriesAreNoProcedureThoughTheirGlossesShareWords() {
    // vicuna-7b #386 (audit 8): the glosses share "meaning", "star" and "deep"; the names differ.
    Assessment words = IndependenceHeuristic.assess(List.of(
        "1. Amoriel (from \"amarë\" meaning \"love\" and \"iel\" meaning \"star\") - This word can be used"
            + " to express deep affection or love.\n",
        "2. Tathariel (from \"tathar\" meaning \"noble\" and \"iel\" meaning \"star\") - This word can be"
            + " used to express love and admiration for someone noble.\n",
        "3. Eldamariel (from \"eldar\" meaning \"star\" and \"amarë\" meaning \"love\") - This word can be"
            + " used to express a deep and abiding love.\n",
        "4. Niello (from \"nië\" meaning \"night\" and \"lo\" meaning \"to love\") - This word can be used"
            + " to express a deep and passionate love.\n"),
        "Here are some words to express love and affection in Quenya:\n\n", "",
        "What are some words in Quenya to express love and affection?");
    assertTrue(words.independent(), words.reason());
  }

  @Test
  void stepsThatActOnOneObjectAreAProcedureThoughTheirLabelsEndAlike() {
    // claude-3-opus #107: "Attach the blinds", "Adjust the blinds" are two steps on one object, not
    // two of a kind the way "Enqueue Operation" and "Dequeue Operation" are.
    Assessment blinds = assess("Here's a general guide:\n\n", "1. Measure your windows: Measure the width.\n",
        "2. Choose your blinds: Select the style and material.\n",
        "3. Attach the blinds: Snap the headrail into the brackets.\n",
        "4. Adjust the blinds: Test that they open and close smoothly.\n");
    assertTrue(blinds.ordered(), blinds.reason());
  }

  @Test
  void itemsThatOpenWithDurationsAreOneTimedPlan() {
    // gpt4 #596: a stand-up agenda, each part with its minutes; the same for lessons and workouts.
    Assessment agenda = assess("Daily Standup Meeting Agenda:\n\n",
        "1. Welcome and Introduction (2 minutes)\n   - Briefly welcome everyone and set the context.\n",
        "2. Team Member Updates (10 minutes)\n   - Each team member shares their progress and blockers.\n",
        "3. Blocker Resolution (5 minutes)\n   - Work together to find solutions for reported blockers.\n",
        "4. Questions and Feedback (5 minutes)\n   - Team members ask questions or share concerns.\n");
    assertTrue(agenda.ordered(), agenda.reason());
    assertTrue(agenda.reason().contains("timed plan"), agenda.reason());
    // One duration among tips is still a tip.
    assertTrue(assess("Some tips:\n\n", "1. **Stretch** (5 minutes): Loosen your shoulders before you start.\n",
        "2. **Hydrate**: Keep a bottle of water on your desk all day.\n",
        "3. **Posture**: Keep your screen at eye level to spare your neck.\n").independent());
  }

  @Test
  void anIntroductionThatAnnouncesATimelineOrdersItsItems() {
    // Meta-Llama-3-8B #40: "Here's a brief timeline:" over labels with years, not quite in order.
    Assessment a = assess("Canada was colonized by European powers. Here's a brief timeline:\n\n",
        "1. Indigenous Peoples: The land has been inhabited by the Inuit and First Nations for millennia.\n",
        "2. Cartier's Voyage (1534): Jacques Cartier landed in present-day Quebec and claimed it for France.\n",
        "3. Quebec City Founded (1608): Samuel de Champlain established a permanent settlement.\n",
        "4. Frobisher's Landing (1583): Martin Frobisher reached Baffin Island and claimed it for Britain.\n");
    assertTrue(a.ordered(), a.reason());
  }

  @Test
  void aPronounTheQuestionUsesPointsAtWhoItAsksAbout() {
    // vicuna-7b #338 (audit 9): "Make them laugh" is the friend of the question, not the step before.
    List<String> ideas = List.of("1. Listen: Let them vent and offer words of support.\n",
        "2. Offer a distraction: Suggest a walk, a game or a movie.\n",
        "3. Make them laugh: Share a funny story or a silly joke.\n",
        "4. Encourage self-care: Remind your friend to eat well and rest.\n");
    String question = "A friend had a very bad day. What could be a way to cheer them up?";
    assertTrue(IndependenceHeuristic.assess(ideas, "Here are a few ideas:\n\n", "", question).independent());
    // Asked about something else, "them" is what the step before made.
    assertFalse(IndependenceHeuristic.assess(List.of("1. Cut the apples into thin slices.\n",
        "2. Dry them in the oven for two hours.\n", "3. Store the slices in a jar.\n"), "", "",
        "How do I make apple chips?").independent());
  }

  @Test
  void stepsThatCanBeTakenAreMeasuresNotAProcedure() {
    // gpt-3.5 #397 (audit 9): "the following steps can be taken" over aspects to improve.
    Assessment a = IndependenceHeuristic.assess(List.of(
        "1. Scalability: New protocols can enable faster and more efficient transactions.\n",
        "2. Interoperability: Standard interfaces can let different chains talk to each other.\n",
        "3. Governance: Token holders can take part in voting on changes to the protocol.\n"),
        "To improve and revamp cryptocurrencies, the following steps can be taken:\n\n", "",
        "How can cryptocurrencies be improved?");
    assertTrue(a.independent(), a.reason());
  }

  @Test
  void aOneWordLabelIsAPremiseOnlyWhenASiblingPointsBackAtIt() {
    // claude-3-opus #198 (audit 9): "such an enormous weight" takes up "Weight"; "enormous in size"
    // uses the word in its own sense and does not take up "Size".
    String question = "Can a Liebherr LTM 11200-9.1 hypothetically lift Mount Everest?";
    List<String> reasons = List.of(
        "2. Size: Mount Everest is not a single, compact object that could be lifted.\n",
        "3. Structural integrity: Even if a crane could lift it, the mountain would crumble when lifted.\n",
        "4. Practical limitations: The crane would need to be enormous in size and anchored to stable ground.\n");
    assertTrue(IndependenceHeuristic.assess(reasons, "This is due to several reasons:\n\n", "", question)
        .independent());
    List<String> withWeight = new java.util.ArrayList<>(List.of(
        "1. Weight: Mount Everest weighs about 357 trillion pounds, far beyond what any crane could lift.\n"));
    withWeight.add("2. Structural integrity: Even if a crane could lift such an enormous weight, the rock would crumble.\n");
    withWeight.add("3. Practical limitations: The crane would need to be anchored to a stable surface.\n");
    assertTrue(IndependenceHeuristic.assess(withWeight, "", "", question).dropFirst());
  }

  @Test
  void aspectsThatShareWhatTheQuestionAsksAboutAreNoProcedure() {
    // gpt-3.5 #738 (audit 9): "communication" in two labels is the question's "communicate".
    String question = "How do language and cultural barriers affect the way people communicate?";
    Assessment a = IndependenceHeuristic.assess(List.of(
        "1. Limited verbal communication: Speakers of different languages struggle to express their thoughts.\n",
        "2. Non-verbal communication differences: Gestures and personal space vary between cultures.\n",
        "3. Different communication styles: Some cultures are direct, others indirect and formal.\n",
        "4. Stereotyping and prejudice: A lack of exposure leads to assumptions and biases.\n"),
        "Here are a few ways these barriers affect communication:\n\n", "", question);
    assertTrue(a.independent(), a.reason());
    // Steps with their verbs in bold are still imperative steps on one object, whatever the question asks.
    Assessment fem = IndependenceHeuristic.assess(List.of(
        "1. **Discretize** the beam into small elements (e.g., rectangles or triangles).\n",
        "2. Derive the **element stiffness matrix** for each element.\n",
        "3. **Assemble** these matrices to form the global stiffness matrix for the entire beam.\n",
        "4. Apply the **boundary conditions** (fixed support at one end and applied load at the other).\n",
        "5. **Solve** the global system of equations to find nodal displacements.\n"),
        "Consider a cantilever beam subjected to a load at its free end:\n\n", "",
        "Explain me the Finite Elemente Method");
    assertTrue(fem.ordered(), fem.reason());
  }

  @Test
  void dueProcessIsARightNotAProcess() {
    // Qwen2-72B #260 (audit 9): "### 2. Due Process and Fair Trial" cut a defence's arguments in two.
    assertFalse(SequenceCues.sequentialHeading("Due Process and Fair Trial"));
    assertTrue(SequenceCues.sequentialHeading("The Process"));
    assertTrue(SequenceCues.sequentialHeading("Application process"));
  }

  @Test
  void anOverallQuestionAfterAnotherOverallOneIsNoClosing() {
    // llama-2 #559 (audit 11): "10. Overall satisfaction" was left out of a questionnaire that opens
    // with "1. Overall rating (1-5 stars)".
    String[] items = {"1. Overall rating (1-5 stars): How would you rate your overall experience?\n",
        "2. Cleanliness: How clean and well-maintained was the hotel during your stay?\n",
        "3. Service quality: How would you rate the service provided by the hotel staff?\n",
        "4. Overall satisfaction: On a scale of 1-10, how satisfied were you with your stay?\n"};
    Assessment questionnaire = assess("Here are some questions for the review:\n\n", items);
    assertTrue(questionnaire.independent(), questionnaire.reason());
    items[0] = "1. Location: How convenient was the hotel's location for the places you visited?\n";
    Assessment closing = assess("Here are some questions for the review:\n\n", items);
    assertTrue(closing.dropLast(), closing.reason());
  }

  @Test
  void bulletedStepsAfterFollowTheseStepsAreAProcedure() {
    // Qwen2-72B #388 (audit 12): clean, crush, cover, boil, simmer, strain were grouped as bullets.
    String[] steps = {"- Clean the lichen thoroughly to remove any dirt or debris.\n",
        "- Crush the lichen to break it down and increase its surface area.\n",
        "- Place the lichen in a pot and cover it with water.\n",
        "- Strain the lichen out of the water, and use the liquid as a dye bath.\n"};
    Assessment procedure = assess("To use the boiling water method, follow these steps:\n", steps);
    assertTrue(procedure.ordered(), procedure.reason());
    // The same bullets as measures one can take are no procedure.
    Assessment measures = assess("Here are some steps you can take to keep lichen dyes safe:\n", steps);
    assertFalse(measures.ordered(), measures.reason());
  }

  @Test
  void usageIsACodeWalkthroughNotAKindOfKeyword() {
    // gpt-4o #218 (pairwise review): "### Usage and Benefits" split nine keyword sections in two.
    assertFalse(SequenceCues.sequentialHeading("Usage and Benefits"));
    assertFalse(SequenceCues.sequentialHeading("Handling and Usage Tips"));
    assertTrue(SequenceCues.sequentialHeading("Usage"));
    assertTrue(SequenceCues.sequentialHeading("Example Usage:"));
    assertTrue(SequenceCues.sequentialHeading("Usage Examples"));
  }

  @Test
  void numberedPartsOfOneExerciseAreInOrder() {
    // Meta-Llama-3.1-8B #191 (audit 9): Part 2 matches Part 1's words, Part 3 uses one of them.
    Assessment a = assess("Here's a simple exercise:\n\n",
        "**Part 1: Vocabulary**\n\nI'll give you a list of words to learn, one for each picture.\n\n",
        "**Part 2: Definitions**\n\nMatch each word with the definition that fits it best.\n\n",
        "**Part 3: Sentence**\n\nWrite a sentence of your own about your last holiday.\n");
    assertTrue(a.ordered(), a.reason());
  }

  @Test
  void productsWithLongNamesAreEntriesNotSteps() {
    // gpt-3.5 #503 (audit 10): names of seven words and more, whose descriptions share a word.
    Assessment a = IndependenceHeuristic.assess(List.of(
        "1. Acme Deluxe Stainless Steel Garden Hose Reel Cart: It keeps a long hose tidy all summer.\n",
        "2. Greenline Expandable Garden Hose with Brass Fittings: It reaches every corner of a large yard.\n",
        "3. Rainmaker Oscillating Lawn Sprinkler for Large Yards: It waters a wide area evenly.\n",
        "4. Evergreen Cordless Lawn Edger and Trimmer Set: It keeps the borders of beds neat.\n"),
        "Here are some other products that might interest them:\n\n", "",
        "What other products might interest someone who bought a mower?");
    assertTrue(a.independent(), a.reason());
  }

  @Test
  void aStepThatWorksFromWhatAnEarlierStepNamedFollowsIt() {
    // gpt-4o #306 (audit 10): "based on your plan" works from "Plan and Outline Your Approach".
    Assessment a = assess("Here is a method you can follow:\n\n",
        "### 1. **Break Down the Problem**\nSplit the problem into smaller sub-problems you can name.\n\n",
        "### 2. **Research and Gather Information**\nRead documentation and ask colleagues who know the area.\n\n",
        "### 3. **Plan and Outline Your Approach**\nDecide which sub-problems to tackle first and set goals.\n\n",
        "### 4. **Implement and Iterate**\nStart working on the sub-problems based on your plan.\n\n",
        "### 5. **Reflect and Learn**\nAfter you've addressed the problem, note what worked and what did not.\n");
    assertTrue(a.ordered(), a.reason());
  }

  @Test
  void generationsOfOneThingAreATimeline() {
    // Meta-Llama-3.1-8B #351 (pairwise review): the KH-1 ... KH-11 satellites, each improving on the last.
    Assessment a = assess("There were several generations of KeyHole satellites, each with improved capabilities:\n\n",
        "1. **KH-1** (1960): The first satellite of the program, with a resolution of about 12 meters.\n",
        "2. **KH-2** (1961): Improved resolution to around 5 meters with a better camera.\n",
        "3. **KH-4** (1963): Introduced the film bucket system for more efficient film return.\n",
        "4. **KH-11** (1976): First satellite with a digital imaging system and real-time data.\n");
    assertTrue(a.ordered(), a.reason());
  }

  @Test
  void anEarlierTipGivenAgainAsASentenceIsNoUseOfIt() {
    // claude-3-opus #204 (audit 13): "Offer incentives for successful referrals" in the referral tip was
    // read as building on the tip "Offer incentives"; ten waitlist ideas stayed serial.
    String referrals = "3. **Implement referral marketing:** Encourage members to refer their friends. "
        + "Offer incentives for successful referrals, such as moving up the waitlist.\n";
    Assessment again = assess("Ideas for a waitlist:\n\n",
        "1. **Create a landing page:** Design a page that explains the product and has a call to action.\n",
        "2. **Offer incentives:** Give early access or discounts to people who join the waitlist.\n", referrals);
    assertTrue(again.independent(), again.reason());
    // A later tip that takes up the earlier one in a clause of its own still leans on it.
    Assessment uses = assess("Ideas for a waitlist:\n\n",
        "1. **Create a landing page:** Design a page that explains the product and has a call to action.\n",
        "2. **Offer incentives:** Give early access or discounts to people who join the waitlist.\n",
        referrals.replace("Offer incentives for", "Once you offer incentives, double them for"));
    assertFalse(uses.independent(), uses.reason());
  }

  @Test
  void aLaterSectionNamedInAnotherIsUsedEvenWhenTheFirstIsToo() {
    // gpt4 #203: an essay's "Local Culture ... shaped by their natural environments" took up the first
    // section, which let "Lifestyle ... shaped by natural environments and local cultures" pass.
    Assessment a = assess("Introduction\n\nI compare two cities.\n\n",
        "I. Natural Environment\n\nFlagstaff sits among pine forests; Kaneohe lies between mountains and sea.\n\n",
        "II. Local Culture\n\nThe local culture of both cities is shaped by their natural environment.\n\n",
        "III. Lifestyle\n\nThe lifestyle in both is shaped by their natural environment and local culture.\n");
    assertFalse(a.independent(), a.reason());
    assertTrue(a.reason().contains("local culture"), a.reason());
    // A note after the last section that names them all sums them up; it uses none (Meta-Llama-3-8B #496):
    // the last section is set apart as a closing, and the others stay a group.
    Assessment note = assess("A skill assessment:\n\n",
        "**Section 1: Basic R Programming**\n1. How do you print in R?\n",
        "**Section 2: Data Manipulation**\n1. How do you subset a data frame?\n",
        "**Section 3: Data Visualization**\n1. How do you draw a histogram?\n",
        "**Section 4: Advanced R Programming**\n1. How do you call C++ from R?\n"
            + "The questions assess basic R programming, data manipulation, data visualization and advanced R"
            + " programming skills.");
    assertTrue(note.dropLast() && !note.dropFirst(), note.reason());
  }

  @Test
  void chaptersToldInDialogueAndAPrologueWithItsEpilogueAreAStory() {
    // Qwen2-72B #399 (audit 12): chapters of a story, mostly dialogue, were grouped.
    Assessment chapters = assess("### Title: Shadows of Star City\n\n",
        "#### Chapter 1: A Frayed Arrow\n\nThe night cloaked the city.\n\n\"Computer, any sign of trouble?\" "
            + "Oliver spoke into his comms.\n\nHis AI responded, \"Nothing out of the ordinary, Ollie.\"\n\n",
        "#### Chapter 2: The Silence\n\nRoy crossed paths with an assassin.\n\n\"We are after the same prize,\" "
            + "Cheshire said.\n\nRoy replied, \"I won't let you get to them.\"\n\n",
        "#### Chapter 3: The Hunt\n\nThe apartment was empty.\n\n\"Gone to finish it,\" the note read.\n\n"
            + "Oliver muttered, \"He never listens to anyone.\"\n");
    assertFalse(chapters.independent(), chapters.reason());
    assertTrue(chapters.reason().contains("story"), chapters.reason());
    Assessment prologue = assess("Title: The Seraphim\n\n", "Prologue:\nIn the dim city an old man reads a tome.\n\n",
        "Epilogue:\nYears later, the tome lies open on the same desk.\n");
    assertFalse(prologue.independent(), prologue.reason());
    // A video script's thematic scenes read by a narrator are siblings (gold Q76).
    Assessment scenes = assess("**[Opening Scene]**\n\n",
        "**[Scene 3: Jazz and Social Change]**\n\n**Narrator:**\n\"Jazz has always been a voice for change.\"\n\n"
            + "**Narrator:**\n\"Coltrane's 'Alabama' is a poignant example of it.\"\n\n",
        "**[Scene 4: Jazz Around the World]**\n\n**Narrator:**\n\"Jazz's influence is truly global.\"\n\n"
            + "**Narrator:**\n\"Musicians in France and Japan brought their own flavors.\"\n");
    assertTrue(scenes.independent(), scenes.reason());
  }

  @Test
  void aFirstSectionThatIsNoQuestionLikeTheOthersOpensThem() {
    // Meta-Llama-3-8B #480 (audit 13): a post's "**Join the Movement!**" announcement was a branch beside
    // "**Why collaborate?**" ("By joining our project, ...") and "**What can you contribute?**".
    Assessment a = assess("",
        "**Join the Movement!**\n\nWe're excited to announce a call for collaboration on our project.\n\n",
        "**Why collaborate?**\n\nBy joining our project, you'll be part of a dynamic community.\n\n",
        "**What can you contribute?**\n\nWe welcome your ideas, skills and experiences.\n\n",
        "**How do you sign up?**\n\nClick the link below and fill in the short form.\n");
    assertTrue(a.dropFirst() && !a.dropLast(), a.reason());
    // Questions all through are siblings.
    Assessment questions = assess("", "**Who is it for?**\n\nAnyone who cares about open data.\n\n",
        "**Why collaborate?**\n\nYou'll be part of a dynamic community.\n\n",
        "**What can you contribute?**\n\nWe welcome your ideas, skills and experiences.\n");
    assertTrue(questions.independent(), questions.reason());
  }

  @Test
  void stopsPlacedByTheirDistanceFromTheOneBeforeAreLegsOfARoute() {
    // claude-3-opus #682 (audit 13): a road trip's stops, each so many miles north of the last, were a group.
    Assessment route = assess("A road trip from San Diego to Los Angeles:\n\n",
        "1. San Diego:\n   - Visit Balboa Park and its museums.\n",
        "2. Carlsbad (35 miles north of San Diego):\n   - Visit Legoland California.\n",
        "3. Laguna Beach (70 miles north of Carlsbad):\n   - Enjoy Main Beach and the art galleries.\n",
        "4. Newport Beach (10 miles north of Laguna Beach):\n   - Stroll along the pier.\n");
    assertFalse(route.independent(), route.reason());
    assertTrue(route.ordered() && route.reason().startsWith("route"), route.reason());
    // Places to visit with no distances between them are siblings.
    Assessment places = assess("Places to visit near San Diego:\n\n",
        "1. Carlsbad:\n   - Visit Legoland California.\n", "2. Laguna Beach:\n   - Enjoy Main Beach.\n",
        "3. Newport Beach:\n   - Stroll along the pier.\n");
    assertTrue(places.independent(), places.reason());
  }

  @Test
  void aStageThatFurtherWorksOnWhatTheOneBeforeMadeFollowsIt() {
    // gpt-4o #380 (audit 14): glycolysis, the Krebs cycle and the electron transport chain were a group.
    Assessment pathways = assess("There are three primary pathways:\n\n",
        "- **Glycolysis:** The process of breaking down glucose to pyruvate, producing a little ATP and NADH.\n",
        "- **Krebs Cycle (Citric Acid Cycle):** This cycle further breaks down pyruvate into carbon dioxide.\n",
        "- **Electron Transport Chain:** This is where the bulk of ATP is produced.\n");
    assertFalse(pathways.independent(), pathways.reason());
    assertTrue(pathways.ordered() && pathways.reason().contains("carries on"), pathways.reason());
    // "To further develop your skills" and a further word the sibling before never used: siblings.
    Assessment tips = assess("Ways to learn:\n\n",
        "1. Online courses: Take a course on the basics of computational neuroscience.\n",
        "2. Projects: Build small models to further develop your skills.\n",
        "3. Reading: Papers that further explain neural coding are a good next step.\n");
    assertTrue(tips.independent(), tips.reason());
  }

  @Test
  void theItemsOfATimedPartRunInItsOrder() {
    // Meta-Llama-3.1 #803 (audit 14): the beats under a podcast script's "**Intro (2-3 minutes)**" were a group.
    String[] beats = {"* Host introduction and a warm welcome to everyone listening to the episode today\n",
        "* Brief overview of the topic: the impact of streaming platforms on the music industry\n",
        "* Thesis statement: streaming is changing how artists create and distribute their music\n"};
    Assessment timed = assess("**Episode Title:** The Streaming Revolution\n\n**Intro (2-3 minutes)**\n\n", beats);
    assertFalse(timed.independent(), timed.reason());
    assertTrue(timed.ordered() && timed.reason().contains("Intro (2-3 minutes)"), timed.reason());
    // The same items under a heading with no time on it are not held to an order by it.
    Assessment untimed = assess("**Episode Title:** The Streaming Revolution\n\n**Talking points**\n\n", beats);
    assertTrue(untimed.independent(), untimed.reason());
  }

  @Test
  void aFirstLabelThatEveryOtherLabelVariesIsOneMoreOfItsKind() {
    // gpt-3.5 #218 (audit 14): the broad keyword "Screenwriting software" was split off as a premise
    // because the next keyword's body names screenwriting software too.
    String[] rest = {"2. Best screenwriting software: Many users search for the best screenwriting software in a "
        + "category, and targeting it reaches them.\n",
        "3. Free screenwriting software: Some users look for free screenwriting software before they buy.\n",
        "4. Online screenwriting software: Users who want cloud access search for it by this name.\n"};
    List<String> keywords = new ArrayList<>(List.of("1. Screenwriting software: This broad keyword covers the "
        + "whole topic and brings the widest search traffic.\n"));
    keywords.addAll(List.of(rest));
    Assessment a = assess("Here are some potential keywords:\n\n", keywords.toArray(String[]::new));
    assertTrue(a.independent() && !a.dropFirst(), a.reason());
    // A first item whose phrase a later body takes up, under labels of their own, is still a premise.
    Assessment premise = assess("Here is what would change:\n\n",
        "1. No population decline: Europe would have kept a dense population competing for land.\n",
        "2. Later urbanization: Without a population decline, cities would have grown more slowly.\n",
        "3. Serfdom: Landlords would have kept their hold over labour for longer.\n");
    assertTrue(premise.dropFirst(), premise.reason());
  }

  @Test
  void aClosingItemThatDrawsOnTheFirstMakesItNoPremise() {
    // Meta-Llama-3.1 #377 (audit 14): only the closing "Time" used "solar intensity", yet the first
    // factor was left serial as a premise of the group.
    Assessment a = assess("We must consider several factors:\n\n",
        "1. **Solar Intensity**: The amount of sunlight reaching a point in space, measured in watts per square "
            + "meter, is about 1000 W/m² at Earth's surface.\n",
        "2. **Temperature**: The temperature of the egg and its surroundings decides whether cooking is possible; "
            + "a dark surface absorbs more sunlight than a light one.\n",
        "3. **Atmospheric Conditions**: In a vacuum there is no air to carry heat away from the egg, while a dense "
            + "atmosphere conducts heat efficiently.\n",
        "4. **Time**: The time it takes depends on the solar intensity and the temperature needed, which together "
            + "give an estimate.\n");
    assertTrue(a.dropLast() && !a.dropFirst(), a.reason());
  }

  @Test
  void anActivityIsNoPremiseOfTheActivitiesAfterIt() {
    // Mistral #650 (audit 14): "Share Your Story" was left serial because "Show and Tell" has people
    // share a story too; the bodies say "could", which reads like a list of consequences.
    String[] rest = {"2. Two Truths and a Lie: Each person says three things about themselves and the group "
        + "guesses which one is false; it could lead to lively talk.\n",
        "3. The Question Game: Pass around thought-provoking questions; answers could reveal shared interests.\n",
        "4. Show and Tell: Members bring an item and tell the story behind it, which could spark conversation.\n"};
    List<String> activities = new ArrayList<>(List.of("1. Share Your Story: Each person gives a one-minute "
        + "introduction; it could be a hobby or a recent achievement.\n"));
    activities.addAll(List.of(rest));
    Assessment a = assess("", activities.toArray(String[]::new));
    assertTrue(a.independent() && !a.dropFirst(), a.reason());
    // A consequence that opens on a participle is still taken up: "the delayed colonization" after it.
    Assessment consequences = assess("Here is what could have happened:\n\n",
        "1. Delayed colonization: Europe would have reached the Americas decades later.\n",
        "2. Indigenous empires: With colonization delayed, the Aztec empire could have grown stronger.\n",
        "3. Trade routes: Merchants would have kept looking east for spices and silk.\n");
    assertTrue(consequences.dropFirst(), consequences.reason());
  }

  @Test
  void aTranslationOfAnOriginalBesideItIsNoSibling() {
    // gpt4_1106 #305: a quote and its rendering in Old English became a group once its heading was read.
    Assessment a = assess("Here is the conversation:\n\n",
        "Modern English (original quote from \"Taken\"):\n\"I don't know who you are. I don't know what you want.\"\n\n",
        "Old English (stylized interpretation):\n\"Ic nat hwa thu eart. Ic nat hwaet thu wilnast.\"\n");
    assertFalse(a.independent(), a.reason());
    // A sentence that mentions the original version is no heading over a rendering.
    Assessment tips = assess("Some reasons:\n\n",
        "1. Cultural differences: the original British version is satire, the American version is warmer.\n",
        "2. Personal taste: some find the British version funnier than the American one.\n");
    assertTrue(tips.independent(), tips.reason());
  }

  @Test
  void aCareerPathToFollowIsStagesInOrderButCareerPathsAreAlternatives() {
    // vicuna-7b #180 (audit 13): "Here's a non-obvious career path that you can follow:" over "After
    // graduation, ...", "As you gain experience, ..." was a group.
    String[] stages = {"1. Start with a degree: Earn a degree in industrial engineering.\n",
        "2. Gain hands-on experience: After graduation, get a job on a production floor.\n",
        "3. Develop leadership skills: Supervise a team or lead a cross-functional project.\n",
        "4. Get an MBA: A master's degree in business adds finance and strategy.\n",
        "5. Build your network: Attend industry events and join professional groups.\n",
        "6. Seek out mentorship: Find a plant manager who can guide you.\n"};
    Assessment path = assess("Here's a non-obvious career path that you can follow:\n\n", stages);
    assertFalse(path.independent(), path.reason());
    Assessment roadmap = assess("Here's a suggested roadmap:\n\n", stages);
    assertFalse(roadmap.independent(), roadmap.reason());
    Assessment paths = assess("Here are some atypical career paths:\n\n",
        "1. Supply Chain Management: Experience in logistics gives a view of the whole process.\n",
        "2. Lean Six Sigma: A certification builds expertise in process improvement.\n",
        "3. Project Management: Running projects teaches budgets and timelines.\n");
    assertTrue(paths.independent(), paths.reason());
  }
}
