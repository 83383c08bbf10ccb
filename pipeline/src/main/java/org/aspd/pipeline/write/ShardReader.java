package org.aspd.pipeline.write;

import java.io.File;
import java.io.IOException;
import java.util.Arrays;
import org.apache.avro.generic.GenericRecord;
import org.apache.hadoop.conf.Configuration;
import org.apache.parquet.avro.AvroParquetReader;
import org.apache.parquet.hadoop.ParquetFileReader;
import org.apache.parquet.hadoop.ParquetReader;
import org.apache.parquet.hadoop.util.HadoopInputFile;

/** Streams the rows of every {@code *.parquet} shard in a directory, in file-name order. */
public final class ShardReader {
  private ShardReader() {}

  public interface RowConsumer {
    void accept(GenericRecord row) throws IOException;

    /** Called after the last row of each shard that was read to its end. */
    default void shardDone(File shard, HadoopInputFile input) throws IOException {}
  }

  /** Returns the number of rows read. */
  public static long forEach(File dataDir, RowConsumer consumer) throws IOException {
    return forEach(dataDir, Long.MAX_VALUE, consumer);
  }

  /**
   * Reads at most {@code limit} rows and stops there, without decoding the rest. Every shard's
   * footer is read first, so a corrupt shard is reported before any row is consumed.
   *
   * @throws IOException naming the shard when one is not a readable Parquet file
   */
  public static long forEach(File dataDir, long limit, RowConsumer consumer) throws IOException {
    File[] shards = dataDir.listFiles((d, n) -> n.endsWith(".parquet"));
    if (shards == null || shards.length == 0) {
      throw new IOException("no .parquet shards in " + dataDir);
    }
    Arrays.sort(shards);
    Configuration conf = new Configuration();
    HadoopInputFile[] inputs = new HadoopInputFile[shards.length];
    for (int i = 0; i < shards.length; i++) {
      inputs[i] = HadoopInputFile.fromPath(new org.apache.hadoop.fs.Path(shards[i].getAbsolutePath()), conf);
      try {
        ParquetFileReader.open(inputs[i]).close(); // opening reads and checks the footer
      } catch (RuntimeException | IOException e) {
        throw unreadable(shards[i], e);
      }
    }
    long n = 0;
    for (int i = 0; i < shards.length && n < limit; i++) {
      try (ParquetReader<GenericRecord> reader = open(shards[i], inputs[i])) {
        while (n < limit) {
          GenericRecord r = read(shards[i], reader);
          if (r == null) {
            consumer.shardDone(shards[i], inputs[i]);
            break;
          }
          consumer.accept(r);
          n++;
        }
      }
    }
    return n;
  }

  private static ParquetReader<GenericRecord> open(File shard, HadoopInputFile in) throws IOException {
    try {
      return AvroParquetReader.<GenericRecord>builder(in).build();
    } catch (RuntimeException | IOException e) {
      throw unreadable(shard, e);
    }
  }

  /** parquet-mr reports a damaged page or footer as a plain RuntimeException; the consumer's own exceptions pass. */
  private static GenericRecord read(File shard, ParquetReader<GenericRecord> reader) throws IOException {
    try {
      return reader.read();
    } catch (RuntimeException | IOException e) {
      throw unreadable(shard, e);
    }
  }

  private static IOException unreadable(File shard, Exception e) {
    return new IOException(shard + " is not a readable Parquet file: " + e.getMessage(), e);
  }
}
