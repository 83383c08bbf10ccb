package org.aspd.decoding;

import java.util.Arrays;
import java.util.Locale;

/** Input element type of the GPU kernels (accumulation is always fp32); ordinal = native code. */
public enum DType {
  BF16("bf16"),
  FP16("fp16");

  private final String label;

  DType(String label) {
    this.label = label;
  }

  public String label() {
    return label;
  }

  /** Parses "bf16" / "fp16" (case-insensitive); anything else is rejected with the valid names. */
  public static DType fromName(String name) {
    for (DType t : values()) {
      if (t.label.equals(name == null ? null : name.toLowerCase(Locale.ROOT))) return t;
    }
    throw new IllegalArgumentException("unknown dtype '" + name + "'; expected one of "
        + Arrays.toString(Arrays.stream(values()).map(DType::label).toArray()));
  }
}
