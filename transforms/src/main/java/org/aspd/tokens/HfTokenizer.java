package org.aspd.tokens;

import ai.djl.huggingface.tokenizers.HuggingFaceTokenizer;
import ai.djl.huggingface.tokenizers.jni.TokenizersLibrary;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import org.aspd.format.SpecialTokens;

/**
 * A Hugging Face {@code tokenizer.json} (Qwen, Llama, Mistral, ...) as the pipeline's target
 * tokenizer, through the Rust tokenizers library, so that shards carry the ids of the model to be
 * trained.
 *
 * <p>The six markers: a tokenizer that holds none of them gets them as added special tokens after
 * its largest id, in {@link SpecialTokens#ALL} order, as {@code tokenizer.add_special_tokens} does
 * (Qwen2.5: 151665-151670, method §1); one that holds all of them keeps its ids; one that holds
 * some is refused. {@link #json()} is the file with the markers, to train with.
 *
 * <p>Text is encoded with added-token matching off for the special tokens (method §1, "Reserved
 * text"; transformers' {@code split_special_tokens=True}): the Java binding has no such flag, so
 * pieces go through a second tokenizer built from the same file without its special added
 * tokens. A literal {@code <|im_end|>} or {@code <|branch|>} in an answer is then ordinary text,
 * and only the serializer inserts control ids.
 */
public final class HfTokenizer implements AspdTokenizer, AutoCloseable {
  /** What to do when the file lacks the six markers. */
  public enum Markers {
    /** Add them after the largest id (a base model's tokenizer, before ASPD training). */
    ADD_IF_ABSENT,
    /** Refuse the file (a checkpoint trained for ASPD holds them). */
    REQUIRE
  }

  /** {@link #name()} is this, then the first 16 hex digits of {@link #json()}'s SHA-256. */
  public static final String NAME_PREFIX = "tokenizer.json@";

  private static final ObjectMapper JSON = new ObjectMapper();
  /** Characters of text whose ids {@link #ids} keeps (about 50 MB at most with the ids). */
  private static final long CACHE_CHARS = 16L << 20;

  private final byte[] json;
  private final String name;
  private final Map<String, Integer> markerIds;
  private final List<String> specialAddedTokens;
  private final int vocabSize;
  private final int[] reservedIds;
  private final HuggingFaceTokenizer full;
  private final HuggingFaceTokenizer content;
  /** Content tokenizer id -> the file's id, for its added tokens the library numbered otherwise. */
  private final Map<Integer, Integer> contentIdFix;
  private final ConcurrentHashMap<String, int[]> recent = new ConcurrentHashMap<>();
  private final AtomicLong recentChars = new AtomicLong();

  private HfTokenizer(byte[] json, Map<String, Integer> markerIds, List<String> specialAddedTokens,
      int vocabSize, int[] reservedIds, HuggingFaceTokenizer full, HuggingFaceTokenizer content,
      Map<Integer, Integer> contentIdFix) {
    this.json = json;
    this.name = NAME_PREFIX + fingerprint(json);
    this.markerIds = markerIds;
    this.specialAddedTokens = specialAddedTokens;
    this.vocabSize = vocabSize;
    this.reservedIds = reservedIds;
    this.full = full;
    this.content = content;
    this.contentIdFix = contentIdFix;
  }

  /**
   * Loads {@code path}, a {@code tokenizer.json} or a folder holding one.
   *
   * @throws NoSuchFileException when there is no such file
   * @throws IllegalArgumentException when the file is not a tokenizer the library can read, holds
   *     some markers but not all, holds a marker that is not one token, gives an added token an id
   *     the library would not give it, or (with {@code REQUIRE}) holds none of the markers
   */
  public static HfTokenizer load(Path path, Markers markers) throws IOException {
    Path file = Files.isDirectory(path) ? path.resolve("tokenizer.json") : path;
    if (!Files.isRegularFile(file)) throw new NoSuchFileException(file.toString());
    byte[] bytes = Files.readAllBytes(file);
    try {
      return of(bytes, markers);
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException(file + ": " + e.getMessage(), e);
    }
  }

