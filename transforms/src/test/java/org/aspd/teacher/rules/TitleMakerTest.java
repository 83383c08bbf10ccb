package org.aspd.teacher.rules;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

class TitleMakerTest {
  @Test
  void longLabelsAreCutToSixWordsWithoutWeakEndings() {
    String t = TitleMaker.fromItem("Use the Pomodoro Technique for focused work sessions every day", "");
    assertTrue(TitleMaker.fits(t), t);
    assertTrue(Words.count(t) <= TitleMaker.MAX_WORDS);
    assertEquals("Cost", TitleMaker.fromItem("Cost (in dollars)", ""));
  }

  @Test
  void unlabelledItemsUseTheirFirstWords() {
    assertEquals("Matches the beginning of it", TitleMaker.fromItem(null, "`^[a-z]+`: Matches the beginning of it."));
  }

  @Test
  void codeExplainedAfterADashIsNamedByTheCode() {
    // gpt-3.5 #787 (audit 14): "and" and "Matches" were the titles of a regex's parts.
    assertEquals("^ and $", TitleMaker.fromItem(null, "- `^` and `$` - Anchors the pattern to the start and end."));
    assertEquals("@", TitleMaker.fromItem(null, "- `@` - Matches the \"@\" symbol."));
    assertEquals("enqueue(self, item)", TitleMaker.fromItem(null,
        "- `enqueue(self, item)` - Adds an item to the back of the queue."));
  }

  @Test
  void titlesAreUniqueCaseInsensitivelyAndFreeOfReservedText() {
    List<String> titles = TitleMaker.unique(List.of("Cost", "cost", "Speed"));
    assertEquals(3, titles.stream().map(String::toLowerCase).distinct().count());
    assertTrue(TitleMaker.fromItem("Tokens <|im_end|> here", "").indexOf("<|") < 0);
  }

  @Test
  void mergedTitlesJoinTheirParts() {
    assertEquals("Sleep and Diet", TitleMaker.merged(List.of("Sleep", "Diet")));
    assertTrue(TitleMaker.fits(TitleMaker.merged(List.of("Very Long First Title Here", "Another Long Second One",
        "Third"))));
  }

  @Test
  void titlesNeverLeaveABracketOrQuoteOpen() {
    assertEquals("pinch of salt", TitleMaker.balanced("pinch of salt (optional"));
    assertEquals("The Middle", TitleMaker.balanced("\"The Middle"));
    assertEquals("\"Dune\" by Frank Herbert", TitleMaker.balanced("\"Dune\" by Frank Herbert"));
    assertEquals("Multiple Choice Questions", TitleMaker.fromItem("Multiple Choice Questions (MCQs", ""));
  }

  @Test
  void titlesFromABodySkipAnOpeningThatSaysNothing() {
    assertEquals("Wrapping paper is thin", TitleMaker.fromItem(null, "If your wrapping paper is thin, use two layers."));
    assertEquals("Pumpkin puree is plain", TitleMaker.fromItem(null, "Make sure that the pumpkin puree is plain."));
    assertEquals("Prevent the crust from burning", TitleMaker.fromItem(null,
        "To prevent the crust from burning, cover its edges with foil."));
    assertEquals("Prefer", TitleMaker.fromItem(null, "If you prefer, you can peel the apples first."));
    String t = TitleMaker.fromItem(null, "Overfishing is a major threat to island economies.");
    assertTrue(!t.endsWith(" is") && TitleMaker.fits(t), t);
  }

  @Test
  void itemsThatOpenAlikeAreTitledByWhatFollows() {
    List<String> bodies = List.of("Who is most likely to become a viral meme?",
        "Who is most likely to adopt a robot pet?", "Who is most likely to retire on an island?");
    List<String> titles = new java.util.ArrayList<>();
    bodies.forEach(b -> titles.add(TitleMaker.fromItem(null, b)));
    List<String> distinct = TitleMaker.distinct(titles, java.util.Arrays.asList(null, null, null), bodies);
    assertEquals(3, distinct.stream().map(String::toLowerCase).distinct().count(), distinct.toString());
    assertTrue(distinct.get(1).toLowerCase().contains("robot"), distinct.toString());
    // Labels are kept when what follows them tells the items apart no better.
    List<String> labelled = TitleMaker.distinct(List.of("Cost", "Cost"), List.of("Cost", "Cost"), List.of("a b", "a c"));
    assertEquals(List.of("Cost", "Cost"), labelled);
  }

