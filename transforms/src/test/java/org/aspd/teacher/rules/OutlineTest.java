package org.aspd.teacher.rules;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

class OutlineTest {
  @Test
  void classifiesHeadingsItemsCodeAndMath() {
    String text = "# Title\n**Bold heading:**\nPotential Risks:\n- bullet\n12. numbered\n```\n# not a heading\n1. not an item\n```\n\\[ x = 1 \\]\nplain";
    List<Line> lines = MarkdownLines.split(text);
    assertEquals(List.of(Line.Kind.HEADING, Line.Kind.HEADING, Line.Kind.HEADING, Line.Kind.ITEM, Line.Kind.ITEM,
        Line.Kind.CODE, Line.Kind.CODE, Line.Kind.CODE, Line.Kind.CODE, Line.Kind.MATH, Line.Kind.TEXT),
        lines.stream().map(Line::kind).toList());
    assertEquals(List.of(1, 7, 8), lines.subList(0, 3).stream().map(Line::level).toList());
    assertTrue(lines.get(4).ordered());
  }

  @Test
  void plainOutlineAndEssayLinesAreHeadings() {
    // gpt-3.5 #532 (audit 13): "III. Gift ideas for different occasions" over bullets was plain text, so
    // the outline's sections were never planned; gpt4 #203: an essay's bare "Conclusion" ran into the
    // last section.
    String text = "I. Introduction\n- Set the tone\n\nIV. AI Technology and Content\n- Tools\n\nConclusion\n\n"
        + "Prologue:\nIt began at night.\n\nV. S. Naipaul wrote many novels.\nII. This sentence ends on a stop.";
    List<Line> lines = MarkdownLines.split(text);
    List<Integer> headings = new java.util.ArrayList<>();
    for (int i = 0; i < lines.size(); i++) {
      if (lines.get(i).isHeading()) {
        headings.add(i);
      }
    }
    assertEquals(List.of(0, 3, 6, 8), headings);
    // A title line's bracketed gloss does not count to its length (claude-3-opus #800, audit 13).
    assertEquals(List.of(Line.Kind.HEADING, Line.Kind.TEXT), MarkdownLines.split(
        "Jazz as a Voice for Change (2 minutes):\nJazz as a Voice for Change Across Decades:").stream()
        .map(Line::kind).toList());
    assertEquals("AI Technology and Content", Labels.withoutNumbering("IV. AI Technology and Content"));
    assertEquals("Practical and Useful Gifts", Labels.withoutNumbering("IV. Section 2: Practical and Useful Gifts"));
    assertEquals("Section 2", Labels.withoutNumbering("Section 2"));
  }

  @Test
  void numberedListKeepsNestedBulletsInsideItsItems() {
    String text = "Intro:\n\n1. **A:**\n   - one\n   - two\n\n2. **B:**\n- unindented child\n3. **C:** text\n\nClosing.";
    Outline o = Outline.of(text);
    Outline.ListBlock top = o.lists.stream().filter(l -> l.depth() == 0).findFirst().orElseThrow();
    assertEquals(Outline.ListKind.NUMBERED, top.kind());
    assertEquals(3, top.items().size());
    assertTrue(o.text.substring(o.startOffset(top.items().get(1).first()), o.endOffset(top.items().get(1).end()))
        .contains("unindented child"));
  }

  @Test
  void sectionsNestAndBoldLeadParagraphsFormRuns() {
    String text = "## Part\n### A\ntext a\n### B\ntext b\n\n**Cost:** cheap enough.\n\n**Speed:** fast enough.\n";
    Outline o = Outline.of(text);
    assertEquals(3, o.sections.size());
    assertEquals(0, o.sections.get(1).parent());
    assertEquals("B", o.headingLabel(o.sections.get(2)));
    assertTrue(o.lists.stream().anyMatch(l -> l.kind() == Outline.ListKind.BOLD_LEAD && l.items().size() == 2));
  }

  @Test
  void repeatedSpeakerLabelsAreNotSiblings() {
    String text = "**Host:** Welcome to the show everyone.\n\n**Guest:** Thanks for having me here.\n\n"
        + "**Host:** Let us begin with the news.\n";
    assertTrue(Outline.of(text).lists.stream().noneMatch(l -> l.kind() == Outline.ListKind.BOLD_LEAD));
  }

  @Test
  void labelsComeFromBoldLeadsAndColonPrefixes() {
    String line = "**Cost:** cheap";
    assertEquals("Cost", Labels.itemLabel(line, 0, line.length()));
    String dash = "**Speed** – very fast";
    assertEquals("Speed", Labels.itemLabel(dash, 0, dash.length()));
    String colon = "Battery life: lasts all day";
    assertEquals("Battery life", Labels.itemLabel(colon, 0, colon.length()));
    // Meta-Llama-3-8B #491: a name glossed before its separator is still the label.
    String glossed = "1. **Misty Blue** (#A1C9F2) - A soft, calming blue-gray.";
    assertEquals("Misty Blue", Labels.itemLabel(glossed, 3, glossed.length()));
    String plain = "Just a sentence, with no label.";
    assertNull(Labels.itemLabel(plain, 0, plain.length()));
  }

  @Test
  void aNumberWithItsSpaceLeftOutStillMarksAnItem() {
    // llama-2 #671 (audit 7): "7.Texture:" was read as part of item 6, whose branch took it in.
    List<Line> lines = MarkdownLines.split(
        "6. Timbre: the colour of a sound.\n7.Texture: layers of sound.\n3.14 is pi.");
    assertEquals(List.of(Line.Kind.ITEM, Line.Kind.ITEM, Line.Kind.TEXT), lines.stream().map(Line::kind).toList());
    assertEquals("Texture", BranchView.of("7.Texture: layers of sound.").label());
  }
}