  /** Like {@link #load} from the file's bytes. */
  public static HfTokenizer of(byte[] bytes, Markers markers) throws IOException {
    ObjectNode root = parse(bytes);
    ArrayNode added = root.has("added_tokens") && root.get("added_tokens").isArray()
        ? (ArrayNode) root.get("added_tokens") : root.putArray("added_tokens");
    int largest = largestId(root, added);
    boolean adding = addOrCheckMarkers(added, largest, markers);
    if (adding) largest += SpecialTokens.ALL.size();
    List<String> special = new ArrayList<>();
    ArrayNode kept = JSON.createArrayNode();
    for (JsonNode token : added) {
      boolean control = token.path("special").asBoolean(false)
          || SpecialTokens.ALL.contains(token.path("content").asText());
      if (control) special.add(token.path("content").asText());
      else kept.add(token);
    }
    ObjectNode plain = root.deepCopy();
    plain.set("added_tokens", kept);
    plain.putNull("post_processor");
    plain.putNull("truncation");
    plain.putNull("padding");
    withoutPrefixSpace(plain);

    if (adding) bytes = JSON.writerWithDefaultPrettyPrinter().writeValueAsBytes(root);
    HuggingFaceTokenizer full = build(bytes);
    HuggingFaceTokenizer content = null;
    try {
      Map<String, Integer> ids = libraryIds(full, added, adding);
      Map<String, Integer> markerIds = new LinkedHashMap<>();
      for (String marker : SpecialTokens.ALL) {
        Integer id = ids.get(marker);
        if (id == null) throw new IllegalArgumentException(marker + " does not encode to one token");
        markerIds.put(marker, id);
      }
      if (markerIds.values().stream().distinct().count() != SpecialTokens.ALL.size()) {
        throw new IllegalArgumentException("two ASPD markers share an id: " + markerIds);
      }
      for (int id : ids.values()) largest = Math.max(largest, id);
      // The unknown token ([UNK], <unk>) is what the model's own encoding gives for text outside
      // its vocabulary: ordinary output, not control text.
      String unknown = root.path("model").path("unk_token").asText(null);
      int[] reserved = special.stream()
          .filter(t -> !SpecialTokens.ALL.contains(t) && !t.equals(unknown) && ids.containsKey(t))
          .mapToInt(ids::get).toArray();
      content = build(JSON.writeValueAsBytes(plain));
      return new HfTokenizer(bytes, Map.copyOf(markerIds), List.copyOf(special), largest + 1, reserved, full, content,
          contentIdFix(content, kept, ids));
    } catch (RuntimeException e) {
      full.close();
      if (content != null) content.close();
      throw e;
    }
  }

  private static ObjectNode parse(byte[] bytes) throws IOException {
    try {
      JsonNode node = JSON.readTree(bytes);
      if (!(node instanceof ObjectNode root) || !root.path("model").isObject()) {
        throw new IllegalArgumentException("not a tokenizer.json (no \"model\" object)");
      }
      return root;
    } catch (JsonProcessingException e) {
      throw new IllegalArgumentException("not valid JSON: " + e.getOriginalMessage(), e);
    }
  }

  /** The largest id the file names, in its vocabulary or its added tokens. */
  private static int largestId(ObjectNode root, ArrayNode added) {
    // BPE and WordPiece: {token: id}; Unigram: [[token, score], ...], ids by position.
    JsonNode vocab = root.path("model").path("vocab");
    int largest = vocab.isArray() ? vocab.size() - 1 : -1;
    for (JsonNode id : vocab.isObject() ? vocab : JSON.createArrayNode()) largest = Math.max(largest, id.asInt(-1));
    for (JsonNode token : added) largest = Math.max(largest, token.path("id").asInt(-1));
    return largest;
  }

  /** Appends the six markers after {@code largest} when none is there; true when it did. */
  private static boolean addOrCheckMarkers(ArrayNode added, int largest, Markers markers) {
    Set<String> present = new HashSet<>();
    for (JsonNode token : added) {
      if (SpecialTokens.ALL.contains(token.path("content").asText())) present.add(token.path("content").asText());
    }
    if (present.isEmpty() && markers == Markers.ADD_IF_ABSENT) {
      for (String marker : SpecialTokens.ALL) {
        markerFields(added.addObject().put("id", ++largest), marker);
      }
      return true;
    }
    if (present.size() < SpecialTokens.ALL.size()) {
      List<String> missing = new ArrayList<>(SpecialTokens.ALL);
      missing.removeAll(present);
      throw new IllegalArgumentException((present.isEmpty() ? "it holds none of the six ASPD markers"
          : "it holds some of the six ASPD markers but not " + missing)
          + (markers == Markers.REQUIRE ? "; a checkpoint trained for ASPD holds all six as added tokens"
              : "; give it all six, in the order " + SpecialTokens.ALL + ", or none (aspd then adds them)"));
    }
    return false;
  }

