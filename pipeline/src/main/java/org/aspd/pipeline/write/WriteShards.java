package org.aspd.pipeline.write;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import org.apache.avro.Schema;
import org.apache.avro.generic.GenericDatumReader;
import org.apache.avro.generic.GenericDatumWriter;
import org.apache.avro.generic.GenericRecord;
import org.apache.avro.io.BinaryDecoder;
import org.apache.avro.io.BinaryEncoder;
import org.apache.avro.io.DecoderFactory;
import org.apache.avro.io.EncoderFactory;
import org.apache.beam.sdk.coders.ByteArrayCoder;
import org.apache.beam.sdk.coders.KvCoder;
import org.apache.beam.sdk.coders.StringUtf8Coder;
import org.apache.beam.sdk.coders.VarIntCoder;
import org.apache.beam.sdk.io.FileSystems;
import org.apache.beam.sdk.io.fs.MoveOptions;
import org.apache.beam.sdk.io.fs.ResolveOptions;
import org.apache.beam.sdk.io.fs.ResourceId;
import org.apache.beam.sdk.transforms.Create;
import org.apache.beam.sdk.transforms.DoFn;
import org.apache.beam.sdk.transforms.GroupByKey;
import org.apache.beam.sdk.transforms.PTransform;
import org.apache.beam.sdk.transforms.ParDo;
import org.apache.beam.sdk.transforms.View;
import org.apache.beam.sdk.values.KV;
import org.apache.beam.sdk.values.PCollection;
import org.apache.beam.sdk.values.PCollectionView;
import org.apache.parquet.hadoop.ParquetWriter;
import org.aspd.model.ShardRow;

/**
 * Writes rows as {@code DIR/train-SSSSS-of-NNNNN.parquet}. A row's shard is a hash of its id, so a
 * rerun puts every row in the same shard. Shards are written under a temporary folder and renamed
 * into place only after every shard is complete: a reader never sees half a shard, and a crashed
 * run leaves no partial files where the data belongs. Shards that receive no row are written empty
 * so the set is always complete.
 *
 * <p>Rows cross the shuffle as Avro bytes, which the runner copies cheaply (the DirectRunner copies
 * a key's whole group each time a bundle adds to it).
 */
public class WriteShards extends PTransform<PCollection<ShardRow>, PCollection<String>> {
  private final String dataDir;
  private final int numShards;
  private final String schemaJson;

  public WriteShards(String dataDir, int numShards, Schema schema) {
    if (numShards < 1) {
      throw new IllegalArgumentException("--numShards must be at least 1, not " + numShards);
    }
    this.dataDir = dataDir;
    this.numShards = numShards;
    this.schemaJson = schema.toString();
  }

  @Override
  public PCollection<String> expand(PCollection<ShardRow> rows) {
    return rows
        .apply("EncodeRows", ParDo.of(new EncodeFn(schemaJson, numShards)))
        .setCoder(KvCoder.of(VarIntCoder.of(), ByteArrayCoder.of()))
        .apply("WriteEncoded", new Encoded(dataDir, numShards, new Schema.Parser().parse(schemaJson)));
  }

  /**
   * The writing half, for rows that are already Avro bytes keyed by {@link #shardOf} (regeneration
   * carries rows of an earlier release over byte for byte this way). Outputs the final file names.
   */
  public static final class Encoded extends PTransform<PCollection<KV<Integer, byte[]>>, PCollection<String>> {
    private final String dataDir;
    private final int numShards;
    private final String schemaJson;

    public Encoded(String dataDir, int numShards, Schema schema) {
      this.dataDir = dataDir;
      this.numShards = numShards;
      this.schemaJson = schema.toString();
    }

    @Override
    public PCollection<String> expand(PCollection<KV<Integer, byte[]>> rows) {
      PCollectionView<List<String>> written = rows
          .apply("GroupByShard", GroupByKey.create())
          .apply("WriteTempShards", ParDo.of(new WriteShardFn(schemaJson, dataDir, numShards)))
          .setCoder(StringUtf8Coder.of())
          .apply("WrittenShards", View.asList());
      // One element, so the shards are finalized even when no row came (every shard then empty).
      return rows.getPipeline()
          .apply("Once", Create.of(0))
          .apply("FinalizeShards", ParDo.of(new FinalizeFn(schemaJson, dataDir, numShards, written))
              .withSideInputs(written));
    }
  }

  public static String shardName(int shard, int numShards) {
    return String.format(Locale.ROOT, "train-%05d-of-%05d.parquet", shard, numShards);
  }

  public static int shardOf(String id, int numShards) {
    // FNV-1a over UTF-8: stable across JVMs and runners, unlike String.hashCode's spec-free use.
    int h = 0x811c9dc5;
    for (byte b : id.getBytes(StandardCharsets.UTF_8)) {
      h = (h ^ (b & 0xff)) * 0x01000193;
    }
    return Math.floorMod(h, numShards);
  }

