package org.aspd.decoding;

import java.util.Locale;

/** The checks {@link ShardValidator} runs on one shard row, in order; the first failure is reported. */
public enum ValidationCheck {
  /** The four arrays are non-empty and of equal length. */
  SHAPE,
  /** Every token id lies in [0, vocab size). */
  TOKEN_RANGE,
  /** Prompt + response fits the model's context. */
  LENGTH,
  /** No control id inside a title or content span (six markers nested, or a reserved id anywhere). */
  CONTROL_ID,
  /** The §1 grammar holds (markup well formed and closed). */
  MARKUP,
  /** group_ids / branch_ids equal the native recomputation from ids alone (§8(d)). */
  LABELS,
  /** position_ids equal the native Same-Seq recomputation (§6, §8(d)). */
  POSITIONS,
  /** §8(b): each branch's logits in the packed forward equal prefix + that branch alone. */
  BRANCH_ALONE,
  /** §8(c): main tokens after a group see every branch (removing one changes their logits). */
  SEES_BRANCHES;

  /** Lower-case name used in reports, e.g. {@code branch_alone}. */
  public String label() {
    return name().toLowerCase(Locale.ROOT);
  }

  public boolean numerical() {
    return this == BRANCH_ALONE || this == SEES_BRANCHES;
  }
}
