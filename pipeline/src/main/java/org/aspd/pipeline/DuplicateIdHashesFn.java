package org.aspd.pipeline;

import com.google.common.hash.Hashing;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import org.apache.beam.sdk.coders.Coder;
import org.apache.beam.sdk.coders.CoderRegistry;
import org.apache.beam.sdk.coders.CustomCoder;
import org.apache.beam.sdk.transforms.Combine;

/**
 * Finds the 64-bit hashes of ids that occur more than once, in one global combine: 8 bytes per id,
 * no shuffle by id. A hash collision only sends two unrelated samples through the exact grouping
 * by id, which keeps both, so the result is exact.
 */
public class DuplicateIdHashesFn extends Combine.CombineFn<String, DuplicateIdHashesFn.Hashes, long[]> {

  /** Hashes seen so far; sorted and compacted lazily. */
  public static final class Hashes {
    long[] values = new long[64];
    int size;

    void add(long h) {
      if (size == values.length) {
        values = Arrays.copyOf(values, size * 2);
      }
      values[size++] = h;
    }
  }

  public static long hash(String id) {
    return Hashing.murmur3_128().hashString(id, StandardCharsets.UTF_8).asLong();
  }

  @Override
  public Hashes createAccumulator() {
    return new Hashes();
  }

  @Override
  public Hashes addInput(Hashes acc, String id) {
    acc.add(hash(id));
    return acc;
  }

  @Override
  public Hashes mergeAccumulators(Iterable<Hashes> accumulators) {
    Hashes merged = new Hashes();
    for (Hashes a : accumulators) {
      for (int i = 0; i < a.size; i++) {
        merged.add(a.values[i]);
      }
    }
    return merged;
  }

  /** Sorted hashes that occur at least twice. */
  @Override
  public long[] extractOutput(Hashes acc) {
    long[] sorted = Arrays.copyOf(acc.values, acc.size);
    Arrays.sort(sorted);
    long[] dups = new long[0];
    int n = 0;
    for (int i = 1; i < sorted.length; i++) {
      if (sorted[i] == sorted[i - 1] && (n == 0 || dups[n - 1] != sorted[i])) {
        if (n == dups.length) {
          dups = Arrays.copyOf(dups, Math.max(8, n * 2));
        }
        dups[n++] = sorted[i];
      }
    }
    return Arrays.copyOf(dups, n);
  }

  @Override
  public Coder<Hashes> getAccumulatorCoder(CoderRegistry registry, Coder<String> inputCoder) {
    return new HashesCoder();
  }

  @Override
  public Coder<long[]> getDefaultOutputCoder(CoderRegistry registry, Coder<String> inputCoder) {
    return new LongArrayCoder();
  }

  /** Raw longs: accumulators are copied often on some runners, so they must be cheap to copy. */
  static final class HashesCoder extends CustomCoder<Hashes> {
    @Override
    public void encode(Hashes value, OutputStream out) throws IOException {
      DataOutputStream data = new DataOutputStream(out);
      data.writeInt(value.size);
      for (int i = 0; i < value.size; i++) {
        data.writeLong(value.values[i]);
      }
      data.flush();
    }

    @Override
    public Hashes decode(InputStream in) throws IOException {
      DataInputStream data = new DataInputStream(in);
      Hashes h = new Hashes();
      int n = data.readInt();
      h.values = new long[Math.max(64, n)];
      for (int i = 0; i < n; i++) {
        h.values[i] = data.readLong();
      }
      h.size = n;
      return h;
    }
  }

  /** A long[] as its length and raw longs. */
  public static final class LongArrayCoder extends CustomCoder<long[]> {
    @Override
    public void encode(long[] value, OutputStream out) throws IOException {
      DataOutputStream data = new DataOutputStream(out);
      data.writeInt(value.length);
      for (long v : value) {
        data.writeLong(v);
      }
      data.flush();
    }

    @Override
    public long[] decode(InputStream in) throws IOException {
      DataInputStream data = new DataInputStream(in);
      long[] v = new long[data.readInt()];
      for (int i = 0; i < v.length; i++) {
        v[i] = data.readLong();
      }
      return v;
    }
  }
}
