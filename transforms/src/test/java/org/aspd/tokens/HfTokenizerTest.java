package org.aspd.tokens;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.aspd.format.SpecialTokens;
import org.aspd.testing.ByteLevelTokenizerJson;
import org.aspd.testing.SharedDatasets;
import org.aspd.testing.TiktokenTokenizerJson;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A tokenizer.json as the target tokenizer, checked against a real vocabulary: cl100k_base written
 * as a tokenizer.json and loaded by the Hugging Face library must give, on real answers, the ids
 * jtokkit gives for the same encoding, markers included.
 */
class HfTokenizerTest {
  @TempDir static Path dir;
  static Path cl100k;

  @BeforeAll
  static void writeVocabulary() throws IOException {
    cl100k = dir.resolve("cl100k/tokenizer.json");
    Files.createDirectories(cl100k.getParent());
    TiktokenTokenizerJson.write(cl100k, "cl100k_base");
  }

  @Test
  void addsTheMarkersAfterTheLargestIdAsTiktokenDoes() throws IOException {
    TiktokenTokenizer tiktoken = TiktokenTokenizer.of("cl100k_base");
    try (HfTokenizer hf = HfTokenizer.load(cl100k.getParent(), HfTokenizer.Markers.ADD_IF_ABSENT)) {
      for (String marker : SpecialTokens.ALL) assertEquals(tiktoken.specialId(marker), hf.specialId(marker), marker);
      assertEquals(100277, hf.specialId(SpecialTokens.BRANCH));
      assertEquals(tiktoken.vocabSize(), hf.vocabSize());
      assertTrue(hf.name().matches("tokenizer\\.json@[0-9a-f]{16}"), hf.name());
      assertTrue(hf.controlStrings().containsAll(SpecialTokens.ALL));
      assertTrue(hf.controlStrings().contains("<|endoftext|>"));
      for (String marker : SpecialTokens.ALL) {
        assertArrayEquals(new int[] {hf.specialId(marker)}, hf.encodeWithControlTokens(marker));
      }
    }
  }

  @Test
  void encodesRealAnswersAsJtokkitDoes() throws IOException {
    List<String> texts = new ArrayList<>(projectAnswers());
    if (SharedDatasets.find().isPresent()) {
      // Every eighth of the shared sets' 88k texts (all of them, 10M tokens, matched too; 35 s).
      List<String> shared = SharedDatasets.allTexts(20);
      for (int i = 0; i < shared.size(); i += 8) texts.add(shared.get(i));
    }
    texts.add("Reserved text stays text: <|endoftext|>, <|branch|>T<|/branch|>, <|im_end|>, <|para|>.");
    texts.add("<|endofprompt|><|title|>");
    texts.add("ünïcödé 日本語 🤖 tabs\tand\r\nCRLF   spaces  \n\n\n");
    TiktokenTokenizer tiktoken = TiktokenTokenizer.of("cl100k_base");
    int tokens = 0;
    try (HfTokenizer hf = HfTokenizer.load(cl100k, HfTokenizer.Markers.ADD_IF_ABSENT)) {
      for (String text : texts) {
        int[] expected = tiktoken.encodeText(text);
        assertArrayEquals(expected, hf.encodeText(text), text);
        assertEquals(expected.length, hf.countText(text));
        tokens += expected.length;
      }
      assertTrue(texts.size() >= 80 && tokens > 20_000, texts.size() + " texts, " + tokens + " tokens");
      // Reserved text is never a control id in content, but the full tokenizer reads it as one.
      assertArrayEquals(new int[] {hf.specialId(SpecialTokens.PARA)}, hf.encodeWithControlTokens("<|para|>"));
      assertNotEquals(1, hf.encodeText("<|para|>").length);
    }
  }

  @Test
  void itsOwnFileReloadsWithTheSameIdsAndName() throws IOException {
    try (HfTokenizer first = HfTokenizer.load(cl100k, HfTokenizer.Markers.ADD_IF_ABSENT)) {
      Path saved = dir.resolve("saved.json");
      Files.write(saved, first.json());
      JsonNode added = new ObjectMapper().readTree(saved.toFile()).path("added_tokens");
      assertEquals(100277 - 100256 + 6, added.size());
      try (HfTokenizer again = HfTokenizer.load(saved, HfTokenizer.Markers.REQUIRE)) {
        assertEquals(first.name(), again.name());
        for (String marker : SpecialTokens.ALL) assertEquals(first.specialId(marker), again.specialId(marker));
        String text = "Two options:\n\n1. **Tea**: steep for 3 minutes.";
        assertArrayEquals(first.encodeText(text), again.encodeText(text));
      }
    }
  }

