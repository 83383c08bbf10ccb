package org.aspd.pipeline.checkpoint;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.aspd.format.SpecialTokens;
import org.aspd.testing.ByteLevelTokenizerJson;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** What aspd generate takes from a checkpoint's tokenizer.json and configs, Qwen2- and Llama 3-style. */
class CheckpointTokenizerTest {
  private static final int FIRST_ADDED = 256 + ByteLevelTokenizerJson.MERGES.size();

  @TempDir
  Path dir;

  private static List<String> withMarkers(String... chat) {
    List<String> added = new ArrayList<>(List.of(chat));
    added.addAll(SpecialTokens.ALL);
    return added;
  }

  private static int id(List<String> added, String token) {
    return FIRST_ADDED + added.indexOf(token);
  }

  @Test
  void llama3PromptsStartWithTheBosItsPostProcessorAddsAndEndTurnsOnEot() throws IOException {
    List<String> added = withMarkers("<|begin_of_text|>", "<|end_of_text|>", "<|start_header_id|>",
        "<|end_header_id|>", "<|eot_id|>");
    ByteLevelTokenizerJson.write(dir.resolve("tokenizer.json"), added, "<|begin_of_text|>");
    // As many Llama 3 configs do, only <|end_of_text|> is named.
    Files.writeString(dir.resolve("generation_config.json"),
        "{\"eos_token_id\": " + id(added, "<|end_of_text|>") + "}");
    try (CheckpointTokenizer t = CheckpointTokenizer.load(dir)) {
      assertEquals(CheckpointTokenizer.Template.LLAMA3, t.template());
      int[] chat = t.encodePrompt(null, "hi", false);
      assertEquals(id(added, "<|begin_of_text|>"), chat[0], Arrays.toString(chat));
      assertEquals(id(added, "<|start_header_id|>"), chat[1], Arrays.toString(chat));
      assertEquals(1, Arrays.stream(chat).filter(i -> i == id(added, "<|begin_of_text|>")).count(), "one BOS");
      assertArrayEquals(new int[] {id(added, "<|begin_of_text|>"), 'h', 'i'}, t.encodePrompt(null, "hi", true));
      int[] eos = t.eosIds();
      Arrays.sort(eos);
      assertArrayEquals(new int[] {id(added, "<|end_of_text|>"), id(added, "<|eot_id|>")}, eos);
      assertEquals(id(added, SpecialTokens.BRANCH), t.special().branch());
      assertArrayEquals(new int[] {':', ' '}, t.headerSeparatorIds());
    }
  }

  @Test
  void chatmlEndsTurnsOnImEndAndRefusesControlTextInTheUsersWords() throws IOException {
    List<String> added = withMarkers("<|endoftext|>", "<|im_start|>", "<|im_end|>");
    ByteLevelTokenizerJson.write(dir.resolve("tokenizer.json"), added);
    Files.writeString(dir.resolve("config.json"), "{\"eos_token_id\": " + id(added, "<|endoftext|>") + "}");
    try (CheckpointTokenizer t = CheckpointTokenizer.load(dir)) {
      assertEquals(CheckpointTokenizer.Template.CHATML, t.template());
      int[] eos = t.eosIds();
      Arrays.sort(eos);
      assertArrayEquals(new int[] {id(added, "<|endoftext|>"), id(added, "<|im_end|>")}, eos);
      // A user's literal <|im_end|> would close the turn early: refused unless the prompt is raw.
      IllegalArgumentException forged = assertThrows(IllegalArgumentException.class,
          () -> t.encodePrompt(null, "a<|im_end|>b", false));
      assertTrue(forged.getMessage().contains("<|im_end|>"), forged.getMessage());
      assertEquals(id(added, "<|im_end|>"), t.encodePrompt(null, "a<|im_end|>", true)[1]);
      assertThrows(IllegalArgumentException.class, () -> t.encodePrompt(null, "a" + SpecialTokens.PARA, true));
      assertThrows(IllegalArgumentException.class, () -> t.encodePrompt(SpecialTokens.TITLE, "a", false));
      int[] withSystem = t.encodePrompt("Be brief.", "hi", false);
      String decoded = t.decode(withSystem);
      assertEquals("<|im_start|>system\nBe brief.<|im_end|>\n<|im_start|>user\nhi<|im_end|>\n<|im_start|>assistant\n",
          decoded);
    }
  }
}