  @Test
  void mergedTitlesKeepWhatNamesEachItem() {
    // Gold Q10 and Q8 and AlpacaEval #41: a tip verb, a preposition, an adverb at the end.
    assertEquals("Root Cause and Stay Calm", TitleMaker.merged(List.of("Identify the Root Cause of the Conflict",
        "Stay Calm and Composed Under Pressure")));
    assertEquals("Access and Quality", TitleMaker.merged(List.of("Access to Education for Rural Students",
        "Quality of Education in Public Schools")));
    assertEquals("Feature Phone", TitleMaker.keyPhrase("Use a Feature Phone Occasionally", 2));
    // From the second audit: "Lack and Cultural Sensitivity" named nothing of its first item.
    assertEquals("Personalization", TitleMaker.keyPhrase("Lack of Personalization", 2));
    // A triple that cannot be named in the limit says there is more instead of naming the first alone.
    String triple = TitleMaker.merged(List.of("Semantic Guidance With Domain Ontologies",
        "Post-Processing Heuristics For Consistency", "Human-in-the-Loop Verification Workflows"));
    assertTrue(triple.endsWith(" and more") || triple.split(",").length == 3, triple);
  }

  @Test
  void withTheJobsTokenizerTitlesAreCountedInItsTokens() {
    // The estimate said 8 for "Of Mice and Men by John Steinbeck"; a real tokenizer said 9 and the
    // gate dropped the group. Counted by the job's tokenizer, a title always passes the gate.
    java.util.function.ToIntFunction<String> letters = s -> s.replace(" ", "").length() / 2;
    String label = "Photosynthesis Experiments for Curious Students";
    String t = TitleMaker.countingWith(letters, () -> TitleMaker.fromItem(label, ""));
    assertTrue(letters.applyAsInt(t) <= TitleMaker.MAX_TOKENS && !t.isEmpty(), t);
    assertTrue(letters.applyAsInt(TitleMaker.fromItem(label, "")) > TitleMaker.MAX_TOKENS,
        "the estimate alone would have kept a longer title");
    String merged = TitleMaker.countingWith(letters, () -> TitleMaker.merged(List.of("Broth-Based Soups", "Ginger Tea")));
    assertTrue(letters.applyAsInt(merged) <= TitleMaker.MAX_TOKENS, merged);
  }

  @Test
  void titlesFromABodyEndWhereAPhraseEnds() {
    // Audits: "The server starts each", "Implement sustainable fishing practices such".
    assertEquals("The server starts each point", TitleMaker.fromItem(null,
        "The server starts each point by standing in the service box and hitting the ball."));
    assertEquals("Implement sustainable fishing practices", TitleMaker.fromItem(null,
        "Implement sustainable fishing practices such as quotas and closed seasons."));
    assertEquals("Avoid single-use plastics", TitleMaker.fromItem(null,
        "Avoid single-use plastics and opt for reusable ones wherever you can."));
    assertEquals("Accidentally become a viral meme", TitleMaker.fromItem(null,
        "Who is most likely to accidentally become a viral meme because of a tech conference blooper?"));
  }

  @Test
  void namesAndAcronymsAreKeptWhole() {
    assertEquals("1984", TitleMaker.fromItem(null, "\"1984\" by George Orwell"));
    assertEquals("To Kill a Mockingbird", TitleMaker.fromItem(null, "*To Kill a Mockingbird* by Harper Lee, a classic."));
    assertEquals("Always check the oil", TitleMaker.fromItem(null, "*Always* check the oil before a long drive."));
    assertEquals("SAATM", TitleMaker.fromItem("Implementation of the Single African Air Transport Market (SAATM)", ""));
  }

