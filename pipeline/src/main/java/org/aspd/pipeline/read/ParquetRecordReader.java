package org.aspd.pipeline.read;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.nio.channels.ReadableByteChannel;
import java.nio.channels.SeekableByteChannel;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericRecord;
import org.apache.parquet.avro.AvroParquetReader;
import org.apache.parquet.hadoop.ParquetReader;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Reads Parquet rows with parquet-avro, the Avro schema taken from the file's own footer. Each row
 * becomes JSON ({@link AvroJson}: lists unwrapped, text as UTF-8) so the same record mappers apply
 * to every format and a dead letter has a readable input.
 */
final class ParquetRecordReader {
  private static final Logger LOG = LoggerFactory.getLogger(ParquetRecordReader.class);
  private ParquetRecordReader() {}

  /** Reads every row of {@code file} into {@code sink}; returns the number of rows seen. */
  static long read(SourceFile file, RecordSink sink) throws IOException {
    String name = file.idName();
    long index = 0;
    try (ReadableByteChannel channel = file.channel()) {
      if (!(channel instanceof SeekableByteChannel seekable)) {
        throw new IOException("the filesystem gives no seekable channel, which Parquet needs");
      }
      try (ParquetReader<GenericRecord> reader =
          AvroParquetReader.<GenericRecord>builder(new ChannelInputFile(seekable))
              .withDataModel(GenericData.get())
              .build()) {
        for (GenericRecord row = reader.read(); row != null; row = reader.read(), index++) {
          if (index == 0) {
            LOG.info("{}: Parquet columns {}", file.path(), row.getSchema().getFields().stream().map(f -> f.name()).toList());
          }
          String source = file.path() + "#" + index;
          JsonNode record;
          try {
            record = AvroJson.of(row);
          } catch (BadRecord e) {
            sink.failure(DeadLetters.of(e.reason(), e.getMessage(), name + "#" + index, source,
                GenericData.get().toString(row)));
            continue;
          }
          RecordMapper.emit(record, source, name + "#" + index, record.toString(), sink);
        }
      }
    }
    return index;
  }

}
