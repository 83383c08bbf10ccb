package org.aspd.stages;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.aspd.format.AnnotationCodec;
import org.aspd.format.AnnotationException;
import org.aspd.format.Branch;
import org.aspd.format.Group;
import org.aspd.format.Response;
import org.aspd.model.IntegrityEdit;
import org.aspd.tokens.AspdTokenizer;
import org.aspd.tokens.TokenizerCache;
import org.junit.jupiter.api.Test;

/** Method §3 stage 1, token alignment: slight edits pass within the budget and are undone. */
class TokenAlignmentGateTest {
  private static final AspdTokenizer TOK = TokenizerCache.get("o200k_base");
  private static final String SOURCE = "Here are the options you can consider today:\n\n"
      + "1. **Walking**: a gentle way to move every day and clear your head outside.\n\n"
      + "2. **Cycling**: faster than walking, see https://example.org/bikes for routes.\n\n"
      + "3. **Swimming**: works the whole body; run `pool --lanes` to book a lane.\n\n"
      + "Pick the one you enjoy.";
  private static final String EXACT = "Here are the options you can consider today:\n\n<branchgroup>"
      + "<branch title=\"Walking\">1. **Walking**: a gentle way to move every day and clear your head outside.</branch>"
      + "<branch title=\"Cycling\">2. **Cycling**: faster than walking, see https://example.org/bikes for routes.</branch>"
      + "<branch title=\"Swimming\">3. **Swimming**: works the whole body; run `pool --lanes` to book a lane.</branch>"
      + "</branchgroup>\n\nPick the one you enjoy.";

  private static TokenAlignmentGate.Result gate(String rewrite, int budget) throws AnnotationException {
    return TokenAlignmentGate.apply(AnnotationCodec.scan(rewrite), SOURCE, budget, TOK);
  }

  @Test
  void aDroppedPeriodAndAChangedWordAreUndoneAndRecorded() throws AnnotationException {
    String edited = EXACT.replace("head outside.</branch>", "head outside</branch>")
        .replace("Pick the one", "Choose the one");
    assertThrows(AnnotationException.class, () -> AnnotationCodec.parse(edited, SOURCE), "exact integrity fails");
    TokenAlignmentGate.Result r = gate(edited, 4);
    Response response = r.response();
    assertEquals(SOURCE, response.plainText(), "the row keeps the source byte for byte");
    assertEquals(1, response.groups().size());
    Group g = response.groups().get(0);
    assertEquals(List.of("Walking", "Cycling", "Swimming"), g.branches().stream().map(Branch::title).toList());
    assertTrue(g.branches().get(0).content().endsWith("head outside.\n\n"), g.branches().get(0).content());
    assertTrue(g.branches().get(1).content().startsWith("2. **Cycling**"), g.branches().get(1).content());
    assertEquals(List.of(
        new IntegrityEdit(SOURCE.indexOf("outside."), "outside.", "outside", 1, "group 0 branch 0 'Walking'"),
        new IntegrityEdit(SOURCE.indexOf("Pick"), "Pick", "Choose", 1, "serial")), r.edits());
  }

  @Test
  void exactTextPassesWithNoEdits() throws AnnotationException {
    TokenAlignmentGate.Result r = gate(EXACT, 0);
    assertEquals(List.of(), r.edits());
    assertEquals(AnnotationCodec.parse(EXACT, SOURCE), r.response());
  }

  @Test
  void editsOverTheBudgetFail() throws AnnotationException {
    String edited = EXACT.replace("a gentle way to move", "a calm manner of moving");
    assertTrue(gate(edited, 32).edits().stream().mapToInt(IntegrityEdit::tokenEdits).sum() > 2);
    AnnotationException e = assertThrows(AnnotationException.class, () -> gate(edited, 2));
    assertEquals("edit_budget", e.code());
    String rewritten = EXACT.replace("clear your head outside.", "x".repeat(400));
    assertEquals("edit_budget", assertThrows(AnnotationException.class, () -> gate(rewritten, 32)).code());
  }

  @Test
  void editsTouchingDigitsCodeOrUrlsFail() {
    for (String edited : List.of(
        EXACT.replace("3. **Swimming**", "4. **Swimming**"),
        EXACT.replace("https://example.org/bikes", "https://example.org/bike"),
        EXACT.replace("`pool --lanes`", "`pool --lane`"),
        EXACT.replace("faster than walking", "faster than walking (see www.bikes.org)"),
        EXACT.replace("works the whole body", "works the whole `body`"))) {
      AnnotationException e = assertThrows(AnnotationException.class, () -> gate(edited, 32), edited);
      assertEquals("edit_protected", e.code(), e.getMessage());
    }
  }

  @Test
  void theBudgetIsTheSmallerOfTheCapAndTheShare() {
    StageConfig d = StageConfig.defaults();
    assertEquals(2, TokenAlignmentGate.budget(d, 149)); // floor(2.98)
    assertEquals(32, TokenAlignmentGate.budget(d, 5000));
    assertEquals(0, TokenAlignmentGate.budget(d, 49));
  }

  @Test
  void levenshteinCountsSubstitutionsOnce() {
    assertEquals(1, TokenAlignmentGate.levenshtein(new int[] {1, 2, 3}, new int[] {1, 9, 3}));
    assertEquals(2, TokenAlignmentGate.levenshtein(new int[] {1, 2, 3}, new int[] {2}));
    assertEquals(3, TokenAlignmentGate.levenshtein(new int[0], new int[] {4, 5, 6}));
  }
}
