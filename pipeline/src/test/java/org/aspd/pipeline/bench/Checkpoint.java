package org.aspd.pipeline.bench;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.aspd.decoding.Model;

/** Writes a model as a checkpoint {@code --model} loads: config.json and an F32 model.safetensors. */
public final class Checkpoint {
  private Checkpoint() {}

  public static Path write(Model model, Path dir) throws IOException {
    Files.createDirectories(dir);
    Files.writeString(dir.resolve("config.json"), model.config().toConfigJson());
    StringBuilder header = new StringBuilder("{");
    long offset = 0;
    for (String name : model.tensorNames()) {
      long[] shape = model.tensorShape(name);
      long bytes = 4L * model.tensor(name).length;
      header.append(offset == 0 ? "" : ",").append('"').append(name).append("\":{\"dtype\":\"F32\",\"shape\":")
          .append(java.util.Arrays.toString(shape).replace(" ", "")).append(",\"data_offsets\":[").append(offset)
          .append(',').append(offset + bytes).append("]}");
      offset += bytes;
    }
    header.append('}');
    while (header.length() % 8 != 0) header.append(' '); // the data starts 8-aligned
    byte[] h = header.toString().getBytes(StandardCharsets.UTF_8);
    ByteBuffer out = ByteBuffer.allocate(8 + h.length + (int) offset).order(ByteOrder.LITTLE_ENDIAN);
    out.putLong(h.length).put(h);
    for (String name : model.tensorNames()) {
      for (float v : model.tensor(name)) out.putFloat(v);
    }
    Files.write(dir.resolve("model.safetensors"), out.array());
    return dir;
  }
}
