package org.aspd.pipeline.write;

import java.io.File;
import java.io.IOException;
import java.util.Arrays;
import org.apache.avro.generic.GenericRecord;
import org.apache.hadoop.conf.Configuration;
import org.apache.parquet.avro.AvroParquetReader;
import org.apache.parquet.hadoop.ParquetReader;
import org.apache.parquet.hadoop.util.HadoopInputFile;

/** Streams the rows of every {@code *.parquet} shard in a directory, in file-name order. */
public final class ShardReader {
  private ShardReader() {}

  public interface RowConsumer {
    void accept(GenericRecord row) throws IOException;
  }

  /** Returns the number of rows read. */
  public static long forEach(File dataDir, RowConsumer consumer) throws IOException {
    File[] shards = dataDir.listFiles((d, n) -> n.endsWith(".parquet"));
    if (shards == null || shards.length == 0) {
      throw new IOException("no .parquet shards in " + dataDir);
    }
    Arrays.sort(shards);
    long n = 0;
    Configuration conf = new Configuration();
    for (File shard : shards) {
      HadoopInputFile in = HadoopInputFile.fromPath(new org.apache.hadoop.fs.Path(shard.getAbsolutePath()), conf);
      try (ParquetReader<GenericRecord> reader = AvroParquetReader.<GenericRecord>builder(in).build()) {
        GenericRecord r;
        while ((r = reader.read()) != null) {
          consumer.accept(r);
          n++;
        }
      }
    }
    return n;
  }
}
