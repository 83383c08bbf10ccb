package org.aspd.decoding;

/** Why a decoding run ended; ordinals mirror {@code StopReason} in engine/engine.h. */
public enum StopReason {
  /** An end-of-turn id was emitted in serial mode (it is not part of the output). */
  EOS,
  /** The token budget was reached at a serial-text boundary (open title lists and groups are completed). */
  BUDGET,
  /** The model's context is full; the output may end inside a title list or a group. */
  CONTEXT,
  /** Replay and serial runs: every given token was fed. */
  END_OF_INPUT
}