  static ResourceId tempDir(String dataDir) {
    return FileSystems.matchNewResource(dataDir, true)
        .resolve(".aspd-temp", ResolveOptions.StandardResolveOptions.RESOLVE_DIRECTORY);
  }

  static class EncodeFn extends DoFn<ShardRow, KV<Integer, byte[]>> {
    private final String schemaJson;
    private final int numShards;
    private transient Schema schema;
    private transient GenericDatumWriter<GenericRecord> writer;

    EncodeFn(String schemaJson, int numShards) {
      this.schemaJson = schemaJson;
      this.numShards = numShards;
    }

    @Setup
    public void setup() {
      schema = new Schema.Parser().parse(schemaJson);
      writer = new GenericDatumWriter<>(schema);
    }

    @ProcessElement
    public void process(@Element ShardRow row, OutputReceiver<KV<Integer, byte[]>> out) throws IOException {
      ByteArrayOutputStream bytes = new ByteArrayOutputStream(8192);
      BinaryEncoder enc = EncoderFactory.get().binaryEncoder(bytes, null);
      writer.write(ShardRowRecords.toRecord(row, schema), enc);
      enc.flush();
      out.output(KV.of(shardOf(row.sample().id(), numShards), bytes.toByteArray()));
    }
  }

  static class WriteShardFn extends DoFn<KV<Integer, Iterable<byte[]>>, String> {
    private final String schemaJson;
    private final String dataDir;
    private final int numShards;
    private transient Schema schema;

    WriteShardFn(String schemaJson, String dataDir, int numShards) {
      this.schemaJson = schemaJson;
      this.dataDir = dataDir;
      this.numShards = numShards;
    }

    @Setup
    public void setup() {
      schema = new Schema.Parser().parse(schemaJson);
    }

    @ProcessElement
    public void process(@Element KV<Integer, Iterable<byte[]>> shard, OutputReceiver<String> out) throws IOException {
      String name = shardName(shard.getKey(), numShards);
      ResourceId temp = tempDir(dataDir).resolve(name, ResolveOptions.StandardResolveOptions.RESOLVE_FILE);
      write(schema, temp, shard.getValue());
      out.output(name);
    }
  }

  /**
   * Writes one Parquet file from Avro-encoded rows (none for an empty shard), with the shard's
   * funnel, statuses and candidate fates in its footer ({@link ShardFooter}).
   */
  static void write(Schema schema, ResourceId file, Iterable<byte[]> rows) throws IOException {
    GenericDatumReader<GenericRecord> reader = new GenericDatumReader<>(schema);
    ShardFooter footer = new ShardFooter();
    BinaryDecoder decoder = null;
    GenericRecord reuse = null;
    try (ParquetWriter<GenericRecord> writer =
        ShardFileWriter.open(schema, FileSystems.create(file, "application/octet-stream"), footer::metadata)) {
      for (byte[] bytes : rows) {
        decoder = DecoderFactory.get().binaryDecoder(bytes, decoder);
        reuse = reader.read(reuse, decoder);
        writer.write(reuse);
        footer.add(reuse);
      }
    }
  }

  static class FinalizeFn extends DoFn<Integer, String> {
    private final String schemaJson;
    private final String dataDir;
    private final int numShards;
    private final PCollectionView<List<String>> written;

    FinalizeFn(String schemaJson, String dataDir, int numShards, PCollectionView<List<String>> written) {
      this.schemaJson = schemaJson;
      this.dataDir = dataDir;
      this.numShards = numShards;
      this.written = written;
    }

    @ProcessElement
    public void process(ProcessContext c) throws IOException {
      Schema schema = new Schema.Parser().parse(schemaJson);
      Set<String> present = new HashSet<>(c.sideInput(written));
      ResourceId temp = tempDir(dataDir);
      List<ResourceId> from = new ArrayList<>();
      List<ResourceId> to = new ArrayList<>();
      ResourceId dir = FileSystems.matchNewResource(dataDir, true);
      for (int s = 0; s < numShards; s++) {
        String name = shardName(s, numShards);
        ResourceId tempFile = temp.resolve(name, ResolveOptions.StandardResolveOptions.RESOLVE_FILE);
        if (!present.contains(name)) {
          write(schema, tempFile, List.of());
        }
        from.add(tempFile);
        to.add(dir.resolve(name, ResolveOptions.StandardResolveOptions.RESOLVE_FILE));
      }
      FileSystems.rename(from, to, MoveOptions.StandardMoveOptions.IGNORE_MISSING_FILES);
      deleteIfEmpty(temp);
      to.forEach(r -> c.output(r.toString()));
    }

    private static void deleteIfEmpty(ResourceId dir) {
      try {
        // Deleting a folder succeeds only when it is empty, which it is once every shard moved.
        FileSystems.delete(List.of(dir), MoveOptions.StandardMoveOptions.IGNORE_MISSING_FILES);
      } catch (IOException e) {
        // An empty temporary folder left behind is harmless.
      }
    }
  }
}
