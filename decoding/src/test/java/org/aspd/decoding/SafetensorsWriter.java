package org.aspd.decoding;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Test-side safetensors writer (format: 8-byte little-endian header length, JSON header padded
 * with spaces to a multiple of 8, raw little-endian data) and checkpoint helpers. Float32 values
 * are rounded to BF16/F16 with round-to-nearest-even.
 */
final class SafetensorsWriter {
  enum Dtype {
    F32(4), F16(2), BF16(2);

    final int bytes;

    Dtype(int bytes) {
      this.bytes = bytes;
    }
  }

  /** One entry; {@code dtypeName} may differ from {@code dtype} to write deliberately odd headers. */
  record Tensor(String name, String dtypeName, long[] shape, byte[] data) {}

  private final List<Tensor> tensors = new ArrayList<>();

  SafetensorsWriter add(String name, Dtype dtype, long[] shape, float[] values) {
    ByteBuffer b = ByteBuffer.allocate(values.length * dtype.bytes).order(ByteOrder.LITTLE_ENDIAN);
    for (float v : values) {
      switch (dtype) {
        case F32 -> b.putFloat(v);
        case F16 -> b.putShort(toHalf(v));
        case BF16 -> b.putShort(toBf16(v));
      }
    }
    tensors.add(new Tensor(name, dtype.name(), shape, b.array()));
    return this;
  }

  SafetensorsWriter addRaw(String name, String dtypeName, long[] shape, byte[] data) {
    tensors.add(new Tensor(name, dtypeName, shape, data));
    return this;
  }

  byte[] bytes() {
    StringBuilder h = new StringBuilder("{\"__metadata__\":{\"format\":\"pt\"}");
    long offset = 0;
    for (Tensor t : tensors) {
      h.append(",\"").append(t.name()).append("\":{\"dtype\":\"").append(t.dtypeName()).append("\",\"shape\":[");
      for (int d = 0; d < t.shape().length; d++) h.append(d > 0 ? "," : "").append(t.shape()[d]);
      h.append("],\"data_offsets\":[").append(offset).append(",").append(offset + t.data().length).append("]}");
      offset += t.data().length;
    }
    h.append("}");
    while (h.length() % 8 != 0) h.append(' ');
    byte[] header = h.toString().getBytes(StandardCharsets.UTF_8);
    ByteBuffer out = ByteBuffer.allocate(8 + header.length + (int) offset).order(ByteOrder.LITTLE_ENDIAN);
    out.putLong(header.length).put(header);
    for (Tensor t : tensors) out.put(t.data());
    return out.array();
  }

  void write(Path file) throws IOException {
    Files.write(file, bytes());
  }

  /** Writes {@code dir/config.json} and {@code dir/model.safetensors} with the weights of {@code model}. */
  static void writeCheckpoint(Model model, Path dir, Dtype dtype) throws IOException {
    Files.createDirectories(dir);
    Files.writeString(dir.resolve("config.json"), model.config().toConfigJson());
    SafetensorsWriter w = new SafetensorsWriter();
    for (String name : model.tensorNames()) w.add(name, dtype, model.tensorShape(name), model.tensor(name));
    w.write(dir.resolve("model.safetensors"));
  }

  /** The value a float32 takes after a round trip through {@code dtype}. */
  static float rounded(float v, Dtype dtype) {
    return switch (dtype) {
      case F32 -> v;
      case BF16 -> Float.intBitsToFloat((toBf16(v) & 0xFFFF) << 16);
      case F16 -> fromHalf(toHalf(v));
    };
  }

  static short toBf16(float f) {
    int bits = Float.floatToRawIntBits(f);
    return (short) ((bits + 0x7FFF + ((bits >>> 16) & 1)) >>> 16);
  }

  static short toHalf(float f) {
    int sign = (Float.floatToRawIntBits(f) >>> 16) & 0x8000;
    float a = Math.abs(f);
    if (a >= 65520f) return (short) (sign | 0x7C00);
    if (a < 0x1p-14f) return (short) (sign | (int) Math.rint(a * 0x1p24f)); // subnormal (1024 = min normal)
    int bits = Float.floatToRawIntBits(a);
    int half = ((((bits >>> 23) - 127 + 15)) << 10) | ((bits & 0x7FFFFF) >>> 13);
    int rest = bits & 0x1FFF;
    if (rest > 0x1000 || (rest == 0x1000 && (half & 1) == 1)) half++;
    return (short) (sign | half);
  }

  static float fromHalf(short h) {
    int sign = (h & 0x8000) != 0 ? -1 : 1;
    int exp = (h >>> 10) & 0x1F;
    int mant = h & 0x3FF;
    if (exp == 0) return sign * mant * 0x1p-24f;
    if (exp == 31) return mant == 0 ? sign * Float.POSITIVE_INFINITY : Float.NaN;
    return sign * (1 + mant / 1024f) * (float) Math.pow(2, exp - 15);
  }
}
