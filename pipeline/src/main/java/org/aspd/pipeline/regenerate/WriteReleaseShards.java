package org.aspd.pipeline.regenerate;

import org.apache.avro.Schema;
import org.apache.beam.sdk.coders.ByteArrayCoder;
import org.apache.beam.sdk.coders.KvCoder;
import org.apache.beam.sdk.coders.VarIntCoder;
import org.apache.beam.sdk.transforms.MapElements;
import org.apache.beam.sdk.transforms.PTransform;
import org.apache.beam.sdk.values.KV;
import org.apache.beam.sdk.values.PCollection;
import org.apache.beam.sdk.values.TypeDescriptor;
import org.apache.beam.sdk.values.TypeDescriptors;
import org.aspd.pipeline.write.WriteShards;

/**
 * Writes a release's rows, new and carried alike, with {@link WriteShards}: same shard of an id,
 * same temporary folder renamed into place at the end, same empty shards for a complete set.
 */
final class WriteReleaseShards extends PTransform<PCollection<EncodedRow>, PCollection<String>> {
  private final String dataDir;
  private final int numShards;
  private final Schema schema;

  WriteReleaseShards(String dataDir, int numShards, Schema schema) {
    this.dataDir = dataDir;
    this.numShards = numShards;
    this.schema = schema;
  }

  @Override
  public PCollection<String> expand(PCollection<EncodedRow> rows) {
    int shards = numShards;
    return rows
        .apply("KeyByShard", MapElements
            .into(TypeDescriptors.kvs(TypeDescriptors.integers(), TypeDescriptor.of(byte[].class)))
            .via((EncodedRow r) -> KV.of(WriteShards.shardOf(r.id(), shards), r.avro())))
        .setCoder(KvCoder.of(VarIntCoder.of(), ByteArrayCoder.of()))
        .apply("WriteEncoded", new WriteShards.Encoded(dataDir, numShards, schema));
  }
}
