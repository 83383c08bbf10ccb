package org.aspd.pipeline.read;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.apache.avro.Schema;
import org.apache.avro.SchemaBuilder;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericRecord;
import org.apache.hadoop.conf.Configuration;
import org.apache.parquet.avro.AvroParquetWriter;
import org.apache.parquet.hadoop.ParquetWriter;
import org.apache.parquet.hadoop.util.HadoopOutputFile;

/** Writes small input files for the reader tests. */
final class Fixtures {
  private Fixtures() {}

  static Path write(Path dir, String relative, String... lines) throws IOException {
    return writeBytes(dir, relative, (String.join("\n", lines) + "\n").getBytes(StandardCharsets.UTF_8));
  }

  static Path writeBytes(Path dir, String relative, byte[] bytes) throws IOException {
    Path file = dir.resolve(relative);
    Files.createDirectories(file.getParent());
    return Files.write(file, bytes);
  }

  /** A Parquet file whose string columns are {@code columns}; null values are written as nulls. */
  static Path parquet(Path dir, String name, List<String> columns, List<Map<String, String>> rows) throws IOException {
    SchemaBuilder.FieldAssembler<Schema> fields = SchemaBuilder.record("row").fields();
    for (String column : columns) {
      fields = fields.optionalString(column);
    }
    Schema schema = fields.endRecord();
    Path file = dir.resolve(name);
    Files.createDirectories(file.getParent());
    try (ParquetWriter<GenericRecord> writer =
        AvroParquetWriter.<GenericRecord>builder(
                HadoopOutputFile.fromPath(new org.apache.hadoop.fs.Path(file.toUri()), new Configuration()))
            .withSchema(schema)
            .build()) {
      for (Map<String, String> row : rows) {
        GenericData.Record record = new GenericData.Record(schema);
        row.forEach(record::put);
        writer.write(record);
      }
    }
    return file;
  }
}
