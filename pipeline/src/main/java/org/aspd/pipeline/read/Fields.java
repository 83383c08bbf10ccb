package org.aspd.pipeline.read;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;

/** Typed access to a record's fields, failing with a reason code instead of guessing. */
final class Fields {
  static final String[] MODEL = {"model", "generator", "model_id"};
  static final String[] CATEGORY = {"category", "dataset"};
  static final String[] ID = {"id", "question_id", "idx"};

  private Fields() {}

  /** The first of {@code names} present and not null, or null; a non-string value is an error. */
  static String optionalText(JsonNode record, String... names) throws BadRecord {
    String name = firstPresent(record, names);
    if (name == null) {
      return null;
    }
    JsonNode value = record.get(name);
    if (!value.isTextual()) {
      throw new BadRecord(
          Reason.NOT_A_STRING, "field '" + name + "' is " + value.getNodeType() + ", not a string");
    }
    return value.textValue();
  }

  /** Like {@link #optionalText} but a missing field is an error naming the keys the record has. */
  static String requiredText(JsonNode record, String role, String... names) throws BadRecord {
    String text = optionalText(record, names);
    if (text == null) {
      for (String name : names) {
        if (record.has(name)) { // present but null: "no field ... has keys [response]" read as a contradiction
          throw new BadRecord(Reason.MISSING_FIELD, "the " + role + " field '" + name + "' is null");
        }
      }
      throw new BadRecord(
          Reason.MISSING_FIELD,
          "no " + role + " field (" + String.join("|", names) + "); record has keys " + keys(record));
    }
    return text;
  }

  /** The first of {@code names} present with a non-null value, or null. */
  static String firstPresent(JsonNode record, String... names) {
    for (String name : names) {
      JsonNode value = record.get(name);
      if (value != null && !value.isNull()) {
        return name;
      }
    }
    return null;
  }

  /** The record's own id as text when it has a usable one, else {@code fallback}. */
  static String id(JsonNode record, String fallback) {
    String name = firstPresent(record, ID);
    if (name != null && record.get(name).isValueNode() && !record.get(name).asText().isEmpty()) {
      return record.get(name).asText();
    }
    return fallback;
  }

  /** Metadata is best effort: a wrongly typed model or category is recorded as unknown. */
  static String metadata(JsonNode record, String... names) {
    String name = firstPresent(record, names);
    return name != null && record.get(name).isTextual() ? record.get(name).textValue() : "";
  }

  static String answer(String text) throws BadRecord {
    if (text.isBlank()) {
      throw new BadRecord(
          Reason.EMPTY_ANSWER, text.isEmpty() ? "answer is empty" : "answer is only whitespace");
    }
    return text;
  }

  static List<String> keys(JsonNode record) {
    List<String> keys = new ArrayList<>();
    for (Iterator<String> it = record.fieldNames(); it.hasNext(); ) {
      keys.add(it.next());
    }
    return keys;
  }
}
