package org.aspd.decoding;

/** How branch tokens are drawn (method §7 {@code engine.branchSampling}); always reported. */
public enum BranchSampling {
  /** The serial sampler (same temperature, top-k, top-p and RNG stream): our default. */
  SERIAL,
  /** Argmax in branches, as the reference engine does. */
  GREEDY
}
