package org.aspd.decoding;

/**
 * Sampler settings of the engine (method §7): temperature, then top-k, then top-p, one draw from a
 * seeded RNG (the same tokens for a seed on every platform). The paper decodes with T = 0.7,
 * top-k 20, top-p 0.8.
 *
 * @param temperature 0 = greedy (argmax); finite otherwise
 * @param topK 0 = off
 * @param topP in (0, 1]; 1 = off
 */
public record Sampling(float temperature, int topK, float topP, long seed) {
  public Sampling {
    if (!(temperature >= 0) || Float.isInfinite(temperature)) {
      throw new IllegalArgumentException("temperature must be finite and >= 0: " + temperature);
    }
    if (topK < 0) throw new IllegalArgumentException("topK must be >= 0 (0 = off): " + topK);
    if (!(topP > 0 && topP <= 1)) throw new IllegalArgumentException("topP must lie in (0, 1]: " + topP);
  }

  public static Sampling greedy() {
    return new Sampling(0f, 0, 1f, 0);
  }

  /** The paper's decoding settings (§9): T = 0.7, top-k 20, top-p 0.8. */
  public static Sampling paper(long seed) {
    return new Sampling(0.7f, 20, 0.8f, seed);
  }
}
