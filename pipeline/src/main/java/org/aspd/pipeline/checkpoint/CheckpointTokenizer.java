package org.aspd.pipeline.checkpoint;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import org.aspd.decoding.SpecialTokenIds;
import org.aspd.format.SpecialTokens;
import org.aspd.pipeline.validate.SpecialIds;
import org.aspd.tokens.AspdTokenizer;
import org.aspd.tokens.HfTokenizer;

/**
 * A checkpoint's own tokenizer ({@code tokenizer.json}, through the Hugging Face tokenizers
 * library) with what the engine needs from it: the six marker ids, each of which must encode to
 * exactly one token (method §1: ids from the tokenizer, never literals), the end-of-turn ids, the
 * ids of the branch header's {@code ": "}, and the chat template the checkpoint's family uses. As
 * an {@link AspdTokenizer} it lays out shard rows for that checkpoint ({@code aspd bench --model}).
 */
public final class CheckpointTokenizer implements AspdTokenizer, AutoCloseable {
  /** Chat formats recognised from the vocabulary; a checkpoint with neither gets the prompt as it is. */
  public enum Template { CHATML, LLAMA3, RAW }

  /** End-of-turn tokens used when the checkpoint's configs name none. */
  private static final List<String> KNOWN_EOS = List.of("<|im_end|>", "<|endoftext|>", "<|eot_id|>", "</s>");

  private final Path dir;
  private final HfTokenizer tokenizer;
  /** The markers and the added tokens marked special (chat control strings, EOS): never typed by a user. */
  private final List<String> controlTokens;
  private final SpecialTokenIds special;
  private final int[] eosIds;
  private final int[] headerSeparatorIds;
  private final Template template;

  private CheckpointTokenizer(HfTokenizer tokenizer, Path dir) throws IOException {
    this.dir = dir;
    this.tokenizer = tokenizer;
    this.controlTokens = tokenizer.controlStrings();
    this.special = SpecialIds.of(tokenizer);
    this.template = singleOrMinus("<|im_start|>") >= 0 && singleOrMinus("<|im_end|>") >= 0 ? Template.CHATML
        : singleOrMinus("<|start_header_id|>") >= 0 && singleOrMinus("<|eot_id|>") >= 0 ? Template.LLAMA3
        : Template.RAW;
    this.eosIds = eosIds(dir);
    this.headerSeparatorIds = tokenizer.encodeText(SpecialTokens.HEADER_SEPARATOR);
  }

  /**
   * Loads {@code dir/tokenizer.json}, which must hold the six markers (a checkpoint trained for ASPD).
   *
   * @throws NoSuchFileException when the file is missing
   * @throws IllegalArgumentException when it cannot be parsed or lacks one of the six markers
   */
  public static CheckpointTokenizer load(Path dir) throws IOException {
    HfTokenizer tokenizer;
    try {
      tokenizer = HfTokenizer.load(dir.resolve("tokenizer.json"), HfTokenizer.Markers.REQUIRE);
    } catch (IllegalStateException e) { // the library's native part could not load
      throw new IllegalArgumentException(e.getMessage(), e);
    }
    try {
      return new CheckpointTokenizer(tokenizer, dir);
    } catch (RuntimeException | IOException e) {
      tokenizer.close();
      throw e;
    }
  }

  public SpecialTokenIds special() {
    return special;
  }

  public int[] eosIds() {
    return eosIds.clone();
  }

  public int[] headerSeparatorIds() {
    return headerSeparatorIds.clone();
  }

  public Template template() {
    return template;
  }

