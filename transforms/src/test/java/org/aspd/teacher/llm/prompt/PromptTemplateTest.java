package org.aspd.teacher.llm.prompt;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Map;
import org.aspd.teacher.llm.Hashing;
import org.junit.jupiter.api.Test;

class PromptTemplateTest {
  @Test
  void everyPromptLoadsWithADistinctSha256Version() {
    Prompts p = Prompts.load();
    assertEquals(6, p.versions().size());
    assertEquals(6, p.versions().values().stream().distinct().count());
    assertTrue(p.rewrite().version().matches("[0-9a-f]{64}"));
    assertTrue(p.rewrite().system().contains("<<<ANNOTATED>>>"), "the reply shape the parser reads");
  }

  @Test
  void versionIsTheHashOfTheWholeFileSoAnyEditChangesIt() {
    String text = "### system\nJudge.\n### user\nQ: {{question}}\n";
    PromptTemplate a = new PromptTemplate("t", text);
    assertEquals(Hashing.sha256(text), a.version());
    assertNotEquals(a.version(), new PromptTemplate("t", text.replace("Judge.", "Judge!")).version());
  }

  @Test
  void placeholdersAreFilledOnceAndMissingOnesAreBugs() {
    PromptTemplate t = new PromptTemplate("t", "### system\nS\n### user\nA={{answer}} B={{answer}}\n");
    assertEquals("A={{answer}} $1 B={{answer}} $1", t.user(Map.of("answer", "{{answer}} $1")));
    assertThrows(IllegalStateException.class, () -> t.user(Map.of()));
  }
}
