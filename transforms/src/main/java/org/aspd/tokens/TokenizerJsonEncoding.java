package org.aspd.tokens;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.NullNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.util.List;

/**
 * Whether two {@code tokenizer.json} files give every piece of text the same ids: the parts that
 * make them (normalizer, pre-tokenizer, model, added tokens) are equal as JSON, whatever the
 * formatting and key order; the added tokens' order counts, as the library numbers them in it.
 * The rest may differ: the post-processor only adds tokens around a whole text (Llama 3's
 * {@code <|begin_of_text|>}), which rows never hold, and transformers' {@code save_pretrained}
 * rewrites it (a null post-processor becomes an empty {@code TemplateProcessing}); nor do the
 * decoder, truncation or padding change an id.
 */
public final class TokenizerJsonEncoding {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final List<String> PARTS = List.of("normalizer", "pre_tokenizer", "model", "added_tokens");

  private TokenizerJsonEncoding() {}

  /**
   * @throws IOException when either is not JSON
   */
  public static boolean same(byte[] a, byte[] b) throws IOException {
    return parts(a).equals(parts(b));
  }

  private static ObjectNode parts(byte[] json) throws IOException {
    JsonNode root = JSON.readTree(json);
    ObjectNode parts = JSON.createObjectNode();
    for (String part : PARTS) {
      JsonNode node = root.path(part);
      parts.set(part, node.isMissingNode() ? NullNode.getInstance() : node.deepCopy());
    }
    if (parts.get("model") instanceof ObjectNode model && model.get("merges") instanceof ArrayNode merges) {
      model.set("merges", mergesAsPairs(merges));
    }
    return parts;
  }

  /** tokenizers before 0.20 write a merge as "a b", later ones as ["a", "b"]: the same merge. */
  private static ArrayNode mergesAsPairs(ArrayNode merges) {
    ArrayNode pairs = JSON.createArrayNode();
    for (JsonNode merge : merges) {
      String text = merge.isTextual() ? merge.asText() : null;
      int space = text == null ? -1 : text.indexOf(' ');
      if (space > 0 && text.indexOf(' ', space + 1) < 0) {
        pairs.addArray().add(text.substring(0, space)).add(text.substring(space + 1));
      } else {
        pairs.add(merge);
      }
    }
    return pairs;
  }
}
