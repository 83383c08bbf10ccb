package org.aspd.decoding;

/** Position-id conventions of §6; the ordinal is the native code. */
public enum PositionMode {
  /** Default and our single convention: branch token j at p+1+j, main tokens at their packed index. */
  SAME_SEQ,
  /** Main tokens after a group continue at the longest branch's end + 1. */
  SAME_MAX,
  /** Branch i occupies [p+1+i*L, ...), L = longest branch; text after starts at p+1+k*L. */
  FIXED_RANGE
}