  /**
   * The id the library gives each added token that encodes to one. The library numbers added
   * tokens on from the size of the vocabulary, whatever ids the file says; where the two differ
   * (ids left unused), the shards would hold ids the file gives other tokens, and one may even be
   * an ordinary token's. Such a file is refused.
   */
  private static Map<String, Integer> libraryIds(HuggingFaceTokenizer full, ArrayNode added, boolean adding) {
    Map<String, Integer> ids = new LinkedHashMap<>();
    for (JsonNode token : added) {
      String text = token.path("content").asText();
      long[] id = full.encode(text, false, false).getIds();
      if (id.length != 1) continue;
      ids.put(text, Math.toIntExact(id[0]));
      if (id[0] != token.path("id").asInt(-1)) {
        throw new IllegalArgumentException("the added token " + text + " is id " + token.path("id").asInt(-1)
            + " in the file, but the tokenizers library gives it id " + id[0] + ": the file's ids leave gaps,"
            + " and its ids and the library's would disagree" + (adding && SpecialTokens.ALL.contains(text)
                ? " (aspd added this marker after the largest id, " + token.path("id").asInt(-1) + ")" : ""));
      }
    }
    return ids;
  }

  /**
   * The library numbers the content tokenizer's added tokens on from the vocabulary too, so
   * without the special ones before them a plain added token (Qwen2.5's {@code <tool_call>},
   * after {@code <|endoftext|>} ... {@code <|video_pad|>}) gets the id of a removed one: this maps
   * it back to its own.
   */
  private static Map<Integer, Integer> contentIdFix(HuggingFaceTokenizer content, ArrayNode kept,
      Map<String, Integer> ids) {
    Map<Integer, Integer> fix = new HashMap<>();
    for (JsonNode token : kept) {
      Integer own = ids.get(token.path("content").asText());
      if (own == null) continue;
      long[] id = content.encode(token.path("content").asText(), false, false).getIds();
      if (id.length == 1 && id[0] != own) fix.put(Math.toIntExact(id[0]), own);
    }
    return Map.copyOf(fix);
  }

  /**
   * A text piece is never the start of a model's input: it follows a marker, a title or the
   * prompt. A tokenizer that puts a space before the start of a text (SentencePiece's Metaspace
   * {@code prepend_scheme}, Llama 2's {@code Prepend} normalizer, ByteLevel's {@code
   * add_prefix_space}) would otherwise put one before every piece: a branch header
   * {@code Syntax: Python} became {@code ▁Syntax ▁:▁ ▁Python}, which reads " Syntax :  Python".
   */
  private static void withoutPrefixSpace(ObjectNode plain) {
    if (plain.get("normalizer") instanceof ObjectNode normalizer) {
      if (isPrepend(normalizer)) plain.putNull("normalizer");
      else withoutPrepend(normalizer);
    }
    withoutPrefixSpaceStep(plain.get("pre_tokenizer"));
  }

  private static boolean isPrepend(JsonNode normalizer) {
    return "Prepend".equals(normalizer.path("type").asText());
  }

  private static void withoutPrepend(ObjectNode normalizer) {
    if (!(normalizer.get("normalizers") instanceof ArrayNode steps)) return;
    for (int i = steps.size() - 1; i >= 0; i--) {
      if (isPrepend(steps.get(i))) steps.remove(i);
      else if (steps.get(i) instanceof ObjectNode step) withoutPrepend(step);
    }
  }

  private static void withoutPrefixSpaceStep(JsonNode pre) {
    if (!(pre instanceof ObjectNode step)) return;
    switch (step.path("type").asText()) {
      case "Metaspace" -> {
        step.put("prepend_scheme", "never");
        if (step.has("add_prefix_space")) step.put("add_prefix_space", false);
      }
      case "ByteLevel" -> {
        if (step.has("add_prefix_space")) step.put("add_prefix_space", false);
      }
      case "Sequence" -> {
        for (JsonNode inner : step.path("pretokenizers")) withoutPrefixSpaceStep(inner);
      }
      default -> { }
    }
  }

  /** The tokenizer.json these ids belong to, markers included: save it beside the shards. */
  public byte[] json() {
    return json.clone();
  }

  /** Added tokens marked special, and the markers: the control strings of this vocabulary. */
  public List<String> controlStrings() {
    return specialAddedTokens;
  }

