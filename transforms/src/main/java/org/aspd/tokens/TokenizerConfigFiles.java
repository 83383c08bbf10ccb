package org.aspd.tokens;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.aspd.format.SpecialTokens;

/**
 * The transformers files a run writes beside its {@code tokenizer.json}, so that
 * {@code AutoTokenizer.from_pretrained(run folder)} gives the shards' tokenizer: the source's chat
 * template, end-of-turn and padding tokens, and the six markers.
 *
 * <ul>
 *   <li>{@value #CONFIG}: the source folder's, with the markers in {@code added_tokens_decoder}.
 *       They must be listed there: transformers 5's model classes ({@code Qwen2Tokenizer} among
 *       them) rebuild the tokenizer from the vocabulary and merges and take its added tokens from
 *       this list, so a marker missing from it would be read as plain text. Without a source
 *       config, a minimal one naming {@code PreTrainedTokenizerFast} (transformers 4 loads no
 *       folder without a class).
 *   <li>{@code special_tokens_map.json}, {@code chat_template.jinja}: copied as they are.
 * </ul>
 */
public final class TokenizerConfigFiles {
  public static final String CONFIG = "tokenizer_config.json";
  /** The other files of a tokenizer folder copied beside {@value #CONFIG}. */
  public static final List<String> COPIED = List.of("special_tokens_map.json", "chat_template.jinja");
  private static final ObjectMapper JSON = new ObjectMapper();

  private TokenizerConfigFiles() {}

  /**
   * File name to content.
   *
   * @param source the tokenizer as given to the job: a folder, or a file (its folder's
   *     configs are used only when the file is named tokenizer.json)
   * @param tokenizer that tokenizer, markers included
   * @throws IllegalArgumentException when the source's config is not a JSON object, or gives a
   *     marker's id to another token or a marker another id than the tokenizer.json does
   */
  public static Map<String, byte[]> of(Path source, HfTokenizer tokenizer) throws IOException {
    Path folder = Files.isDirectory(source) ? source
        : "tokenizer.json".equals(String.valueOf(source.getFileName())) ? source.toAbsolutePath().getParent() : null;
    Map<String, byte[]> files = new LinkedHashMap<>();
    Path config = folder == null ? null : folder.resolve(CONFIG);
    if (config != null && Files.isRegularFile(config)) {
      try {
        JsonNode read = JSON.readTree(Files.readAllBytes(config));
        if (!(read instanceof ObjectNode root)) throw new IllegalArgumentException("it is not a JSON object");
        files.put(CONFIG, withMarkers(root, tokenizer));
      } catch (JsonProcessingException | IllegalArgumentException e) {
        String message = e instanceof JsonProcessingException j ? j.getOriginalMessage() : e.getMessage();
        throw new IllegalArgumentException(config + ": " + message, e);
      }
    } else {
      files.put(CONFIG, withMarkers(JSON.createObjectNode().put("tokenizer_class", "PreTrainedTokenizerFast"), tokenizer));
    }
    for (String name : folder == null ? List.<String>of() : COPIED) {
      Path file = folder.resolve(name);
      if (Files.isRegularFile(file)) files.put(name, Files.readAllBytes(file));
    }
    return files;
  }

  /** The config with each marker in added_tokens_decoder, as transformers writes an added special token. */
  private static byte[] withMarkers(ObjectNode root, HfTokenizer tokenizer) throws JsonProcessingException {
    JsonNode existing = root.path("added_tokens_decoder");
    if (!existing.isMissingNode() && !existing.isObject()) {
      throw new IllegalArgumentException("added_tokens_decoder is not an object");
    }
    ObjectNode decoder = existing.isObject() ? (ObjectNode) existing : root.putObject("added_tokens_decoder");
    for (String marker : SpecialTokens.ALL) {
      String id = Integer.toString(tokenizer.specialId(marker));
      for (Iterator<Map.Entry<String, JsonNode>> it = decoder.fields(); it.hasNext(); ) {
        Map.Entry<String, JsonNode> e = it.next();
        boolean sameId = e.getKey().equals(id);
        boolean sameContent = marker.equals(e.getValue().path("content").asText(null));
        if (sameId != sameContent) {
          throw new IllegalArgumentException("added_tokens_decoder gives id " + e.getKey() + " to "
              + e.getValue().path("content").asText("?") + ", and the tokenizer.json gives " + marker + " id " + id);
        }
      }
      if (!decoder.has(id)) HfTokenizer.markerFields(decoder.putObject(id), marker);
    }
    return JSON.writerWithDefaultPrettyPrinter().writeValueAsBytes(root);
  }
}