  @Test
  void encodesTheSameFromManyThreads() throws Exception {
    List<String> texts = projectAnswers();
    List<int[]> serial;
    try (HfTokenizer first = HfTokenizer.load(cl100k, HfTokenizer.Markers.ADD_IF_ABSENT)) {
      serial = texts.stream().map(first::encodeText).toList();
      int[] mine = first.encodeText(texts.get(0));
      mine[0] = -1; // a caller's array is its own: the cache keeps another
      assertArrayEquals(serial.get(0), first.encodeText(texts.get(0)));
    }
    // A second instance has an empty cache: every call below goes to the library, from 8 threads.
    try (HfTokenizer hf = HfTokenizer.load(cl100k, HfTokenizer.Markers.ADD_IF_ABSENT)) {
      ExecutorService pool = Executors.newFixedThreadPool(8);
      try {
        List<Future<int[]>> parallel = new ArrayList<>();
        for (String text : texts) parallel.add(pool.submit(() -> hf.encodeText(text)));
        for (int i = 0; i < texts.size(); i++) assertArrayEquals(serial.get(i), parallel.get(i).get());
      } finally {
        pool.shutdownNow();
      }
    }
  }

  @Test
  void plainAddedTokensAfterSpecialOnesKeepTheirIds() throws IOException {
    // Qwen2.5: <|endoftext|> ... <|video_pad|> special, then <tool_call>, <|fim_prefix|>, ... not.
    Path file = dir.resolve("qwen-like.json");
    ByteLevelTokenizerJson.write(file, List.of("<|endoftext|>", "<|im_start|>", "<|im_end|>"));
    ObjectMapper json = new ObjectMapper();
    com.fasterxml.jackson.databind.node.ObjectNode root =
        (com.fasterxml.jackson.databind.node.ObjectNode) json.readTree(file.toFile());
    com.fasterxml.jackson.databind.node.ArrayNode added =
        (com.fasterxml.jackson.databind.node.ArrayNode) root.get("added_tokens");
    int id = added.get(added.size() - 1).path("id").asInt();
    for (String text : List.of("<tool_call>", "</tool_call>")) {
      com.fasterxml.jackson.databind.node.ObjectNode token = added.addObject();
      token.put("id", ++id).put("content", text).put("single_word", false).put("lstrip", false)
          .put("rstrip", false).put("normalized", false).put("special", false);
    }
    json.writeValue(file.toFile(), root);
    try (HfTokenizer hf = HfTokenizer.load(file, HfTokenizer.Markers.ADD_IF_ABSENT)) {
      assertArrayEquals(new int[] {id - 1}, hf.encodeWithControlTokens("<tool_call>"));
      assertArrayEquals(new int[] {id - 1}, hf.encodeText("<tool_call>"));
      assertArrayEquals(new int[] {id}, hf.encodeText("</tool_call>"));
      String text = "Call <tool_call>the</tool_call>, then <|im_end|>.";
      int[] ids = hf.encodeText(text);
      assertEquals(text, hf.decode(ids));
      for (int reserved : hf.reservedIds()) {
        for (int t : ids) assertNotEquals(reserved, t, "reserved id " + reserved + " in " + java.util.Arrays.toString(ids));
      }
    }
  }

