package org.aspd.pipeline.write;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import org.apache.avro.Schema;

/** The Avro schemas shipped by the {@code schemas} module. */
public final class Schemas {
  private Schemas() {}

  public static Schema shardRow() {
    return load("aspd/schemas/shard_row.avsc");
  }

  private static Schema load(String resource) {
    try (InputStream in = Schemas.class.getClassLoader().getResourceAsStream(resource)) {
      if (in == null) {
        throw new IllegalStateException("schema resource " + resource + " is missing from the classpath");
      }
      return new Schema.Parser().parse(in);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
