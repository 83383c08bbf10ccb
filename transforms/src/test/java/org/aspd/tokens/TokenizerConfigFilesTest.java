package org.aspd.tokens;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.aspd.format.SpecialTokens;
import org.aspd.testing.ByteLevelTokenizerJson;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The transformers configs written beside a run's tokenizer.json. */
class TokenizerConfigFilesTest {
  private static final ObjectMapper JSON = new ObjectMapper();
  /** The shape of Qwen2.5's tokenizer_config.json, shortened. */
  private static final String QWEN_LIKE_CONFIG = """
      {"add_prefix_space": false,
       "added_tokens_decoder": {
         "261": {"content": "<|endoftext|>", "lstrip": false, "normalized": false, "rstrip": false,
                 "single_word": false, "special": true},
         "262": {"content": "<|im_start|>", "lstrip": false, "normalized": false, "rstrip": false,
                 "single_word": false, "special": true},
         "263": {"content": "<|im_end|>", "lstrip": false, "normalized": false, "rstrip": false,
                 "single_word": false, "special": true}},
       "additional_special_tokens": ["<|im_start|>", "<|im_end|>"],
       "bos_token": null,
       "chat_template": "{%- for m in messages %}{{- '<|im_start|>' + m.role + '\\\\n' + m.content + '<|im_end|>\\\\n' }}{%- endfor %}",
       "eos_token": "<|im_end|>", "model_max_length": 131072, "pad_token": "<|endoftext|>",
       "tokenizer_class": "Qwen2Tokenizer", "unk_token": null}
      """;
  @TempDir static Path dir;
  static Path qwenLike;
  static HfTokenizer tokenizer;

  @BeforeAll
  static void write() throws IOException {
    qwenLike = dir.resolve("qwen-like");
    Files.createDirectories(qwenLike);
    int vocab = ByteLevelTokenizerJson.write(qwenLike.resolve("tokenizer.json"),
        List.of("<|endoftext|>", "<|im_start|>", "<|im_end|>"));
    assertEquals(264, vocab, "the config above names ids 261-263");
    Files.writeString(qwenLike.resolve(TokenizerConfigFiles.CONFIG), QWEN_LIKE_CONFIG);
    Files.writeString(qwenLike.resolve("chat_template.jinja"), "{{ messages }}");
    Files.writeString(qwenLike.resolve("special_tokens_map.json"), "{\"eos_token\": \"<|im_end|>\"}");
    tokenizer = HfTokenizer.load(qwenLike, HfTokenizer.Markers.ADD_IF_ABSENT);
  }

  @AfterAll
  static void close() {
    tokenizer.close();
  }

  @Test
  void theSourceConfigKeepsEverythingAndGainsTheMarkers() throws IOException {
    for (Path source : List.of(qwenLike, qwenLike.resolve("tokenizer.json"))) {
      Map<String, byte[]> files = TokenizerConfigFiles.of(source, tokenizer);
      assertEquals(List.of(TokenizerConfigFiles.CONFIG, "special_tokens_map.json", "chat_template.jinja"),
          List.copyOf(files.keySet()));
      JsonNode original = JSON.readTree(QWEN_LIKE_CONFIG);
      JsonNode written = JSON.readTree(files.get(TokenizerConfigFiles.CONFIG));
      for (var field : List.of("chat_template", "eos_token", "pad_token", "tokenizer_class", "model_max_length",
          "additional_special_tokens")) {
        assertEquals(original.get(field), written.get(field), field);
      }
      JsonNode decoder = written.get("added_tokens_decoder");
      assertEquals(original.get("added_tokens_decoder").get("263"), decoder.get("263"));
      assertEquals(3 + SpecialTokens.ALL.size(), decoder.size());
      for (String marker : SpecialTokens.ALL) {
        JsonNode entry = decoder.get(Integer.toString(tokenizer.specialId(marker)));
        assertEquals(marker, entry.get("content").asText());
        assertTrue(entry.get("special").asBoolean(), marker);
        assertTrue(!entry.get("normalized").asBoolean() && !entry.get("lstrip").asBoolean(), marker);
      }
      assertEquals(264, tokenizer.specialId(SpecialTokens.BRANCH));
      assertArrayEquals("{{ messages }}".getBytes(), files.get("chat_template.jinja"));
    }
  }

  @Test
  void withoutASourceConfigOneThatTransformersCanLoad() throws IOException {
    Path elsewhere = dir.resolve("named-otherwise.json");
    Files.copy(qwenLike.resolve("tokenizer.json"), elsewhere);
    Map<String, byte[]> files = TokenizerConfigFiles.of(elsewhere, tokenizer);
    assertEquals(List.of(TokenizerConfigFiles.CONFIG), List.copyOf(files.keySet()),
        "a file not named tokenizer.json takes nothing from its folder");
    JsonNode written = JSON.readTree(files.get(TokenizerConfigFiles.CONFIG));
    assertEquals("PreTrainedTokenizerFast", written.get("tokenizer_class").asText());
    assertEquals(SpecialTokens.ALL.size(), written.get("added_tokens_decoder").size());
  }

  @Test
  void aConfigThatDisagreesWithTheTokenizerIsRefused() throws IOException {
    Path bad = dir.resolve("bad");
    Files.createDirectories(bad);
    Files.copy(qwenLike.resolve("tokenizer.json"), bad.resolve("tokenizer.json"));
    Files.writeString(bad.resolve(TokenizerConfigFiles.CONFIG), "{\"added_tokens_decoder\": {\"264\": "
        + "{\"content\": \"<|tool_call|>\", \"special\": true}}}");
    IllegalArgumentException taken = assertThrows(IllegalArgumentException.class,
        () -> TokenizerConfigFiles.of(bad, tokenizer));
    assertTrue(taken.getMessage().contains("gives id 264 to <|tool_call|>, and the tokenizer.json gives <|branch|> id 264"),
        taken.getMessage());

    Files.writeString(bad.resolve(TokenizerConfigFiles.CONFIG), "{\"added_tokens_decoder\": {\"7\": "
        + "{\"content\": \"<|title|>\", \"special\": true}}}");
    IllegalArgumentException moved = assertThrows(IllegalArgumentException.class,
        () -> TokenizerConfigFiles.of(bad, tokenizer));
    assertTrue(moved.getMessage().contains("gives id 7 to <|title|>"), moved.getMessage());

    Files.writeString(bad.resolve(TokenizerConfigFiles.CONFIG), "{\"eos_token\": ");
    IllegalArgumentException broken = assertThrows(IllegalArgumentException.class,
        () -> TokenizerConfigFiles.of(bad, tokenizer));
    assertTrue(broken.getMessage().startsWith(bad.resolve(TokenizerConfigFiles.CONFIG) + ": "), broken.getMessage());
  }
}