  @Test
  void piecesGetNoSpaceASentencePieceTokenizerPutsBeforeATextsStart() throws IOException {
    // Mistral / Llama 2 style: Metaspace (prepend_scheme first) or a Prepend("▁") normalizer.
    ObjectMapper json = new ObjectMapper();
    com.fasterxml.jackson.databind.node.ObjectNode root = json.createObjectNode();
    root.putNull("truncation");
    root.putNull("padding");
    com.fasterxml.jackson.databind.node.ArrayNode added = root.putArray("added_tokens");
    List<String> controls = List.of("<unk>", "<s>", "</s>");
    for (int i = 0; i < controls.size(); i++) {
      added.addObject().put("id", i).put("content", controls.get(i)).put("single_word", false).put("lstrip", false)
          .put("rstrip", false).put("normalized", false).put("special", true);
    }
    com.fasterxml.jackson.databind.node.ObjectNode model = root.putObject("model");
    model.put("type", "Unigram").put("unk_id", 0).put("byte_fallback", true);
    com.fasterxml.jackson.databind.node.ArrayNode vocab = model.putArray("vocab");
    for (String control : controls) vocab.addArray().add(control).add(0.0);
    for (int b = 0; b < 256; b++) vocab.addArray().add(String.format("<0x%02X>", b)).add(0.0);
    vocab.addArray().add("\u2581").add(-5.0);
    for (char c = '!'; c <= '~'; c++) vocab.addArray().add(String.valueOf(c)).add(-5.0);
    for (String word : List.of("\u2581uses", "Syntax", "\u2581Syntax", "Python", "\u2581Python")) {
      vocab.addArray().add(word).add(-1.0);
    }
    com.fasterxml.jackson.databind.node.ObjectNode metaspace = root.putObject("pre_tokenizer");
    metaspace.put("type", "Metaspace").put("replacement", "\u2581").put("prepend_scheme", "first").put("split", false);
    root.set("decoder", metaspace.deepCopy());
    Path first = dir.resolve("metaspace.json");
    json.writeValue(first.toFile(), root);
    // Llama 2's legacy layout: the space comes from the normalizer.
    root.putNull("pre_tokenizer");
    com.fasterxml.jackson.databind.node.ArrayNode steps = root.putObject("normalizer").put("type", "Sequence")
        .putArray("normalizers");
    steps.addObject().put("type", "Prepend").put("prepend", "\u2581");
    steps.addObject().put("type", "Replace").put("content", "\u2581").putObject("pattern").put("String", " ");
    Path legacy = dir.resolve("prepend.json");
    json.writeValue(legacy.toFile(), root);

    for (Path file : List.of(first, legacy)) {
      try (HfTokenizer hf = HfTokenizer.load(file, HfTokenizer.Markers.ADD_IF_ABSENT)) {
        int[] header = concat(hf.encodeText("Syntax"), hf.encodeText(": "), hf.encodeText("Python uses it."));
        assertEquals("Syntax: Python uses it.", hf.decode(header), file.toString());
        int[] branch = concat(new int[] {hf.specialId(SpecialTokens.BRANCH)}, header);
        assertEquals("<|branch|>Syntax: Python uses it.", hf.decode(branch), file.toString());
        // Spaces inside a piece are still the tokenizer's.
        assertEquals("a b", hf.decode(hf.encodeText("a b")));
      }
    }
  }

  private static int[] concat(int[]... parts) {
    return java.util.Arrays.stream(parts).flatMapToInt(java.util.Arrays::stream).toArray();
  }

  @Test
  void refusesWhatItCannotUse() throws IOException {
    assertThrows(NoSuchFileException.class, () -> HfTokenizer.load(dir.resolve("absent"), HfTokenizer.Markers.ADD_IF_ABSENT));

    Path notJson = Files.writeString(dir.resolve("bad.json"), "{ not json");
    assertTrue(message(notJson, HfTokenizer.Markers.ADD_IF_ABSENT).contains("not valid JSON"));
    Path noModel = Files.writeString(dir.resolve("nomodel.json"), "{\"added_tokens\": []}");
    assertTrue(message(noModel, HfTokenizer.Markers.ADD_IF_ABSENT).contains("no \"model\""));
    Path badModel = Files.writeString(dir.resolve("badmodel.json"), "{\"model\": {\"type\": \"Nope\"}}");
    assertTrue(message(badModel, HfTokenizer.Markers.ADD_IF_ABSENT).contains("cannot read it"));

    Path none = dir.resolve("none.json");
    ByteLevelTokenizerJson.write(none, List.of("<|im_end|>"));
    assertTrue(message(none, HfTokenizer.Markers.REQUIRE).contains("none of the six ASPD markers"));

    Path some = dir.resolve("some.json");
    ByteLevelTokenizerJson.write(some, List.of(SpecialTokens.BRANCH, SpecialTokens.BRANCH_END));
    String partial = message(some, HfTokenizer.Markers.ADD_IF_ABSENT);
    assertTrue(partial.contains("some of the six") && partial.contains(SpecialTokens.PARA_END), partial);
    assertTrue(partial.startsWith(some.toString()), "names the file: " + partial);
  }