  /**
   * The prompt's ids, in the checkpoint's chat format for one user turn after an optional system
   * message (no default system message is added; or the text as it is when raw), with
   * what the tokenizer's post-processor adds to a text (Llama 3: {@code <|begin_of_text|>}; Qwen2:
   * nothing), as {@code tokenizer(text)} does in transformers. Reserved text in the user's words is
   * refused: the tokenizers library would read a literal {@code <|branch|>} as the marker (method
   * §1), or a literal {@code <|im_end|>} as the end of the turn, which is not the prompt typed. A raw
   * prompt may hold chat control strings (it is the formatted prompt), not the markers.
   */
  public int[] encodePrompt(String system, String userText, boolean raw) {
    for (String text : system == null ? List.of(userText) : List.of(system, userText)) {
      for (String reserved : raw ? SpecialTokens.ALL : controlTokens) {
        if (text.contains(reserved)) {
          throw new IllegalArgumentException("the prompt contains the reserved text " + reserved
              + ", which the tokenizer would read as that token" + (raw ? "" : " (--raw feeds a formatted prompt)"));
        }
      }
    }
    Template t = raw ? Template.RAW : template;
    String text = switch (t) {
      case CHATML -> (system == null ? "" : "<|im_start|>system\n" + system + "<|im_end|>\n")
          + "<|im_start|>user\n" + userText + "<|im_end|>\n<|im_start|>assistant\n";
      case LLAMA3 -> (system == null ? "" : "<|start_header_id|>system<|end_header_id|>\n\n" + system + "<|eot_id|>")
          + "<|start_header_id|>user<|end_header_id|>\n\n" + userText
          + "<|eot_id|><|start_header_id|>assistant<|end_header_id|>\n\n";
      case RAW -> system == null ? userText : system + userText;
    };
    return tokenizer.encodePrompt(text);
  }

  /** The checkpoint's tokenizer.json as read. */
  public byte[] json() {
    return tokenizer.json();
  }

  /** Text of ids, markers and all (the ASPD format is what a user of aspd generate wants to see). */
  public String decode(int[] ids) {
    return tokenizer.decode(ids);
  }

  @Override
  public String name() {
    return "tokenizer.json of " + dir;
  }

  /**
   * Ids of a piece of a row's text, control strings in it encoded as ordinary text, as the job
   * encodes them with this tokenizer.json as its target (method §1, reserved text).
   */
  @Override
  public int[] encodeText(String text) {
    return tokenizer.encodeText(text);
  }

  @Override
  public int countText(String text) {
    return tokenizer.countText(text);
  }

  @Override
  public int specialId(String marker) {
    return tokenizer.specialId(marker);
  }

  /** One more than the largest id of the vocabulary and the added tokens. */
  @Override
  public int vocabSize() {
    return tokenizer.vocabSize();
  }

  @Override
  public int[] reservedIds() {
    return tokenizer.reservedIds();
  }

  @Override
  public void close() {
    tokenizer.close();
  }

  private int singleOrMinus(String token) {
    int[] ids = tokenizer.encodeWithControlTokens(token);
    return ids.length == 1 ? ids[0] : -1;
  }

  /**
   * The eos_token_id of generation_config.json and config.json (an id or a list each) and the chat
   * template's end of turn ({@code <|im_end|>}, {@code <|eot_id|>}: a config often names only
   * {@code <|endoftext|>}, and a chat model ends its turn with the template's token); with none of
   * these, the known end-of-turn tokens this vocabulary holds as one token. Markers are never EOS.
   */
  private int[] eosIds(Path dir) throws IOException {
    Set<Integer> ids = new LinkedHashSet<>();
    for (String name : List.of("generation_config.json", "config.json")) {
      Path file = dir.resolve(name);
      if (!Files.isRegularFile(file)) continue;
      JsonNode eos = new ObjectMapper().readTree(file.toFile()).path("eos_token_id");
      if (eos.isIntegralNumber()) ids.add(eos.asInt());
      for (JsonNode id : eos.isArray() ? eos : List.<JsonNode>of()) {
        if (id.isIntegralNumber()) ids.add(id.asInt());
      }
    }
    if (template == Template.CHATML) ids.add(singleOrMinus("<|im_end|>"));
    if (template == Template.LLAMA3) ids.add(singleOrMinus("<|eot_id|>"));
    if (ids.isEmpty()) {
      for (String token : KNOWN_EOS) {
        int id = singleOrMinus(token);
        if (id >= 0) ids.add(id);
      }
    }
    for (String marker : SpecialTokens.ALL) ids.remove(specialId(marker));
    return ids.stream().mapToInt(Integer::intValue).toArray();
  }
}
