package org.aspd.format;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

class AnnotationCodecTest {
  private static final String SOURCE =
      "Two options:\n\n1. **Tea**: steep for 3 minutes.\n\n2. **Coffee**: brew for 4 minutes.\n\nEnjoy!";

  /** The method doc's §2 example, converted to the §1 example byte for byte. */
  @Test
  void methodDocExampleConvertsToTheTokenFormatExample() throws Exception {
    String annotated = "Two options:\n\n<branchgroup><branch title=\"Tea\">1. **Tea**: steep for 3 minutes.</branch>\n\n"
        + "<branch title=\"Coffee\">2. **Coffee**: brew for 4 minutes.</branch></branchgroup>\n\nEnjoy!";
    Response r = AnnotationCodec.parse(annotated, SOURCE);
    assertEquals(SOURCE, r.plainText());
    assertEquals("Two options:\n\n<|title|>Tea<|/title|><|title|>Coffee<|/title|><|para|><|branch|>Tea: 1. **Tea**: steep"
        + " for 3 minutes.\n\n<|/branch|><|branch|>Coffee: 2. **Coffee**: brew for 4 minutes.\n\n<|/branch|><|/para|>Enjoy!",
        AspdText.serialize(r));
  }

  @Test
  void whitespaceAroundTagsIsRederivedFromTheSource() throws Exception {
    String annotated = "Two options:\n<branchgroup>\n<branch title=\"Tea\">\n1. **Tea**: steep for 3 minutes.\n</branch>\n"
        + "<branch title=' Coffee '>2. **Coffee**: brew for 4 minutes.</branch>\n</branchgroup>\nEnjoy!";
    Response r = AnnotationCodec.parse(annotated, SOURCE);
    assertEquals(SOURCE, r.plainText());
    Group g = r.groups().get(0);
    assertEquals("Coffee", g.branches().get(1).title());
    assertEquals("1. **Tea**: steep for 3 minutes.\n\n", g.branches().get(0).content());
  }

  @Test
  void formatThenParseIsIdentity() throws Exception {
    Response r = new Response(List.of(new SerialText("Intro <branch> & co:\n\n"),
        new Group(List.of(new Branch("A \"q\" & <b>", "- first item text\n"), new Branch("B", "- second <branchgroup> item\n\n"))),
        new SerialText("Done.")));
    String annotated = AnnotationCodec.format(r);
    assertEquals(r, AnnotationCodec.parse(annotated, r.plainText()));
  }

  @Test
  void rejectsMalformedMarkupWithAReason() {
    String src = "aaaaaaaaaaaa bbbbbbbbbbbb";
    assertCode("nesting", "<branchgroup><branch title=\"x\">aaaaaaaaaaaa <branchgroup></branch></branchgroup>", src);
    assertCode("unbalanced", "<branchgroup><branch title=\"x\">aaaaaaaaaaaa bbbbbbbbbbbb</branchgroup>", src);
    assertCode("unbalanced", "<branchgroup><branch title=\"x\">aaaaaaaaaaaa</branch> <branch title=\"y\">bbbbbbbbbbbb</branch>", src);
    assertCode("unbalanced", "aaaaaaaaaaaa</branch> bbbbbbbbbbbb", src);
    assertCode("text_between_branches",
        "<branchgroup><branch title=\"x\">aaaaaaaaaaaa</branch> and <branch title=\"y\">bbbbbbbbbbbb</branch></branchgroup>", src);
    assertCode("attribute_syntax", "<branchgroup><branch name=\"x\">aaaaaaaaaaaa</branch></branchgroup> bbbbbbbbbbbb", src);
    assertCode("attribute_syntax", "<branchgroup><branch title=\"x>aaaaaaaaaaaa</branch></branchgroup> bbbbbbbbbbbb", src);
    assertCode("attribute_syntax", "<branchgroup><branch title=\"a&b\">aaaaaaaaaaaa</branch></branchgroup> bbbbbbbbbbbb", src);
    assertCode("empty_group", "<branchgroup></branchgroup>aaaaaaaaaaaa bbbbbbbbbbbb", src);
  }

  @Test
  void rejectsChangedAddedOrDroppedText() {
    String src = "First point is here.\n\nSecond point is here.";
    assertCode("text_changed", "<branchgroup><branch title=\"a\">First point is HERE.</branch>"
        + "<branch title=\"b\">Second point is here.</branch></branchgroup>", src);
    assertCode("text_dropped", "<branchgroup><branch title=\"a\">First point is here.</branch>"
        + "<branch title=\"b\">Second point</branch></branchgroup>", src);
    assertCode("text_changed", "Intro. <branchgroup><branch title=\"a\">First point is here.</branch>"
        + "<branch title=\"b\">Second point is here.</branch></branchgroup>", src);
    assertCode("text_changed", "<branchgroup><branch title=\"a\">First point  is here.</branch>"
        + "<branch title=\"b\">Second point is here.</branch></branchgroup>", src);
  }

  @Test
  void oneBranchGroupsAndAdjacentGroupsAreDemoted() throws Exception {
    String src = "Alpha item text.\nBeta item text.\n\nGamma item text.\nDelta item text.";
    String annotated = "<branchgroup><branch title=\"a\">Alpha item text.</branch><branch title=\"b\">Beta item text.</branch>"
        + "</branchgroup>\n\n<branchgroup><branch title=\"g\">Gamma item text.</branch><branch title=\"d\">Delta item text."
        + "</branch></branchgroup>";
    Response r = AnnotationCodec.parse(annotated, src);
    assertEquals(src, r.plainText());
    assertEquals(1, r.groups().size(), "the second group follows the first with only whitespace between them");
    assertTrue(r.items().get(1) instanceof SerialText);
    assertEquals("Beta item text.\n\n", r.groups().get(0).branches().get(1).content());

    Response single = AnnotationCodec.parse("x <branchgroup><branch title=\"a\">Alpha item text.</branch></branchgroup>",
        "x Alpha item text.");
    assertEquals(List.of(new SerialText("x Alpha item text.")), single.items());
  }

  private static void assertCode(String code, String annotated, String source) {
    AnnotationException e = assertThrows(AnnotationException.class, () -> AnnotationCodec.parse(annotated, source));
    assertEquals(code, e.code(), e.getMessage());
    assertTrue(!e.getMessage().isBlank());
  }
}