  @Test
  void mergedTitlesSayASharedHeadOnceAndNeverRepeatAPart() {
    // Counted by a tokenizer that makes a token of each word (the job counts with its own).
    assertEquals("Convolutional and Recurrent Neural Networks", TitleMaker.countingWith(t -> t.split(" ").length,
        () -> TitleMaker.merged(List.of("Convolutional Neural Networks", "Recurrent Neural Networks"))));
    assertEquals("Superhero and name game", TitleMaker.merged(List.of("The superhero game", "The name game")));
    String triple = TitleMaker.merged(List.of("The memory game", "The alphabet game", "The one-word icebreaker"));
    assertTrue(!triple.toLowerCase().contains("game, game"), triple);
    assertTrue(Character.isUpperCase(triple.charAt(0)), triple);
  }

  @Test
  void firstWordsStopAtTheSubjectRatherThanOnItsVerb() {
    // A fresh audit of AlpacaEval (claude-3-opus #271, Mistral-7B #257): the title ended on the verb.
    assertEquals("The Organization table", TitleMaker.fromItem(null,
        "The Organization table represents the organizations that use the platform and their settings."));
    assertEquals("Shorter episodes", TitleMaker.fromItem(null,
        "Shorter episodes allow for more frequent breaks and keep the pace of the show up."));
    // A question or a clause is no subject, and "Seek help" ends on a noun.
    assertTrue(TitleMaker.fromItem(null, "Can you provide more details about the trip and its dates?").startsWith("Can you"));
    assertEquals("Seek help", TitleMaker.fromItem(null, "Seek help."));
  }

  @Test
  void aMergedTitleKeepsItsNegation() {
    // gpt-3.5 #360: "Never stop learning" became "Stop learning" in "Record and Stop learning".
    String t = TitleMaker.merged(List.of("Record and evaluate your playing", "Never stop learning"));
    assertTrue(t.contains("Never"), t);
  }

  @Test
  void aCutSentenceOrLabelEndsWhereItsPhraseEnds() {
    // Audits of AlpacaEval: titles stopped inside a noun phrase or before a verb's particle.
    assertEquals("Visit the picturesque medieval town", TitleMaker.fromItem(null,
        "Visit the picturesque medieval town of Gruy\u00e8res and its iconic castle"));
    assertEquals("Provide secure outdoor space", TitleMaker.fromItem(null,
        "Provide a safe and secure outdoor space for your own cat: Consider building a fenced area."));
    assertEquals("Always warm up", TitleMaker.fromItem(null, "Always warm up before starting any exercise routine."));
    assertEquals("Improved Quality of Life",
        TitleMaker.fromItem("Improved Quality of Life and Environmental Sustainability", ""));
    assertEquals("The Expanse", TitleMaker.fromItem("\"The Expanse\" series by James S. A. Corey", ""));
    assertEquals("Establish fatherhood training program", TitleMaker.fromItem(null,
        "To establish a reputable and recognized fatherhood training program based on Dwayne Meeks' book."));
    assertEquals("SAATM", TitleMaker.fromItem(null, "1. Implementation of the Single African Air Transport Market"
        + " (SAATM): Launched in 2018 by the African Union, SAATM aims to create a single market."));
    // A comma between two adjectives of one noun is no end ("a warm, | dry place").
    assertEquals("Always use gentle non-abrasive materials", TitleMaker.fromItem(null,
        "Always use gentle, non-abrasive materials when cleaning the paint."));
    // A cut that already ends a phrase stays as it was.
    assertEquals("Keep a fire extinguisher nearby", TitleMaker.fromItem(null, "Keep a fire extinguisher nearby, just in case."));
  }

