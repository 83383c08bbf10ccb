package org.aspd.tokens;

import com.knuddels.jtokkit.Encodings;
import com.knuddels.jtokkit.api.Encoding;
import com.knuddels.jtokkit.api.EncodingType;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;
import org.aspd.format.SpecialTokens;

/**
 * A tiktoken encoding (jtokkit, offline; the BPE ranks ship inside its jar) extended with the six
 * ASPD control tokens, appended after the encoding's last id in {@link SpecialTokens#ALL} order,
 * the way they are added to a Hugging Face tokenizer.
 */
public final class TiktokenTokenizer implements AspdTokenizer {
  /** Appended to the encoding's name: the vocabulary is the encoding's plus the six ASPD tokens. */
  static final String SUFFIX = "+aspd";

  /** Each encoding's own special tokens ({@code <|endoftext|>}, FIM, {@code <|endofprompt|>}). */
  private static final Map<EncodingType, int[]> OWN_SPECIAL_IDS = Map.of(
      EncodingType.O200K_BASE, new int[] {199999, 200018},
      EncodingType.CL100K_BASE, new int[] {100257, 100258, 100259, 100260, 100276});

  /** First id after each encoding's own special tokens. */
  private static final Map<EncodingType, Integer> FIRST_FREE_ID = Map.of(
      EncodingType.O200K_BASE, 200019,
      EncodingType.CL100K_BASE, 100277);

  private final String name;
  private final Encoding encoding;
  private final Map<String, Integer> specialIds = new HashMap<>();
  private final int vocabSize;
  private final int[] reservedIds;

  private TiktokenTokenizer(EncodingType type) {
    Integer firstFree = FIRST_FREE_ID.get(type);
    if (firstFree == null) {
      throw new IllegalArgumentException("unsupported tiktoken encoding " + type.getName()
          + "; use one of " + FIRST_FREE_ID.keySet());
    }
    this.encoding = Encodings.newLazyEncodingRegistry().getEncoding(type);
    this.name = type.getName() + SUFFIX;
    for (int i = 0; i < SpecialTokens.ALL.size(); i++) {
      specialIds.put(SpecialTokens.ALL.get(i), firstFree + i);
    }
    this.vocabSize = firstFree + SpecialTokens.ALL.size();
    this.reservedIds = OWN_SPECIAL_IDS.get(type);
  }

  /** Whether {@code name} is an encoding {@link #of} knows. */
  public static boolean knows(String name) {
    return FIRST_FREE_ID.keySet().stream().anyMatch(t -> t.getName().equals(name));
  }

  /** {@code o200k_base} or {@code cl100k_base}. */
  public static TiktokenTokenizer of(String encodingName) {
    String wanted = encodingName.toLowerCase(Locale.ROOT);
    for (EncodingType type : EncodingType.values()) {
      if (type.getName().equals(wanted)) {
        return new TiktokenTokenizer(type);
      }
    }
    throw new IllegalArgumentException("unknown tokenizer '" + encodingName + "'; known: o200k_base, cl100k_base");
  }

  @Override
  public String name() {
    return name;
  }

  @Override
  public int[] encodeText(String text) {
    return encoding.encodeOrdinary(text).toArray();
  }

  @Override
  public int countText(String text) {
    return encoding.countTokensOrdinary(text);
  }

  @Override
  public int specialId(String special) {
    Integer id = specialIds.get(special);
    if (id == null) {
      throw new IllegalArgumentException("not an ASPD control token: " + special);
    }
    return id;
  }

  @Override
  public int vocabSize() {
    return vocabSize;
  }

  @Override
  public int[] reservedIds() {
    return reservedIds.clone();
  }

  /** Never: ordinary encoding cannot yield a special token's id. */
  @Override
  public int reservedIdIn(String text) {
    return -1;
  }
}
