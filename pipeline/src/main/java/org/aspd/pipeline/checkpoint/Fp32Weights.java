package org.aspd.pipeline.checkpoint;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.util.Iterator;
import java.util.Map;
import org.aspd.decoding.ModelConfig;

/**
 * The parameter count of a CPU model, known before its weights are allocated: the CPU model holds
 * every weight in fp32 (4 bytes), and Linux lets the allocation succeed and kills the process
 * only while the weights are filled, so the size must be checked up front.
 */
public final class Fp32Weights {
  /** safetensors headers are a few MB even for large checkpoints; a larger one is malformed. */
  private static final long MAX_HEADER_BYTES = 100L << 20;

  private Fp32Weights() {}

  /** Embeddings (and an untied LM head), per layer q/k/v/o (+ q/k/v biases), gate/up/down, two norms; the final norm. */
  public static long parameters(ModelConfig c) {
    long h = c.hiddenSize(), q = (long) c.numHeads() * c.headDim(), kv = (long) c.numKvHeads() * c.headDim();
    long attention = 2 * h * q + 2 * h * kv + (c.attentionBias() ? q + 2 * kv : 0);
    long layer = attention + 3 * h * c.intermediateSize() + 2 * h;
    return (long) c.vocabSize() * h * (c.tieWordEmbeddings() ? 1 : 2) + c.numLayers() * layer + h;
  }

  /**
   * The elements of every tensor in {@code checkpoint/model.safetensors}, from the file's header;
   * -1 when the header cannot be read (the loader then says what is wrong).
   */
  public static long parameters(Path checkpoint) {
    try (FileChannel ch = FileChannel.open(checkpoint.resolve("model.safetensors"))) {
      ByteBuffer length = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN);
      while (length.hasRemaining() && ch.read(length) > 0) {}
      long n = length.getLong(0);
      if (length.hasRemaining() || n <= 0 || n > MAX_HEADER_BYTES) return -1;
      ByteBuffer header = ByteBuffer.allocate((int) n);
      while (header.hasRemaining() && ch.read(header) > 0) {}
      long total = 0;
      for (Iterator<Map.Entry<String, JsonNode>> it = new ObjectMapper().readTree(header.array()).fields(); it.hasNext(); ) {
        JsonNode shape = it.next().getValue().get("shape");
        if (shape == null) continue; // __metadata__
        long size = 1;
        for (JsonNode d : shape) size = Math.multiplyExact(size, d.asLong());
        total = Math.addExact(total, size);
      }
      return total;
    } catch (IOException | RuntimeException e) {
      return -1;
    }
  }

  /**
   * Refuses weights that cannot fit: Linux lets the allocation succeed and the OOM killer ends the
   * process minutes later without a word.
   *
   * @param params the parameter count, or a negative number when unknown (nothing is checked)
   * @throws IllegalArgumentException naming {@code what}, the sizes and the {@code hint}
   */
  public static void requireFits(long params, long memory, String what, String hint) {
    if (params < 0 || params * 4 <= memory) return;
    throw new IllegalArgumentException(String.format(java.util.Locale.ROOT,
        "%s needs ~%.1f GB of fp32 weights on the CPU; this machine has %.1f GB; %s", what, params * 4 / 1e9,
        memory / 1e9, hint));
  }

  /** The machine's physical memory (a container's limit where one is set). */
  public static long physicalMemory() {
    return ((com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean()).getTotalMemorySize();
  }
}
