package org.aspd.pipeline.regenerate;

import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import org.apache.avro.Schema;
import org.apache.avro.generic.GenericDatumReader;
import org.apache.avro.generic.GenericDatumWriter;
import org.apache.avro.generic.GenericRecord;
import org.apache.avro.io.BinaryEncoder;
import org.apache.avro.io.DecoderFactory;
import org.apache.avro.io.EncoderFactory;
import org.apache.beam.sdk.coders.ByteArrayCoder;
import org.apache.beam.sdk.coders.CustomCoder;
import org.apache.beam.sdk.coders.StringUtf8Coder;

/**
 * One shard row as Avro binary ({@code schemas/shard_row.avsc}) with its id and {@link RowKey}:
 * new rows and carried rows travel the same way, cheap to copy and written unchanged, so a carried
 * row is the previous release's record byte for byte.
 */
record EncodedRow(String id, RowKey key, byte[] avro) {

  static EncodedRow of(GenericRecord record, RowKey key, GenericDatumWriter<GenericRecord> writer) {
    try {
      ByteArrayOutputStream bytes = new ByteArrayOutputStream(8192);
      BinaryEncoder enc = EncoderFactory.get().binaryEncoder(bytes, null);
      writer.write(record, enc);
      enc.flush();
      return new EncodedRow(record.get("id").toString(), key, bytes.toByteArray());
    } catch (IOException e) {
      throw new IllegalStateException("cannot encode row " + record.get("id"), e);
    }
  }

  GenericRecord decode(Schema schema) {
    try {
      return new GenericDatumReader<GenericRecord>(schema).read(null, DecoderFactory.get().binaryDecoder(avro, null));
    } catch (IOException e) {
      throw new IllegalStateException("cannot decode row " + id, e);
    }
  }

  static final class Coder extends CustomCoder<EncodedRow> {
    @Override
    public void encode(EncodedRow row, OutputStream out) throws IOException {
      StringUtf8Coder.of().encode(row.id, out);
      DataOutputStream data = new DataOutputStream(out);
      data.writeLong(row.key.hi());
      data.writeLong(row.key.lo());
      data.flush();
      ByteArrayCoder.of().encode(row.avro, out);
    }

    @Override
    public EncodedRow decode(InputStream in) throws IOException {
      String id = StringUtf8Coder.of().decode(in);
      DataInputStream data = new DataInputStream(in);
      RowKey key = new RowKey(data.readLong(), data.readLong());
      return new EncodedRow(id, key, ByteArrayCoder.of().decode(in));
    }
  }
}
