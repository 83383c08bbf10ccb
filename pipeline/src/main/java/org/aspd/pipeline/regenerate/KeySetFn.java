package org.aspd.pipeline.regenerate;

import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.util.Arrays;
import org.apache.beam.sdk.coders.Coder;
import org.apache.beam.sdk.coders.CoderRegistry;
import org.apache.beam.sdk.coders.CustomCoder;
import org.apache.beam.sdk.transforms.Combine;

/**
 * Collects row keys into one sorted {@link KeySet}, 16 bytes per row, for a side input: the
 * carry-over join then needs no shuffle by id (grouping every sample by id makes each sample its own
 * bundle on the DirectRunner, see {@code DeduplicateIds}).
 */
final class KeySetFn extends Combine.CombineFn<RowKey, KeySetFn.KeySet, KeySetFn.KeySet> {

  /** Row keys as (hi, lo) pairs in one array; sorted once, by {@link #extractOutput}. */
  static final class KeySet {
    long[] pairs = new long[128];
    int size;

    void add(long hi, long lo) {
      if (2 * size == pairs.length) {
        pairs = Arrays.copyOf(pairs, pairs.length * 2);
      }
      pairs[2 * size] = hi;
      pairs[2 * size + 1] = lo;
      size++;
    }

    boolean contains(RowKey key) {
      int low = 0;
      int high = size - 1;
      while (low <= high) {
        int mid = (low + high) >>> 1;
        int c = new RowKey(pairs[2 * mid], pairs[2 * mid + 1]).compareTo(key);
        if (c == 0) {
          return true;
        } else if (c < 0) {
          low = mid + 1;
        } else {
          high = mid - 1;
        }
      }
      return false;
    }

    int size() {
      return size;
    }
  }

  @Override
  public KeySet createAccumulator() {
    return new KeySet();
  }

  @Override
  public KeySet addInput(KeySet acc, RowKey key) {
    acc.add(key.hi(), key.lo());
    return acc;
  }

  @Override
  public KeySet mergeAccumulators(Iterable<KeySet> accumulators) {
    KeySet merged = new KeySet();
    for (KeySet a : accumulators) {
      for (int i = 0; i < a.size; i++) {
        merged.add(a.pairs[2 * i], a.pairs[2 * i + 1]);
      }
    }
    return merged;
  }

  @Override
  public KeySet extractOutput(KeySet acc) {
    RowKey[] keys = new RowKey[acc.size];
    for (int i = 0; i < acc.size; i++) {
      keys[i] = new RowKey(acc.pairs[2 * i], acc.pairs[2 * i + 1]);
    }
    Arrays.sort(keys);
    KeySet sorted = new KeySet();
    sorted.pairs = new long[Math.max(2, 2 * keys.length)];
    for (RowKey k : keys) {
      sorted.add(k.hi(), k.lo());
    }
    return sorted;
  }

  @Override
  public Coder<KeySet> getAccumulatorCoder(CoderRegistry registry, Coder<RowKey> inputCoder) {
    return new KeySetCoder();
  }

  @Override
  public Coder<KeySet> getDefaultOutputCoder(CoderRegistry registry, Coder<RowKey> inputCoder) {
    return new KeySetCoder();
  }

  /** Raw longs: accumulators are copied often on some runners, so they must be cheap to copy. */
  static final class KeySetCoder extends CustomCoder<KeySet> {
    @Override
    public void encode(KeySet value, OutputStream out) throws IOException {
      DataOutputStream data = new DataOutputStream(out);
      data.writeInt(value.size);
      for (int i = 0; i < 2 * value.size; i++) {
        data.writeLong(value.pairs[i]);
      }
      data.flush();
    }

    @Override
    public KeySet decode(InputStream in) throws IOException {
      DataInputStream data = new DataInputStream(in);
      KeySet set = new KeySet();
      int n = data.readInt();
      set.pairs = new long[Math.max(2, 2 * n)];
      for (int i = 0; i < 2 * n; i++) {
        set.pairs[i] = data.readLong();
      }
      set.size = n;
      return set;
    }
  }

  /** Coder of the keys themselves, for the collections that feed the combine. */
  static final class RowKeyCoder extends CustomCoder<RowKey> {
    @Override
    public void encode(RowKey key, OutputStream out) throws IOException {
      DataOutputStream data = new DataOutputStream(out);
      data.writeLong(key.hi());
      data.writeLong(key.lo());
      data.flush();
    }

    @Override
    public RowKey decode(InputStream in) throws IOException {
      DataInputStream data = new DataInputStream(in);
      return new RowKey(data.readLong(), data.readLong());
    }
  }
}
