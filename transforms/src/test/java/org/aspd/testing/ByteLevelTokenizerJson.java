package org.aspd.testing;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Writes a small tokenizer.json in the Hugging Face format of Qwen2 and GPT-2 (byte-level BPE: a
 * token per byte, a few merges, added special tokens), which the real tokenizers library loads the
 * way it loads a checkpoint's. Ids: bytes 0-255, then the merges, then the added tokens in order.
 */
public final class ByteLevelTokenizerJson {
  public static final List<String> MERGES = List.of("Ġ t", "h e", "Ġt he", "Ġ a", "o r");

  private ByteLevelTokenizerJson() {}

  /** Returns the vocabulary size. */
  public static int write(Path file, List<String> addedTokens) throws IOException {
    return write(file, addedTokens, null);
  }

  /**
   * @param bos an added token the post-processor puts before every text (Llama 3's
   *     {@code <|begin_of_text|>}, as its TemplateProcessing does), or null for none (Qwen2)
   */
  public static int write(Path file, List<String> addedTokens, String bos) throws IOException {
    ObjectMapper json = new ObjectMapper();
    ObjectNode root = json.createObjectNode();
    root.put("version", "1.0");
    root.putNull("truncation");
    root.putNull("padding");
    String[] byteChars = gpt2ByteChars();
    ObjectNode vocab = json.createObjectNode();
    for (int b = 0; b < 256; b++) vocab.put(byteChars[b], b);
    int id = 256;
    ArrayNode merges = json.createArrayNode();
    for (String merge : MERGES) {
      vocab.put(merge.replace(" ", ""), id++);
      merges.add(merge);
    }
    ArrayNode added = root.putArray("added_tokens");
    for (String token : addedTokens) addSpecial(added, id++, token);
    root.putNull("normalizer");
    byteLevel(root.putObject("pre_tokenizer"), true);
    if (bos == null) {
      root.putNull("post_processor");
    } else {
      ObjectNode post = root.putObject("post_processor");
      post.put("type", "TemplateProcessing");
      ArrayNode single = post.putArray("single");
      single.addObject().putObject("SpecialToken").put("id", bos).put("type_id", 0);
      single.addObject().putObject("Sequence").put("id", "A").put("type_id", 0);
      ArrayNode pair = post.putArray("pair");
      pair.addAll(single.deepCopy());
      pair.addObject().putObject("Sequence").put("id", "B").put("type_id", 1);
      ObjectNode entry = post.putObject("special_tokens").putObject(bos);
      entry.put("id", bos);
      entry.putArray("ids").add(256 + MERGES.size() + addedTokens.indexOf(bos));
      entry.putArray("tokens").add(bos);
    }
    byteLevel(root.putObject("decoder"), true);
    ObjectNode model = bpeModel(root);
    model.set("vocab", vocab);
    model.set("merges", merges);
    json.writeValue(file.toFile(), root);
    return id;
  }

  /** An added token as the tokenizers library writes one marked special. */
  public static void addSpecial(ArrayNode added, int id, String content) {
    ObjectNode t = added.addObject();
    t.put("id", id);
    t.put("content", content);
    t.put("single_word", false);
    t.put("lstrip", false);
    t.put("rstrip", false);
    t.put("normalized", false);
    t.put("special", true);
  }

  /** GPT-2's byte-level step (pre-tokenizer or decoder), with or without its own split regex. */
  static void byteLevel(ObjectNode step, boolean useRegex) {
    step.put("type", "ByteLevel");
    step.put("add_prefix_space", false);
    step.put("trim_offsets", true);
    step.put("use_regex", useRegex);
  }

  /** A byte-level BPE model with no unknown token; the caller adds vocab and merges. */
  static ObjectNode bpeModel(ObjectNode root) {
    ObjectNode model = root.putObject("model");
    model.put("type", "BPE");
    model.putNull("dropout");
    model.putNull("unk_token");
    model.putNull("continuing_subword_prefix");
    model.putNull("end_of_word_suffix");
    model.put("fuse_unk", false);
    model.put("byte_fallback", false);
    return model;
  }

  /** GPT-2's bytes_to_unicode: printable bytes stand for themselves, the rest map past 255. */
  static String[] gpt2ByteChars() {
    List<Integer> printable = new ArrayList<>();
    for (int b = '!'; b <= '~'; b++) printable.add(b);
    for (int b = 0xA1; b <= 0xAC; b++) printable.add(b);
    for (int b = 0xAE; b <= 0xFF; b++) printable.add(b);
    String[] chars = new String[256];
    int extra = 0;
    for (int b = 0; b < 256; b++) {
      chars[b] = new String(Character.toChars(printable.contains(b) ? b : 256 + extra++));
    }
    return chars;
  }
}
