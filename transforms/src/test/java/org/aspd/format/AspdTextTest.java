package org.aspd.format;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/** The Java reading of the six-token format refuses what the native layout refuses (method §1, §8(d)). */
class AspdTextTest {
  private static final String GROUP = "x<|title|>%s<|/title|><|title|>%s<|/title|><|para|><|branch|>%s: a a<|/branch|>"
      + "<|branch|>%s: b b<|/branch|><|/para|> y";

  @Test
  void emptyAndRepeatedTitlesAreRefusedLikeTheNativeLayout() throws Exception {
    assertEquals(2, AspdText.parse(String.format(GROUP, "A", "B", "A", "B")).groups().get(0).size());
    AnnotationException repeated = assertThrows(AnnotationException.class,
        () -> AspdText.parse(String.format(GROUP, "A", "A", "A", "A")));
    assertTrue(repeated.getMessage().contains("title 'A'") && repeated.getMessage().contains("repeats"),
        repeated.getMessage());
    AnnotationException empty = assertThrows(AnnotationException.class,
        () -> AspdText.parse(String.format(GROUP, "", "B", "", "B")));
    assertTrue(empty.getMessage().startsWith("empty title"), empty.getMessage());
  }
}
