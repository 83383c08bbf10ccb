package org.aspd.decoding;

import java.util.Arrays;
import java.util.HashSet;
import java.util.Objects;
import java.util.Set;

/**
 * Settings of the decoding engine (method §7). Ids come from the tokenizer, never literals.
 *
 * @param special the six marker ids
 * @param eosIds end-of-turn ids (Qwen: {@code <|im_end|>}, {@code <|endoftext|>}): stop in serial
 *     mode, become {@code <|/branch|>} in a branch; may be empty (runs end on the budget)
 * @param headerSeparatorIds ids of {@code ": "} after the title in a branch header, as the
 *     tokenizer encodes it (Qwen: {@code ":"}, {@code " "}); may be empty
 * @param titleMaxTokens {@code title.maxTokens}: {@code <|/title|>} forced after this many tokens
 * @param groupMaxBranches {@code group.maxBranches}: no {@code <|title|>} after this many titles
 * @param groupMaxSteps {@code group.maxSteps}: {@code <|/branch|>} forced at this branch length
 *     (never inside the forced header)
 */
public record EngineOptions(SpecialTokenIds special, int[] eosIds, int[] headerSeparatorIds, int titleMaxTokens,
    int groupMaxBranches, int groupMaxSteps, BranchSampling branchSampling) {

  public EngineOptions {
    Objects.requireNonNull(special, "special");
    eosIds = Objects.requireNonNull(eosIds, "eosIds").clone();
    headerSeparatorIds = Objects.requireNonNull(headerSeparatorIds, "headerSeparatorIds").clone();
    Set<Integer> markers = new HashSet<>();
    for (int id : special.toArray()) markers.add(id);
    for (int id : eosIds) {
      if (id < 0 || markers.contains(id)) {
        throw new IllegalArgumentException("EOS id " + id + " must be >= 0 and not one of the six marker ids");
      }
    }
    for (int id : headerSeparatorIds) {
      if (id < 0 || markers.contains(id) || Arrays.stream(eosIds).anyMatch(e -> e == id)) {
        throw new IllegalArgumentException("header separator id " + id + " must be >= 0, not a marker, not EOS");
      }
    }
    if (titleMaxTokens < 1) throw new IllegalArgumentException("titleMaxTokens must be >= 1: " + titleMaxTokens);
    if (groupMaxBranches < 2) throw new IllegalArgumentException("groupMaxBranches must be >= 2: " + groupMaxBranches);
    if (groupMaxSteps < 2) throw new IllegalArgumentException("groupMaxSteps must be >= 2: " + groupMaxSteps);
    if (branchSampling == null) throw new IllegalArgumentException("branchSampling must not be null");
  }

  /** The method's defaults: title.maxTokens = 8, group.maxBranches = 10, group.maxSteps = 2048, serial sampler. */
  public static EngineOptions defaults(SpecialTokenIds special, int[] eosIds, int[] headerSeparatorIds) {
    return new EngineOptions(special, eosIds, headerSeparatorIds, 8, 10, 2048, BranchSampling.SERIAL);
  }

  public EngineOptions withLimits(int titleMaxTokens, int groupMaxBranches, int groupMaxSteps) {
    return new EngineOptions(special, eosIds, headerSeparatorIds, titleMaxTokens, groupMaxBranches, groupMaxSteps,
        branchSampling);
  }

  public EngineOptions withBranchSampling(BranchSampling sampling) {
    return new EngineOptions(special, eosIds, headerSeparatorIds, titleMaxTokens, groupMaxBranches, groupMaxSteps,
        sampling);
  }

  @Override
  public int[] eosIds() {
    return eosIds.clone();
  }

  @Override
  public int[] headerSeparatorIds() {
    return headerSeparatorIds.clone();
  }

  /** Throws when an id does not fit a vocabulary of {@code vocabSize} entries. */
  void checkVocab(int vocabSize) {
    special.checkVocab(vocabSize);
    for (int id : eosIds) {
      if (id >= vocabSize) throw new IllegalArgumentException("EOS id " + id + " >= vocab size " + vocabSize);
    }
    for (int id : headerSeparatorIds) {
      if (id >= vocabSize) throw new IllegalArgumentException("header separator id " + id + " >= vocab size " + vocabSize);
    }
  }
}
