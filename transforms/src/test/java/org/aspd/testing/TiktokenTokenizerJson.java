package org.aspd.testing;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Writes a real vocabulary, tiktoken's cl100k_base or o200k_base (the BPE ranks inside the jtokkit
 * jar), as a Hugging Face tokenizer.json, the way public conversions of them are made: the
 * encoding's split regex, byte-level BPE with one merge per token derived from the ranks, and its
 * special tokens as added tokens. Loaded by the tokenizers library, it gives the ids jtokkit gives,
 * so tests can compare the two paths on real text.
 */
public final class TiktokenTokenizerJson {
  private static final String CL100K_SPLIT = "(?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\\r\\n\\p{L}\\p{N}]?\\p{L}+"
      + "|\\p{N}{1,3}| ?[^\\s\\p{L}\\p{N}]+[\\r\\n]*|\\s*[\\r\\n]+|\\s+(?!\\S)|\\s+";
  private static final String O200K_SPLIT = String.join("|",
      "[^\\r\\n\\p{L}\\p{N}]?[\\p{Lu}\\p{Lt}\\p{Lm}\\p{Lo}\\p{M}]*[\\p{Ll}\\p{Lm}\\p{Lo}\\p{M}]+(?i:'s|'t|'re|'ve|'m|'ll|'d)?",
      "[^\\r\\n\\p{L}\\p{N}]?[\\p{Lu}\\p{Lt}\\p{Lm}\\p{Lo}\\p{M}]+[\\p{Ll}\\p{Lm}\\p{Lo}\\p{M}]*(?i:'s|'t|'re|'ve|'m|'ll|'d)?",
      "\\p{N}{1,3}", " ?[^\\s\\p{L}\\p{N}]+[\\r\\n/]*", "\\s*[\\r\\n]+", "\\s+(?!\\S)", "\\s+");

  private TiktokenTokenizerJson() {}

  /**
   * Writes {@code file} for {@code encoding} ({@code cl100k_base} or {@code o200k_base}), with the
   * encoding's special tokens as added special tokens and no ASPD markers.
   */
  public static void write(Path file, String encoding) throws IOException {
    String split;
    Map<String, Integer> specials = new HashMap<>();
    switch (encoding) {
      case "cl100k_base" -> {
        split = CL100K_SPLIT;
        specials.put("<|endoftext|>", 100257);
        specials.put("<|fim_prefix|>", 100258);
        specials.put("<|fim_middle|>", 100259);
        specials.put("<|fim_suffix|>", 100260);
        specials.put("<|endofprompt|>", 100276);
      }
      case "o200k_base" -> {
        split = O200K_SPLIT;
        specials.put("<|endoftext|>", 199999);
        specials.put("<|endofprompt|>", 200018);
      }
      default -> throw new IllegalArgumentException(encoding);
    }
    List<byte[]> tokens = ranks(encoding);
    Map<String, Integer> rankOf = new HashMap<>();
    for (int r = 0; r < tokens.size(); r++) rankOf.put(key(tokens.get(r)), r);

    String[] byteChars = ByteLevelTokenizerJson.gpt2ByteChars();
    ObjectMapper json = new ObjectMapper();
    ObjectNode root = json.createObjectNode();
    root.put("version", "1.0");
    root.putNull("truncation");
    root.putNull("padding");
    // The library numbers added tokens on from the vocabulary with no gaps, so the ids the
    // encoding leaves unused before its last special token are filled with placeholders.
    ArrayNode added = root.putArray("added_tokens");
    Map<Integer, String> byId = new HashMap<>();
    specials.forEach((text, id) -> byId.put(id, text));
    int last = byId.keySet().stream().max(Integer::compare).orElseThrow();
    for (int id = tokens.size(); id <= last; id++) {
      ByteLevelTokenizerJson.addSpecial(added, id, byId.getOrDefault(id, "<|reserved_" + id + "|>"));
    }
    root.putNull("normalizer");
    ObjectNode pre = root.putObject("pre_tokenizer");
    pre.put("type", "Sequence");
    ArrayNode steps = pre.putArray("pretokenizers");
    ObjectNode splitStep = steps.addObject();
    splitStep.put("type", "Split");
    splitStep.putObject("pattern").put("Regex", split);
    splitStep.put("behavior", "Isolated");
    splitStep.put("invert", false);
    ByteLevelTokenizerJson.byteLevel(steps.addObject(), false);
    root.putNull("post_processor");
    ByteLevelTokenizerJson.byteLevel(root.putObject("decoder"), true);
    ObjectNode model = ByteLevelTokenizerJson.bpeModel(root);
    // tiktoken takes a piece that is a token whole; so does BPE with ignore_merges.
    model.put("ignore_merges", true);
    ObjectNode vocab = model.putObject("vocab");
    ArrayNode merges = model.putArray("merges");
    for (int r = 0; r < tokens.size(); r++) {
      byte[] token = tokens.get(r);
      vocab.put(text(token, byteChars), r);
      if (token.length > 1) {
        List<byte[]> parts = bpe(token, rankOf, r);
        if (parts.size() != 2) throw new IllegalStateException("rank " + r + " does not split in two");
        merges.add(text(parts.get(0), byteChars) + " " + text(parts.get(1), byteChars));
      }
    }
    json.writeValue(file.toFile(), root);
  }

  /** The encoding's tokens, by rank. */
  private static List<byte[]> ranks(String encoding) throws IOException {
    List<byte[]> tokens = new ArrayList<>();
    try (InputStream in = TiktokenTokenizerJson.class.getResourceAsStream(
        "/com/knuddels/jtokkit/" + encoding + ".tiktoken")) {
      if (in == null) throw new IOException("jtokkit has no " + encoding + ".tiktoken");
      BufferedReader lines = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8));
      for (String line; (line = lines.readLine()) != null; ) {
        if (line.isBlank()) continue;
        String[] f = line.split(" ");
        int rank = Integer.parseInt(f[1]);
        if (rank != tokens.size()) throw new IOException("ranks out of order at " + rank);
        tokens.add(Base64.getDecoder().decode(f[0]));
      }
    }
    return tokens;
  }

  /** tiktoken's BPE over {@code token}'s bytes with only merges of rank below {@code maxRank}. */
  private static List<byte[]> bpe(byte[] token, Map<String, Integer> rankOf, int maxRank) {
    List<byte[]> parts = new ArrayList<>();
    for (byte b : token) parts.add(new byte[] {b});
    while (true) {
      int best = -1;
      int bestRank = maxRank;
      for (int i = 0; i + 1 < parts.size(); i++) {
        Integer rank = rankOf.get(key(concat(parts.get(i), parts.get(i + 1))));
        if (rank != null && rank < bestRank) {
          best = i;
          bestRank = rank;
        }
      }
      if (best < 0) return parts;
      parts.set(best, concat(parts.get(best), parts.remove(best + 1)));
    }
  }

  private static byte[] concat(byte[] a, byte[] b) {
    byte[] out = new byte[a.length + b.length];
    System.arraycopy(a, 0, out, 0, a.length);
    System.arraycopy(b, 0, out, a.length, b.length);
    return out;
  }

  private static String key(byte[] bytes) {
    return new String(bytes, StandardCharsets.ISO_8859_1);
  }

  private static String text(byte[] bytes, String[] byteChars) {
    StringBuilder s = new StringBuilder();
    for (byte b : bytes) s.append(byteChars[b & 0xff]);
    return s.toString();
  }
}