  @Test
  void outlineNumberingNamesNoSectionAndACutKeepsItsNoun() {
    // Outline rows of audit 13: "Section 1", "III. Gift ideas ...", "Tips for selecting the perfect last-minute".
    assertEquals("Gift ideas for different occasions", TitleMaker.fromItem("III. Gift ideas for different occasions", ""));
    assertEquals("Unique and Thoughtful Gift Ideas", TitleMaker.fromItem("II. Section 1: Unique and Thoughtful Gift Ideas", ""));
    assertEquals("Tips for selecting the last-minute gift", TitleMaker.countingWith(
        org.aspd.tokens.TokenizerCache.get("o200k_base")::countText,
        () -> TitleMaker.fromItem("III. Tips for selecting the perfect last-minute gift", "")));
  }

  @Test
  void mergedTitlesKeepTheWordsThatNameTheItem() {
    // Audit 13: merged pairs read as word salad ("Statements and Relying", "Front and Relax", "Going and
    // Waterfall", "Overuse and Avoiding direct").
    List<String> signs = List.of("Overuse of vague terms", "Avoiding direct questions", "Using buzzwords without context",
        "Failure to ask clarifying questions", "Avoiding follow-up questions", "Using vague language",
        "Body language and tone", "Using overly complex language", "Relying on authority figures",
        "Inconsistent or contradictory statements");
    java.util.Set<String> common = TitleMaker.commonWords(signs);
    assertEquals(java.util.Set.of("questions", "language"), common);
    assertEquals("Vague terms and Direct questions", mergedByWords(signs.subList(0, 2), common));
    assertEquals("Evasive language and Clarifying questions", mergedByWords(List.of("Evasive language", signs.get(3)), common));
    assertEquals("Vague language and Authority figures", mergedByWords(List.of(signs.get(5), signs.get(8)), common));
    assertEquals("Contradictory statements and Authority figures",
        mergedByWords(List.of(signs.get(9), signs.get(8)), common));
    // "in front of" says where to practise, not what; "or" before a last noun of its own parts alternatives.
    assertEquals("Practice and Relax", mergedByWords(List.of("Practice in front of others", "Relax and enjoy it")));
    assertEquals("Scenic drive and Waterfall", mergedByWords(List.of(
        "Going on a scenic drive to enjoy the rainy landscapes", "Exploring a waterfall")));
    assertEquals("Walk, Yoga, Golf", mergedByWords(List.of("Participating in a charity walk or run",
        "Engaging in outdoor yoga or meditation", "Playing disc golf")));
    assertEquals("Fruits, Vegetables, Eggs", mergedByWords(List.of("Fruits", "Steamed Vegetables", "Boiled or Poached Eggs")));
    // A shared noun after a noun still goes: "Extreme weather", not "weather events".
    assertEquals("Extreme weather", TitleMaker.keyPhrase("Extreme weather events", 2, java.util.Set.of("events")));
    assertEquals("direct questions", TitleMaker.keyPhrase("Avoiding direct questions", 2, java.util.Set.of("questions")));
  }

  /** A merged title counted by a tokenizer that gives each word one token, as a real one does for common words. */
  private static String mergedByWords(List<String> titles, java.util.Set<String> common) {
    return TitleMaker.countingWith(t -> t.split(" ").length, () -> TitleMaker.merged(titles, common));
  }

  private static String mergedByWords(List<String> titles) {
    return mergedByWords(titles, java.util.Set.of());
  }

  @Test
  void mergedTitlesNameEachItemByWhatTellsItApart() {
    List<String> universities = List.of("Massachusetts Institute of Technology", "Stanford University",
        "Carnegie Mellon University", "University of California, Berkeley", "Technical University of Munich");
    java.util.Set<String> common = TitleMaker.commonWords(universities);
    assertEquals(java.util.Set.of("university"), common);
    assertEquals("Carnegie Mellon and Munich", TitleMaker.countingWith(t -> t.split(" ").length,
        () -> TitleMaker.merged(List.of("Carnegie Mellon University", "Technical University of Munich"), common)));
    assertEquals("Creativity and Work", TitleMaker.merged(List.of("Procrastination and Creativity", "Procrastination at Work"),
        TitleMaker.commonWords(List.of("Procrastination and Creativity", "Procrastination at Work", "Procrastination and Stress"))));
    // One "and" per pair, no quote marks, no "How" for every item.
    assertEquals("Security and Testing", TitleMaker.merged(List.of("Security", "Testing and debugging")));
    assertEquals("Dune and Neuromancer", TitleMaker.merged(List.of("\"Dune\" by Frank Herbert", "\"Neuromancer\" by William Gibson")));
    assertEquals("Debug code and Coding practices",
        TitleMaker.merged(List.of("How to debug code in Java", "Best coding practices for efficient programming")));
  }

