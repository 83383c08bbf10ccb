package org.aspd.format;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import org.aspd.testing.SharedDatasets;
import org.junit.jupiter.api.Test;

/**
 * Round trips over every real text in {@code ../shared/datasets}: escaping, both codecs, and a
 * synthetic split of each text into a group at its paragraph breaks (so the whitespace alignment
 * and the escaping are exercised on real markdown, code and symbols).
 */
class RealTextRoundTripTest {

  @Test
  void everyRealTextSurvivesBothCodecs() throws Exception {
    List<String> texts = SharedDatasets.allTexts(20);
    assertTrue(texts.size() > 10_000, "expected the shared answer sets, found " + texts.size() + " texts");
    int grouped = 0;
    for (String text : texts) {
      assertEquals(text, TagEscaper.unescape(TagEscaper.escape(text)));
      Response serial = Response.serial(text);
      assertEquals(serial, AspdText.parse(AspdText.serialize(serial)));
      assertEquals(text, AnnotationCodec.parse(AnnotationCodec.format(serial), text).plainText());

      Response split = splitAtParagraphs(text);
      if (split.isParallel()) {
        grouped++;
        String annotated = AnnotationCodec.format(split);
        Response parsed = AnnotationCodec.parse(annotated, text);
        assertEquals(text, parsed.plainText());
        String aspd = AspdText.serialize(parsed);
        assertEquals(text, AspdText.deTag(aspd), "de-tagging the token format restores the source");
        assertEquals(parsed, AspdText.parse(aspd));
      }
    }
    assertTrue(grouped > 1_000, "expected many multi-paragraph texts, found " + grouped);
  }

  /** Intro paragraph serial, the middle paragraphs as branches, the last paragraph serial. */
  static Response splitAtParagraphs(String text) {
    String[] paragraphs = text.split("(?<=\\n\\n)");
    if (paragraphs.length < 4) {
      return Response.serial(text);
    }
    List<Branch> branches = new ArrayList<>();
    for (int i = 1; i < paragraphs.length - 1; i++) {
      branches.add(new Branch("Part " + i, paragraphs[i]));
    }
    return new Response(List.of(new SerialText(paragraphs[0]), new Group(branches),
        new SerialText(paragraphs[paragraphs.length - 1]))).normalized();
  }
}
