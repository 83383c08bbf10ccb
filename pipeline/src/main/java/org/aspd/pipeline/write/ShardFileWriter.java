package org.aspd.pipeline.write;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.channels.Channels;
import java.nio.channels.WritableByteChannel;
import java.util.HashMap;
import java.util.Map;
import java.util.function.Supplier;
import org.apache.avro.Schema;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericRecord;
import org.apache.hadoop.conf.Configuration;
import org.apache.parquet.avro.AvroSchemaConverter;
import org.apache.parquet.avro.AvroWriteSupport;
import org.apache.parquet.hadoop.ParquetFileWriter;
import org.apache.parquet.hadoop.ParquetWriter;
import org.apache.parquet.hadoop.api.DelegatingWriteSupport;
import org.apache.parquet.hadoop.api.WriteSupport;
import org.apache.parquet.hadoop.metadata.CompressionCodecName;
import org.apache.parquet.io.OutputFile;
import org.apache.parquet.io.PositionOutputStream;

/**
 * Opens a Snappy Parquet writer of Avro rows on a Beam channel, as {@code ParquetIO.sink} does, with
 * one addition: key-value metadata computed when the file is closed goes into the footer. Parquet
 * 1.13 takes extra metadata only from the write support, so the Avro one is wrapped.
 */
final class ShardFileWriter {
  private ShardFileWriter() {}

  static ParquetWriter<GenericRecord> open(Schema schema, WritableByteChannel channel,
      Supplier<Map<String, String>> footer) throws IOException {
    try {
      return new Builder(new ChannelOutputFile(Channels.newOutputStream(channel)), schema, footer)
          .withCompressionCodec(CompressionCodecName.SNAPPY)
          .withWriteMode(ParquetFileWriter.Mode.OVERWRITE)
          .withConf(new Configuration())
          .build();
    } catch (IOException | RuntimeException e) {
      channel.close(); // the writer that would have closed it was never made
      throw e;
    }
  }

  private static final class Builder extends ParquetWriter.Builder<GenericRecord, Builder> {
    private final Schema schema;
    private final Supplier<Map<String, String>> footer;

    Builder(OutputFile file, Schema schema, Supplier<Map<String, String>> footer) {
      super(file);
      this.schema = schema;
      this.footer = footer;
    }

    @Override
    protected Builder self() {
      return this;
    }

    @Override
    protected WriteSupport<GenericRecord> getWriteSupport(Configuration conf) {
      WriteSupport<GenericRecord> avro =
          new AvroWriteSupport<>(new AvroSchemaConverter(conf).convert(schema), schema, GenericData.get());
      return new DelegatingWriteSupport<>(avro) {
        @Override
        public FinalizedWriteContext finalizeWrite() {
          Map<String, String> extra = new HashMap<>(super.finalizeWrite().getExtraMetaData());
          extra.putAll(footer.get());
          return new FinalizedWriteContext(extra);
        }
      };
    }
  }

  /** A write-once Parquet file over a stream that counts its own position. */
  private static final class ChannelOutputFile implements OutputFile {
    private final OutputStream out;

    ChannelOutputFile(OutputStream out) {
      this.out = out;
    }

    @Override
    public PositionOutputStream create(long blockSizeHint) {
      return new PositionOutputStream() {
        private long position;

        @Override
        public long getPos() {
          return position;
        }

        @Override
        public void write(int b) throws IOException {
          out.write(b);
          position++;
        }

        @Override
        public void write(byte[] b, int off, int len) throws IOException {
          out.write(b, off, len);
          position += len;
        }

        @Override
        public void flush() throws IOException {
          out.flush();
        }

        @Override
        public void close() throws IOException {
          out.close();
        }
      };
    }

    @Override
    public PositionOutputStream createOrOverwrite(long blockSizeHint) {
      return create(blockSizeHint);
    }

    @Override
    public boolean supportsBlockSize() {
      return false;
    }

    @Override
    public long defaultBlockSize() {
      return 0;
    }
  }
}
