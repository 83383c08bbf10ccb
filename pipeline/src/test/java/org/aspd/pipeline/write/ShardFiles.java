package org.aspd.pipeline.write;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.avro.Schema;
import org.apache.avro.generic.GenericRecord;
import org.apache.hadoop.conf.Configuration;
import org.apache.parquet.avro.AvroParquetReader;
import org.apache.parquet.hadoop.ParquetReader;
import org.apache.parquet.hadoop.ParquetWriter;
import org.apache.parquet.hadoop.util.HadoopInputFile;

/** Shard files for tests in other packages: read one whole, or write one with a footer of our choosing. */
public final class ShardFiles {
  private ShardFiles() {}

  public static HadoopInputFile input(Path shard) throws IOException {
    return HadoopInputFile.fromPath(new org.apache.hadoop.fs.Path(shard.toAbsolutePath().toString()), new Configuration());
  }

  public static List<GenericRecord> rows(Path shard) throws IOException {
    List<GenericRecord> rows = new ArrayList<>();
    try (ParquetReader<GenericRecord> reader = AvroParquetReader.<GenericRecord>builder(input(shard)).build()) {
      GenericRecord r;
      while ((r = reader.read()) != null) {
        rows.add(r);
      }
    }
    return rows;
  }

  /** Replaces {@code shard} with {@code rows} and a footer that says {@code footer}, true or not. */
  public static void write(Path shard, Schema schema, List<GenericRecord> rows, Map<String, String> footer)
      throws IOException {
    try (ParquetWriter<GenericRecord> writer = ShardFileWriter.open(schema,
        FileChannel.open(shard, StandardOpenOption.CREATE, StandardOpenOption.TRUNCATE_EXISTING, StandardOpenOption.WRITE),
        () -> footer)) {
      for (GenericRecord r : rows) {
        writer.write(r);
      }
    }
  }
}
