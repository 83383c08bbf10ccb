package org.aspd.teacher.rules;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

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
  }

  @Test
  void derivationsThatCarryNumbersAreRejected() {
    Assessment a = assess("", "1. **Apples:** 3 × 12 = 36 dollars.\n", "2. **Total:** 36 + 12 = 48 dollars.");
    assertFalse(a.independent());
    assertTrue(a.reason().startsWith("derivation"), a.reason());
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
}
