package org.aspd.format;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** Random strings over the alphabets that matter: escaping must be exactly reversible. */
class EscapingPropertyTest {
  private static final String TAG_ALPHABET = "<>/&;branchgoupltmp \"=x";
  private static final String TOKEN_ALPHABET = "<|\\/branchtilepa> ";

  @Test
  void tagEscapingRoundTripsAndHidesEveryTag() {
    Random rnd = new Random(7);
    for (int i = 0; i < 20_000; i++) {
      String s = random(rnd, TAG_ALPHABET, 40);
      String escaped = TagEscaper.escape(s);
      assertEquals(s, TagEscaper.unescape(escaped), "round trip of '" + s + "'");
      assertFalse(escaped.toLowerCase().contains("<branch") || escaped.toLowerCase().contains("</branch"), escaped);
    }
  }

  @Test
  void knownTagEscapes() {
    assertEquals("&lt;branch title=\"x\"&gt;", TagEscaper.escape("<branch title=\"x\">").replace(">", "&gt;"));
    assertEquals("&amp;lt;/branchgroup>", TagEscaper.escape("&lt;/branchgroup>"));
    assertEquals("a &lt; b &amp; c", TagEscaper.escape("a &lt; b &amp; c"), "ordinary entities are untouched");
  }

  @Test
  void tokenFormatEscapingRoundTripsAndNeverLeavesAControlStart() {
    Random rnd = new Random(11);
    for (int i = 0; i < 20_000; i++) {
      String s = random(rnd, TOKEN_ALPHABET, 30);
      String escaped = AspdText.escapeText(s);
      assertFalse(escaped.contains("<|"), escaped);
      assertEquals(s, AspdText.unescapeText(escaped));
    }
  }

  @Test
  void serializeThenParseIsIdentityOnRandomStructures() throws Exception {
    Random rnd = new Random(3);
    for (int i = 0; i < 5_000; i++) {
      Response r = randomResponse(rnd);
      String text = AspdText.serialize(r);
      assertEquals(r, AspdText.parse(text), text);
      assertEquals(r.plainText(), AspdText.deTag(text));
    }
  }

  @Test
  void literalControlStringsInAnswersSurvive() throws Exception {
    String answer = "Use <|para|> and <|/branch|> and <\\|x|> and <|im_end|> literally.";
    Response r = new Response(List.of(new SerialText("Intro: "),
        new Group(List.of(new Branch("A", answer + "\n"), new Branch("B", "<branch title=\"z\">\n"))),
        new SerialText("<|endoftext|>")));
    String text = AspdText.serialize(r);
    assertEquals(r, AspdText.parse(text));
    assertEquals(10, text.split("<\\|", -1).length - 1, "only the 10 markup tokens start with <|: " + text);
  }

  private static Response randomResponse(Random rnd) {
    List<Item> items = new java.util.ArrayList<>();
    int groups = rnd.nextInt(3);
    if (rnd.nextBoolean()) {
      items.add(new SerialText(random(rnd, TOKEN_ALPHABET, 10) + "s"));
    }
    for (int g = 0; g < groups; g++) {
      List<Branch> branches = new java.util.ArrayList<>();
      int k = 2 + rnd.nextInt(4);
      for (int b = 0; b < k; b++) {
        branches.add(new Branch("t" + b + random(rnd, "<|\\ab", 3), random(rnd, TOKEN_ALPHABET, 15)));
      }
      items.add(new Group(branches));
      if (g < groups - 1 || rnd.nextBoolean()) {
        items.add(new SerialText(random(rnd, TOKEN_ALPHABET, 10) + "s"));
      }
    }
    return new Response(items);
  }

  private static String random(Random rnd, String alphabet, int maxLength) {
    int n = rnd.nextInt(maxLength + 1);
    StringBuilder sb = new StringBuilder(n);
    for (int i = 0; i < n; i++) {
      sb.append(alphabet.charAt(rnd.nextInt(alphabet.length())));
    }
    return sb.toString();
  }
}
