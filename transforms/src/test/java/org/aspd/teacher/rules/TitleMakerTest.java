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
    assertEquals("Matches the beginning", TitleMaker.fromItem(null, "`^[a-z]+`: Matches the beginning of it."));
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
}