  @Test
  void itemsThatShareTheirSubjectAreTitledByWhatFollowsTheVerb() {
    // Meta-Llama-3.1-8B #695: "The United States has been shaped by ..." gave "Has been shaped".
    List<String> bodies = List.of(
        "* The United States has experienced significant growth and expansion, including new territories.",
        "* The United States has been shaped by various social and economic movements, including feminism.",
        "* The United States is a global power, with significant economic and military influence.");
    List<String> titles = new java.util.ArrayList<>();
    bodies.forEach(b -> titles.add(TitleMaker.fromItem(null, b)));
    List<String> labels = java.util.Arrays.asList(null, null, null);
    assertEquals(List.of("Significant growth and expansion", "Various social and economic movements", "Global power"),
        TitleMaker.distinct(titles, labels, bodies));
  }

  @Test
  void sentenceTitlesStartPastWhatSaysNothingAboutTheItem() {
    // Audit 7 (Meta-Llama-3-8B #36, #100): "You can also add", "Traditionally", "Escargot can be made".
    assertEquals("Add some grated cheese", TitleMaker.fromItem(null,
        "You can also add some grated cheese (like Parmesan or Gruyère) to the garlic butter for extra flavor."));
    assertEquals("Adjust the level of spiciness", TitleMaker.fromItem(null,
        "You can adjust the level of spiciness to your liking by adding more or less cayenne pepper."));
    assertEquals("Canjeero cooked on a griddle", TitleMaker.fromItem(null,
        "Traditionally, Canjeero is cooked on a griddle or a large skillet over an open flame."));
    assertEquals("Escargot made ahead of time", TitleMaker.fromItem(null,
        "Escargot can be made ahead of time and refrigerated for up to 24 hours before baking."));
    // A passive that stops on its verb reads no better without the verb "to be": left as it was.
    assertEquals("Lists are ordered", TitleMaker.fromItem(null, "Lists are ordered, meaning that the order matters."));
  }

  @Test
  void aCutNeverEndsBeforeTheWordsItsLastWordNeeds() {
    assertEquals("Adjust the spiciness", TitleMaker.fromItem(null,
        "Adjust the spiciness according to your preference by adding more or less white pepper."));
    assertEquals("Freeze the bourekas", TitleMaker.fromItem(null,
        "You can freeze the bourekas for up to 2 months and bake them straight from the freezer."));
    assertEquals("Latvians use a type of sausage", TitleMaker.fromItem(null,
        "Traditionally, Latvians use a type of sausage called \"Rigas balzams\" which has a robust flavor."));
    // Audit 7 (claude-3-opus #790): "The is_empty" lost its noun, and "checks" wants its "if" clause.
    assertEquals("The is_empty method", TitleMaker.fromItem(null,
        "The `is_empty()` method checks if the queue is empty by checking if `stack1` is empty."));
  }

  @Test
  void namesWithMarksInsideStayWhole() {
    // Audit 7: "Dr" (Meta-Llama-3-8B #414), "Use" (gpt-3.5 #562), "a" and "Part 2" (Qwen1.5-7B #347).
    assertEquals("Dr Elara Vex", TitleMaker.fromItem(null,
        "Dr. Elara Vex, a brilliant scientist who created the Memory Implantation Device."));
    assertEquals("Use == for reference comparison", TitleMaker.fromItem(null,
        "Use == for reference comparison: If you need to check whether two references point to one object."));
    // claude-3-opus #562 (audit 12): an operator the item opens on is what it is about.
    assertEquals("== compares the reference", TitleMaker.fromItem(null,
        "1. `==` compares the reference (memory address) of two objects:\n   - It checks the address."));
    assertEquals("== Operator", Labels.clean("**`==` Operator**:")); // gpt4_1106 #562: not "Operator"
    assertEquals("Keep it short", Labels.clean("=> Keep it short")); // an arrow is a bullet
    assertEquals("-a (archive mode)", TitleMaker.fromItem(null,
        "- `-a` (archive mode) preserves file permissions, ownership, and timestamps."));
    // Two modifiers of one noun read on past their comma, a hyphenated one too.
    assertEquals("Use fresh high-quality ingredients", TitleMaker.fromItem(null,
        "Use fresh, high-quality ingredients, including fresh garlic and good-quality butter."));
  }