  /**
   * Ids of {@code text} as the tokenizer's own {@code encode} gives them, added tokens matched and
   * without the post-processor's additions (a chat-formatted prompt, a generated answer's check).
   */
  public int[] encodeWithControlTokens(String text) {
    return toInts(full.encode(text, false, false).getIds());
  }

  /** Ids of {@code text} with the post-processor's additions (Llama 3's {@code <|begin_of_text|>}). */
  public int[] encodePrompt(String text) {
    return toInts(full.encode(text, true, false).getIds());
  }

  /** Text of ids, control tokens included. */
  public String decode(int[] ids) {
    long[] longs = new long[ids.length];
    for (int i = 0; i < ids.length; i++) longs[i] = ids[i];
    return full.decode(longs, false);
  }

  @Override
  public String name() {
    return name;
  }

  @Override
  public int[] encodeText(String text) {
    return ids(text).clone();
  }

  @Override
  public int countText(String text) {
    return ids(text).length;
  }

  /**
   * The ids of a piece, from the cache when it was encoded lately: the stages encode the same
   * texts several times (the prefilter counts the answer, the metrics count it and its pieces, the
   * shard layout encodes the pieces), and the Rust library encodes about 3.5x slower than jtokkit.
   * The cache holds up to {@link #CACHE_CHARS} characters of text, then starts over.
   */
  private int[] ids(String text) {
    int[] ids = recent.get(text);
    if (ids == null) {
      ids = encodeUncached(text);
      if (recentChars.addAndGet(text.length()) > CACHE_CHARS) {
        recent.clear();
        recentChars.set(text.length());
      }
      recent.put(text, ids);
    }
    return ids;
  }

  /**
   * Straight through the binding's JNI entry points: {@code HuggingFaceTokenizer.encode} also
   * fetches the tokens as strings, their offsets and five other arrays per call.
   */
  private int[] encodeUncached(String text) {
    long encoding = TokenizersLibrary.LIB.encode(content.getHandle(), text, false);
    try {
      int[] ids = toInts(TokenizersLibrary.LIB.getTokenIds(encoding));
      if (!contentIdFix.isEmpty()) {
        for (int i = 0; i < ids.length; i++) ids[i] = contentIdFix.getOrDefault(ids[i], ids[i]);
      }
      return ids;
    } finally {
      TokenizersLibrary.LIB.deleteEncoding(encoding);
    }
  }

  @Override
  public int specialId(String marker) {
    Integer id = markerIds.get(marker);
    if (id == null) throw new IllegalArgumentException("not an ASPD marker: " + marker);
    return id;
  }

  /** One more than the largest id of the vocabulary, the added tokens and the markers. */
  @Override
  public int vocabSize() {
    return vocabSize;
  }

  @Override
  public int[] reservedIds() {
    return reservedIds.clone();
  }

  @Override
  public void close() {
    full.close();
    content.close();
  }

  /**
   * A marker's added-token fields as the tokenizers library and transformers write an added
   * special token (tokenizer.json's added_tokens, tokenizer_config.json's added_tokens_decoder).
   */
  static ObjectNode markerFields(ObjectNode token, String marker) {
    token.put("content", marker);
    token.put("single_word", false);
    token.put("lstrip", false);
    token.put("rstrip", false);
    token.put("normalized", false);
    token.put("special", true);
    return token;
  }

  /** First 16 hex digits of the SHA-256 of {@code bytes}. */
  static String fingerprint(byte[] bytes) {
    try {
      return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes)).substring(0, 16);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  private static HuggingFaceTokenizer build(byte[] json) throws IOException {
    try {
      TokenizersNativeLibrary.load();
    } catch (RuntimeException | LinkageError e) { // it unpacks under the DJL cache folder, ~/.djl.ai by default
      throw new IllegalStateException("the Hugging Face tokenizers library could not load its native part"
          + " (is the home folder writable?): " + e, e);
    }
    try {
      return HuggingFaceTokenizer.newInstance(new ByteArrayInputStream(json),
          Map.of("addSpecialTokens", "false", "truncation", "false", "padding", "false"));
    } catch (RuntimeException e) { // the native library reports a malformed file as a plain exception
      throw new IllegalArgumentException("the tokenizers library cannot read it: " + e.getMessage(), e);
    }
  }

  private static int[] toInts(long[] ids) {
    int[] out = new int[ids.length];
    for (int i = 0; i < ids.length; i++) out[i] = Math.toIntExact(ids[i]);
    return out;
  }
}
