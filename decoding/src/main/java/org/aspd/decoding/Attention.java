package org.aspd.decoding;

/**
 * Branch-aware attention (§5 rule): packed prefill over per-token labels and a decode step against
 * a tagged KV cache. Layouts are row-major, see {@link AttentionShape}; outputs are float32.
 * Implementations validate every input in Java before the native call and throw
 * {@link IllegalArgumentException} for bad shapes, {@link IllegalStateException} when closed.
 */
public interface Attention extends AutoCloseable {

  /**
   * Packed prefill.
   *
   * @param q [T, H, D]
   * @param k [T, Hkv, D]
   * @param v [T, Hkv, D]
   * @param groupId [T], -1 = main
   * @param branchId [T], 0 = main
   * @return [T, H, D]
   */
  float[] prefill(AttentionShape shape, float[] q, float[] k, float[] v, int[] groupId, int[] branchId, float scale);

  /**
   * One decode step: A queries (one per active branch, or one main token) against N cache entries.
   *
   * @param q [A, H, D] with {@code queryTags} [A]
   * @param kCache [N, Hkv, D] with {@code cacheTags} [N] (physical order is irrelevant)
   * @return [A, H, D]; a query that sees no entry gets zeros
   */
  float[] decode(AttentionShape shape, float[] q, TokenTags queryTags, float[] kCache, float[] vCache,
      TokenTags cacheTags, float scale);

  /** "cpu" or "cuda:<device>/<dtype>". */
  String backend();

  @Override
  void close();

  /** The GPU path when a usable GPU is present, otherwise the fast CPU path. */
  static Attention open(DType gpuDtype) {
    try {
      return GpuAttention.open(0, gpuDtype);
    } catch (GpuUnavailableException e) {
      return new CpuAttention(0);
    }
  }
}
