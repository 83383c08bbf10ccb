package org.aspd.decoding;

import java.util.Objects;

/**
 * A model that gives the logits of chosen rows of one packed sequence under the branch rule: the
 * CPU {@link Model} (fp32) or a {@link GpuModel} (bf16). {@link ShardValidator} runs its numerical
 * checks on either.
 */
public interface LogitsModel {
  ModelConfig config();

  /** Compute type: "fp32" on the CPU, "bf16" on the GPU (sets the validator's default tolerance). */
  String computeDType();

  /**
   * Logits of the tokens in {@code rows} only.
   *
   * @param rows token indices in [0, T), any order, repeats allowed
   * @return logits [R, V] row-major, row r for token rows[r]
   */
  float[] forwardRows(int[] ids, int[] positions, int[] groupIds, int[] branchIds, int[] rows);

  /**
   * Checks the arguments of {@link #forwardRows} against a config (lengths, id and position
   * ranges, label consistency, row indices) and returns the size of the logits array.
   */
  static int logitsSize(ModelConfig config, int[] ids, int[] positions, int[] groupIds, int[] branchIds, int[] rows) {
    Objects.requireNonNull(ids, "ids");
    Objects.requireNonNull(positions, "positions");
    Objects.requireNonNull(groupIds, "groupIds");
    Objects.requireNonNull(branchIds, "branchIds");
    Objects.requireNonNull(rows, "rows");
    int t = ids.length;
    if (t == 0) throw new IllegalArgumentException("ids must not be empty");
    if (positions.length != t || groupIds.length != t || branchIds.length != t) {
      throw new IllegalArgumentException("arrays must have T = " + t + " entries: positions " + positions.length
          + ", groupIds " + groupIds.length + ", branchIds " + branchIds.length);
    }
    for (int i = 0; i < t; i++) {
      if (ids[i] < 0 || ids[i] >= config.vocabSize()) {
        throw new IllegalArgumentException("token " + i + ": id " + ids[i] + " outside [0, " + config.vocabSize() + ")");
      }
      if (positions[i] < 0 || positions[i] >= config.maxPositions()) {
        throw new IllegalArgumentException("token " + i + ": position " + positions[i] + " outside [0, "
            + config.maxPositions() + ")");
      }
    }
    new TokenTags(positions, groupIds, branchIds); // label consistency
    for (int r : rows) {
      if (r < 0 || r >= t) throw new IllegalArgumentException("logit row " + r + " outside [0, " + t + ")");
    }
    long size = (long) rows.length * config.vocabSize();
    if (size > Integer.MAX_VALUE - 8) {
      throw new IllegalArgumentException(rows.length + " rows x vocab " + config.vocabSize()
          + " logits do not fit one Java array; ask for fewer rows");
    }
    return (int) size;
  }
}