  @Test
  void aLabelEveryItemSharesGivesWayToWhatFollowsIt() {
    // Audit 7 (Qwen1.5-7B #191): "Corrected", "Corrected 2", ... named no sentence.
    List<String> labels = List.of("Corrected", "Corrected", "Corrected");
    List<String> titles = TitleMaker.distinct(labels, labels, List.of("We went to the park.",
        "She doesn't like coffee, she prefers tea.", "The cat chased its tail around the table."));
    assertEquals(List.of("We went to the park", "She doesn't like coffee", "The cat chased its tail"), titles);
    // A label that only some items share is still their name ("Security", "Security 2").
    List<String> some = List.of("Security", "Speed", "Security");
    assertEquals(some, TitleMaker.distinct(some, some, List.of("Look for ad blockers.", "Pick a fast one.",
        "Opt for private browsing.")));
  }

  @Test
  void aQuestionIsTitledByWhatItAsksAbout() {
    // Audit 7b: "Does crime tend", "Can you tell us", "What role" said only that the item asks.
    assertEquals("Previous retail experience", TitleMaker.fromItem(null,
        "Can you tell us about your previous retail experience and how it relates to this job?"));
    assertEquals("Success of a campaign", TitleMaker.fromItem(null,
        "How do you measure the success of a campaign in the first month?"));
    assertEquals("Specific customer segments", TitleMaker.fromItem(null,
        "Are there any specific customer segments that are more inclined towards ecommerce?"));
    // "a time when", "an example of": no topic by themselves; a comma ends a phrase.
    assertEquals("Irate customer", TitleMaker.fromItem(null,
        "Can you describe a time when you had to deal with an irate customer? How did you handle it?"));
    assertEquals("Industry trends", TitleMaker.fromItem(null,
        "How do you stay informed about industry trends, new products, and competitor activity?"));
    // A topic of one word says less than the question's first words, which stay.
    assertEquals("Would you recommend this hotel", TitleMaker.fromItem(null,
        "Would you recommend this hotel to others? Why or why not?"));
    // Two questions about one topic are told apart by how each asks.
    List<String> bodies = List.of("What role do early warning systems play in preventing natural disasters?",
        "How can we better prepare for and respond to natural disasters?");
    List<String> titles = new java.util.ArrayList<>();
    bodies.forEach(b -> titles.add(TitleMaker.fromItem(null, b)));
    List<String> apart = TitleMaker.distinct(titles, java.util.Arrays.asList(null, null), bodies);
    assertEquals(2, apart.stream().map(String::toLowerCase).distinct().count(), apart.toString());
  }

  @Test
  void namesHeadingsAndQuotedWordsStayWhole() {
    // Audit 8: "The Dexter Avenue King", "Nintendo Nintendo known for creating", "Consider drawing a small".
    assertEquals("Dexter Avenue King Memorial Baptist Church", TitleMaker.fromItem(null,
        "The Dexter Avenue King Memorial Baptist Church: This church was the home church of Martin Luther King Jr."));
    assertEquals("Nintendo", TitleMaker.fromItem(null,
        "Nintendo\nNintendo is known for creating high-quality, family-friendly games and consoles."));
    assertEquals("Group Discussion", TitleMaker.fromItem(null,
        "Group Discussion (30 minutes)\n- Divide the class into small groups and give each a topic."));
    assertEquals("Consider drawing a small hopscotch design", TitleMaker.fromItem(null,
        "Consider drawing a small \"hopscotch\" design at the top or bottom of the grid."));
    // A line that opens a sentence ("For SQL Server:") is no name.
    assertEquals("SQL Server", TitleMaker.fromItem(null, "For SQL Server:\n+ The documentation covers DISTINCT."));
  }

