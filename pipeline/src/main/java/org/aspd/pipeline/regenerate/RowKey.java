package org.aspd.pipeline.regenerate;

import java.io.Serializable;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import org.apache.avro.generic.GenericRecord;
import org.aspd.model.Sample;
import org.aspd.stages.SelectCandidateFn;

/**
 * What a row was computed from, in 128 bits: the first half of a SHA-256 over the id, the content
 * hash (SHA-256 over system, history, prompt and answer) and the fields a row copies from its input
 * unchanged (source position, model, category). Two samples with the same key produce the same row
 * under the same configuration fingerprint, so a previous row with this key can be carried over.
 * At 128 bits, two different inputs sharing a key is not a practical concern (about n²/2¹²⁹).
 */
record RowKey(long hi, long lo) implements Serializable, Comparable<RowKey> {
  static final RowKey NONE = new RowKey(0, 0);

  static RowKey of(Sample s) {
    return of(s.id(), SelectCandidateFn.contentHash(s), s.source(), s.model(), s.category());
  }

  static RowKey of(GenericRecord row) {
    return of(str(row, "id"), str(row, "content_hash"), str(row, "source"), str(row, "model"), str(row, "category"));
  }

  static RowKey of(String... parts) {
    MessageDigest md = Sha256.digest();
    for (String part : parts) {
      byte[] bytes = part.getBytes(StandardCharsets.UTF_8);
      md.update(Integer.toString(bytes.length).getBytes(StandardCharsets.UTF_8));
      md.update((byte) ':');
      md.update(bytes);
    }
    ByteBuffer digest = ByteBuffer.wrap(md.digest());
    return new RowKey(digest.getLong(), digest.getLong());
  }

  private static String str(GenericRecord r, String field) {
    Object v = r.get(field);
    return v == null ? "" : v.toString();
  }

  @Override
  public int compareTo(RowKey o) {
    int c = Long.compare(hi, o.hi);
    return c != 0 ? c : Long.compare(lo, o.lo);
  }
}
