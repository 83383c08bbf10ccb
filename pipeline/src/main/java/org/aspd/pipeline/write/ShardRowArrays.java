package org.aspd.pipeline.write;

import java.util.List;
import org.apache.avro.generic.GenericRecord;

/** The int-array fields of a shard row read back with {@link ShardReader}. */
public final class ShardRowArrays {
  private ShardRowArrays() {}

  /** The array in {@code field}, or null when the row has none there. */
  public static int[] ints(GenericRecord row, String field) {
    Object value = row.get(field);
    if (!(value instanceof List<?> list)) {
      return null;
    }
    int[] out = new int[list.size()];
    for (int i = 0; i < out.length; i++) {
      out[i] = ((Number) list.get(i)).intValue();
    }
    return out;
  }

  /** Like {@link #ints}, for fields every row must have. */
  public static int[] required(GenericRecord row, String field) {
    int[] out = ints(row, field);
    if (out == null) {
      throw new IllegalArgumentException("row " + row.get("id") + " has no " + field);
    }
    return out;
  }
}