  @Test
  void aMergedPartEndsAtItsHeadBeforeAPreposition() {
    // gpt-3.5 #539 (audit 8): "Behind Why and 5 Strategies" joined two fragments.
    assertEquals("Science", TitleMaker.keyPhrase("The Science Behind Why We Do It", 2));
    assertEquals("Habit", TitleMaker.keyPhrase("The Habit Behind Every Delay We Make", 2));
  }

  @Test
  void aLongNameIsCutBeforeAPhraseAndNoTitleEndsOnASeparator() {
    // llama-2 #519 and Meta-Llama-3-8B #517: "The" for a seven-word book title, "Electric Guesthouse -".
    assertEquals("The 7 Habits", TitleMaker.fromItem(null,
        "\"The 7 Habits of Highly Effective People\" by Stephen Covey: This self-help classic has sold well."));
    assertEquals("The Long Way", TitleMaker.fromItem(null,
        "\"The Long Way to a Small, Angry Planet\" by Becky Chambers - This novel follows a tunnelling crew."));
    // Pairwise review (Qwen2-72B #539, Meta-Llama-3-8B #641): a name's first part, and no cut past a mark.
    assertEquals("The Science of Procrastination", TitleMaker.fromItem(null,
        "\"The Science of Procrastination: Why Do We Do It?\" - A deep dive into the reasons behind it."));
    assertEquals("Safe and sound", TitleMaker.fromItem(null,
        "\"Safe and sound, I see! Good to know you made it back in one piece.\""));
    assertEquals("Electric Guesthouse", TitleMaker.fromItem(null,
        "**Electric Guesthouse - \"Get Down\" (Indie Electronic) - A funky, energetic opener for coding."));
  }

  @Test
  void aPairOfNounsStaysWholeAndAVerbReadAsANounIsNoEnd() {
    // Meta-Llama-3.1-8B #4 and #466 (audit 9): "Use a measuring tape", "The third line calculates".
    assertEquals("Use a measuring tape or ruler", TitleMaker.fromItem(null,
        "Use a measuring tape or ruler to ensure your folds are accurate and symmetrical."));
    assertEquals("The third line calculates the product", TitleMaker.fromItem(null,
        "The third line calculates the product of the two numbers using the operator and stores it."));
    // A relative clause after a plural noun is no object of a verb.
    assertEquals("Provide ideas for DIY gifts", TitleMaker.fromItem(null,
        "Provide ideas for DIY gifts that can be made last-minute, such as handmade crafts."));
  }

  @Test
  void aQuestionAboutWaysIsTitledByWhatCanBeDone() {
    // vicuna-13b #592 and Qwen2-72B #515 (audit 10): "Ways that individuals", "Ensure".
    assertEquals("Reduce their carbon footprint", TitleMaker.fromItem(null,
        "What are some ways that individuals can reduce their carbon footprint in their daily lives?"));
    assertEquals("Necessary packages installed", TitleMaker.fromItem(null,
        "Ensure that you have the necessary packages installed in your Overleaf document, such as natbib."));
  }

  @Test
  void aCutAtTheCommaOfASeriesKeepsItsNounOrItsFirstTwoMembers() {
    // claude-3-opus #529 (audit 11) and every model's #529: "Write clean", "Write unit", "Diagnose".
    assertEquals("Write clean code", TitleMaker.fromItem(null,
        "Write clean, efficient, and maintainable code in Python and Pyspark, following best practices."));
    assertEquals("Write unit tests", TitleMaker.fromItem(null,
        "Write unit, integration, and end-to-end tests to verify functionality using automated frameworks."));
    assertEquals("Diagnose and debug", TitleMaker.fromItem(null,
        "Diagnose, debug, and perform root cause analysis of issues and defects."));
    // A list of nouns whose last member is a compound, or whose members are heads, stays cut.
    assertEquals("Add different flavorings like cinnamon", TitleMaker.fromItem(null,
        "Add different flavorings like cinnamon, nutmeg, or chocolate chips to the batter before baking."));
    assertEquals("Practice", TitleMaker.fromItem(null,
        "Practice, practice, practice: the more you rehearse, the more confident you will feel."));
  }