  @Test
  void idsTheLibraryWouldNotHonourAreRefused() throws IOException {
    // Markers at 300 and on, while the library numbers them 264 and on (found by a review: the
    // rows held 264-269 and the saved file said 300-335).
    Path gap = dir.resolve("gap.json");
    ByteLevelTokenizerJson.write(gap, List.of("<|endoftext|>"));
    JsonNode root = new ObjectMapper().readTree(gap.toFile());
    com.fasterxml.jackson.databind.node.ArrayNode added = (com.fasterxml.jackson.databind.node.ArrayNode) root.get("added_tokens");
    for (int i = 0; i < SpecialTokens.ALL.size(); i++) {
      ByteLevelTokenizerJson.addSpecial(added, 300 + 7 * i, SpecialTokens.ALL.get(i));
    }
    new ObjectMapper().writeValue(gap.toFile(), root);
    String gapped = message(gap, HfTokenizer.Markers.REQUIRE);
    assertTrue(gapped.contains("is id 300 in the file, but the tokenizers library gives it id 262"), gapped);

    // An ordinary token missing from the vocabulary: the library's ids for the added tokens would
    // be ordinary tokens' ids.
    Path hole = dir.resolve("hole.json");
    ByteLevelTokenizerJson.write(hole, List.of("<|endoftext|>"));
    JsonNode holed = new ObjectMapper().readTree(hole.toFile());
    ((com.fasterxml.jackson.databind.node.ObjectNode) holed.path("model").path("vocab")).remove("!");
    new ObjectMapper().writeValue(hole.toFile(), holed);
    assertTrue(message(hole, HfTokenizer.Markers.ADD_IF_ABSENT).contains("the file's ids leave gaps"));
  }

  @Test
  void theUnknownTokenIsOrdinaryOutputAndAVocabularysOwnControlStringIsFound() throws IOException {
    // A character-level BPE with an unknown token, and </s> both special and a piece of its vocabulary.
    Path file = dir.resolve("unk.json");
    Files.writeString(file, """
        {"version": "1.0", "truncation": null, "padding": null, "normalizer": null, "pre_tokenizer": null,
         "post_processor": null, "decoder": null,
         "added_tokens": [
           {"id": 3, "content": "<unk>", "single_word": false, "lstrip": false, "rstrip": false, "normalized": false, "special": true},
           {"id": 4, "content": "</s>", "single_word": false, "lstrip": false, "rstrip": false, "normalized": false, "special": true}],
         "model": {"type": "BPE", "dropout": null, "unk_token": "<unk>", "continuing_subword_prefix": null,
           "end_of_word_suffix": null, "fuse_unk": false, "byte_fallback": false, "ignore_merges": true,
           "vocab": {"a": 0, "b": 1, " ": 2, "<unk>": 3, "</s>": 4}, "merges": []}}
        """);
    try (HfTokenizer hf = HfTokenizer.load(file, HfTokenizer.Markers.ADD_IF_ABSENT)) {
      assertArrayEquals(new int[] {0, 3, 1}, hf.encodeText("azb"));
      assertArrayEquals(new int[] {4}, hf.reservedIds(), "<unk> is not a control id");
      assertEquals(-1, hf.reservedIdIn("a b azb"));
      assertEquals(4, hf.reservedIdIn("</s>"), "the vocabulary holds </s> as an ordinary piece");
    }
    assertEquals(-1, TiktokenTokenizer.of("cl100k_base").reservedIdIn("<|endoftext|>"));
  }

  private static String message(Path file, HfTokenizer.Markers markers) {
    return assertThrows(IllegalArgumentException.class, () -> HfTokenizer.load(file, markers)).getMessage();
  }

  /** The gpt-4o answers of the project's own Vicuna Bench copy. */
  private static List<String> projectAnswers() {
    Path file = Path.of(System.getProperty("user.dir")).resolve("../datasets/vicuna-bench/model_answer/gpt-4o.jsonl");
    try {
      ObjectMapper json = new ObjectMapper();
      List<String> answers = new ArrayList<>();
      for (String line : Files.readAllLines(file)) {
        if (!line.isBlank()) answers.add(json.readTree(line).path("choices").path(0).path("turns").path(0).asText());
      }
      return answers;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
