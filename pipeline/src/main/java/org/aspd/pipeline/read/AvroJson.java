package org.aspd.pipeline.read;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.avro.Schema;
import org.apache.avro.generic.GenericEnumSymbol;
import org.apache.avro.generic.GenericFixed;
import org.apache.avro.generic.GenericRecord;

/**
 * A Parquet row (as parquet-avro reads it) as the JSON the record mappers take. Avro's own
 * rendering showed a standard Parquet LIST (what pyarrow and Hugging Face datasets write) as
 * {@code [{"element": ...}]}, so no chat row had a role, and decoded a BINARY text column as
 * Latin-1, garbling every non-ASCII answer.
 */
final class AvroJson {
  /** Field names of the one-field records parquet-avro wraps list elements in (3-level and legacy forms). */
  private static final Set<String> LIST_ELEMENT_NAMES = Set.of("element", "item", "array");
  private static final JsonNodeFactory NODES = JsonNodeFactory.instance;

  private AvroJson() {}

  static JsonNode of(GenericRecord row) throws BadRecord {
    return value(row, "");
  }

  private static JsonNode value(Object v, String where) throws BadRecord {
    if (v == null) return NODES.nullNode();
    if (v instanceof GenericRecord r) {
      ObjectNode o = NODES.objectNode();
      for (Schema.Field f : r.getSchema().getFields()) {
        o.set(f.name(), value(r.get(f.pos()), where.isEmpty() ? f.name() : where + "." + f.name()));
      }
      return o;
    }
    if (v instanceof Collection<?> list) {
      ArrayNode a = NODES.arrayNode();
      int i = 0;
      for (Object e : list) {
        a.add(value(unwrapListElement(e), where + "[" + i++ + "]"));
      }
      return a;
    }
    if (v instanceof Map<?, ?> map) {
      ObjectNode o = NODES.objectNode();
      for (Map.Entry<?, ?> e : map.entrySet()) {
        o.set(String.valueOf(e.getKey()), value(e.getValue(), where + "." + e.getKey()));
      }
      return o;
    }
    if (v instanceof ByteBuffer bytes) return NODES.textNode(utf8(bytes.duplicate(), where));
    if (v instanceof GenericFixed fixed) return NODES.textNode(utf8(ByteBuffer.wrap(fixed.bytes()), where));
    if (v instanceof CharSequence || v instanceof GenericEnumSymbol<?>) return NODES.textNode(v.toString());
    if (v instanceof Boolean b) return NODES.booleanNode(b);
    if (v instanceof Integer n) return NODES.numberNode(n);
    if (v instanceof Long n) return NODES.numberNode(n);
    if (v instanceof Float n) return NODES.numberNode(n);
    if (v instanceof Double n) return NODES.numberNode(n);
    return NODES.textNode(v.toString());
  }

  private static Object unwrapListElement(Object e) {
    if (e instanceof GenericRecord r) {
      List<Schema.Field> fields = r.getSchema().getFields();
      if (fields.size() == 1 && LIST_ELEMENT_NAMES.contains(fields.get(0).name())) return r.get(0);
    }
    return e;
  }

  /** Text columns are UTF-8 (Parquet's STRING); bytes that are not are a bad record, not mojibake. */
  private static String utf8(ByteBuffer bytes, String where) throws BadRecord {
    try {
      return StandardCharsets.UTF_8.newDecoder()
          .onMalformedInput(CodingErrorAction.REPORT)
          .onUnmappableCharacter(CodingErrorAction.REPORT)
          .decode(bytes)
          .toString();
    } catch (CharacterCodingException e) {
      throw new BadRecord(Reason.INVALID_UTF8, "column " + where + " holds bytes that are not UTF-8 text");
    }
  }
}
