package org.aspd.tokens;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;
import org.aspd.format.SpecialTokens;
import org.aspd.testing.ByteLevelTokenizerJson;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Which differences between two tokenizer.json files change ids, checked through the real library too. */
class TokenizerJsonEncodingTest {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final String TEXT = "Probe: the other ünïcödé text <|im_end|>\n\n";
  @TempDir static Path dir;
  static byte[] original;

  @BeforeAll
  static void write() throws IOException {
    Path file = dir.resolve("tokenizer.json");
    List<String> added = new ArrayList<>(List.of("<|endoftext|>", "<|im_start|>", "<|im_end|>"));
    added.addAll(SpecialTokens.ALL);
    ByteLevelTokenizerJson.write(file, added);
    original = Files.readAllBytes(file);
  }

  /** What transformers' save_pretrained and newer tokenizers versions do to a file without changing an id. */
  @Test
  void aRewrittenFileEncodesTheSame() throws IOException {
    byte[] rewritten = edit(root -> {
      ObjectNode post = root.putObject("post_processor"); // transformers 5 writes this for a null one
      post.put("type", "TemplateProcessing");
      post.putArray("single").addObject().putObject("Sequence").put("id", "A").put("type_id", 0);
      ArrayNode pair = post.putArray("pair");
      pair.addObject().putObject("Sequence").put("id", "A").put("type_id", 0);
      pair.addObject().putObject("Sequence").put("id", "B").put("type_id", 1);
      post.putObject("special_tokens");
      root.putObject("decoder").put("type", "Fuse");
      root.remove("version");
      ArrayNode merges = (ArrayNode) root.path("model").path("merges");
      ArrayNode pairs = merges.arrayNode();
      merges.forEach(m -> pairs.addArray().add(m.asText().split(" ")[0]).add(m.asText().split(" ")[1]));
      ((ObjectNode) root.get("model")).set("merges", pairs);
    }, true);
    assertTrue(TokenizerJsonEncoding.same(original, rewritten));
    assertArrayEquals(ids(original), ids(rewritten), "the library agrees");
  }

  @Test
  void aChangeThatMakesOtherIdsIsSeen() throws IOException {
    assertFalse(TokenizerJsonEncoding.same(original, edit(root -> {
      ((ArrayNode) root.path("model").path("merges")).remove(0); // "Ġ t"
    }, false)));
    assertFalse(TokenizerJsonEncoding.same(original, edit(root -> {
      ((ObjectNode) root.get("added_tokens").get(2)).put("special", false); // <|im_end|> becomes text's token
    }, false)));
    assertFalse(TokenizerJsonEncoding.same(original, edit(root -> { // the library numbers added tokens in order
      ArrayNode added = (ArrayNode) root.get("added_tokens");
      added.insert(0, added.remove(added.size() - 1));
    }, false)));
    assertFalse(TokenizerJsonEncoding.same(original, edit(root -> {
      root.putObject("normalizer").put("type", "NFKC");
    }, false)));
    assertFalse(TokenizerJsonEncoding.same(original, edit(root -> {
      ((ObjectNode) root.get("pre_tokenizer")).put("add_prefix_space", true);
    }, false)));
  }

  private static byte[] edit(Consumer<ObjectNode> change, boolean pretty) throws IOException {
    ObjectNode root = (ObjectNode) JSON.readTree(original);
    change.accept(root);
    return pretty ? JSON.writerWithDefaultPrettyPrinter().writeValueAsBytes(root) : JSON.writeValueAsBytes(root);
  }

  private static int[] ids(byte[] json) throws IOException {
    try (HfTokenizer tokenizer = HfTokenizer.of(json, HfTokenizer.Markers.REQUIRE)) {
      return tokenizer.encodeText(TEXT);
    }
  }
}