  @Test
  void aSubjectCutBeforeItsVerbBesideTheSameSubjectRunningOnIsToldApartByObjects() {
    // Meta-Llama-3.1-8B #695 (audit 11): "The country" and "The country has been involved".
    List<String> bodies = List.of(
        "The country has experienced significant growth and expansion, including new territories and states.",
        "The United States is a global power, with economic, military and cultural influence.",
        "The country has been involved in numerous wars and conflicts, including both world wars.");
    List<String> titles = new java.util.ArrayList<>();
    bodies.forEach(b -> titles.add(TitleMaker.fromItem(null, b)));
    assertEquals("The country", titles.get(0));
    assertEquals(List.of("Significant growth and expansion", titles.get(1), "Numerous wars and conflicts"),
        TitleMaker.distinct(titles, java.util.Arrays.asList(null, null, null), bodies));
  }

  @Test
  void anAcronymInBracketsInsideAPhraseIsSkippedNotACut() {
    // vicuna-13b #401 (audit 11): "Use a Just-In-Time" for "Use a Just-In-Time (JIT) compiler".
    assertEquals("Use a Just-In-Time compiler", TitleMaker.fromItem(null,
        "Use a Just-In-Time (JIT) compiler: Some Python implementations, such as PyPy, include one."));
    assertEquals("Use a Just-In-Time compiler", TitleMaker.fromItem("Use a Just-In-Time (JIT) compiler",
        "Some Python implementations, such as PyPy, include one."));
    assertEquals("User Interface and User Experience", TitleMaker.fromItem(
        "User Interface (UI) and User Experience (UX)", "Design screens that are easy to use."));
    assertEquals("Cost", TitleMaker.fromItem("Cost (in dollars)", "About forty dollars a month for the plan."));
  }

  @Test
  void aTitleCutAfterAStrengthenerIsMadeWithoutIt() {
    // vicuna-7b #132: "Cash is not a very" for "cash is not a very stable asset".
    assertEquals("Cash is not a stable asset", TitleMaker.fromItem(null,
        "Second, cash is not a very stable asset, as its value can fluctuate with inflation and rates."));
    assertEquals("Cash is a very liquid asset", TitleMaker.fromItem(null,
        "First, cash is a very liquid asset, which means that it can be converted easily."));
  }

  @Test
  void aShortNameOfLettersAndDigitsOpensTheTitle() {
    // claude-3-opus #244 and Qwen1.5-7B #587: "printing communities", "power supply".
    assertEquals("3D printing communities share free designs", TitleMaker.fromItem(null,
        "3D printing communities share free designs for mice and keyboards online."));
    assertEquals("12V power supply", TitleMaker.fromItem(null, "12V power supply: powers the LED strip."));
    // A lone letter names too little to open a title.
    assertTrue(!TitleMaker.fromItem(null, "R is the average rate of star formation in our galaxy.").startsWith("R "));
  }

  @Test
  void twoModifiersOfANounAndAListOfNamesAreNotCutAtTheirFirstComma() {
    // claude-3-opus #304 and Meta-Llama-3-8B #779 (audit 12): "Eat a light", "The solo careers of John".
    assertEquals("Eat a light nutritious meal", TitleMaker.fromItem(null,
        "Eat a light, nutritious meal the next day to help your body recover."));
    assertEquals("The solo careers", TitleMaker.fromItem(
        "The solo careers of John, Paul, George, and Ringo might have taken off earlier", "As talented musicians."));
    assertEquals("The solo careers", TitleMaker.fromItem(null,
        "The solo careers of John, Paul, George and Ringo after the breakup."));
  }
}

