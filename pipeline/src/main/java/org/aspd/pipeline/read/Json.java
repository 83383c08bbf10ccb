package org.aspd.pipeline.read;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.ObjectReader;

/** The one Jackson configuration every reader uses. */
final class Json {
  /**
   * Jackson caps strings at 20 M chars by default; a record may be as long as the longest line a
   * reader keeps, so the cap follows that limit instead of failing big answers.
   */
  static final ObjectMapper MAPPER =
      new ObjectMapper(
          JsonFactory.builder()
              .streamReadConstraints(
                  StreamReadConstraints.builder().maxStringLength(Utf8Lines.MAX_LINE_BYTES).build())
              .build());

  /** "{...} junk" on one line is a broken line, not a record plus noise (streams allow more values). */
  private static final ObjectReader ONE_VALUE =
      MAPPER.readerFor(JsonNode.class).with(DeserializationFeature.FAIL_ON_TRAILING_TOKENS);

  private Json() {}

  /** Parses text that must hold exactly one JSON value. */
  static JsonNode parseOne(String text) throws com.fasterxml.jackson.core.JsonProcessingException {
    return ONE_VALUE.readTree(text);
  }
}
