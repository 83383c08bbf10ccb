package org.aspd.decoding;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.util.Optional;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * GPU kernels vs the float64 reference (run only where a GPU is usable), and the no-GPU contract
 * (run only where none is): a clear GpuUnavailableException and a CPU fallback, never a crash.
 */
class GpuAttentionTest {
  private static final Optional<String> UNAVAILABLE = GpuAttention.unavailableReason();

  @Test
  void withoutGpuOpeningFailsCleanlyAndTheApiFallsBackToCpu() {
    assumeTrue(UNAVAILABLE.isPresent(), "a GPU is present; the no-GPU contract is not testable here");
    GpuUnavailableException e = assertThrows(GpuUnavailableException.class, () -> GpuAttention.open(0, DType.BF16));
    assertFalse(e.getMessage().isBlank());
    try (Attention attention = Attention.open(DType.BF16)) {
      assertEquals("cpu", attention.backend());
    }
  }

  @Test
  void prefillMatchesFloat64Reference() {
    assumeTrue(UNAVAILABLE.isEmpty(), () -> "no usable GPU, skipping GPU prefill checks: " + UNAVAILABLE.orElse(""));
    Random rng = new Random(5);
    for (DType dtype : DType.values()) {
      double tol = dtype == DType.BF16 ? 2e-2 : 4e-3; // P is rounded to the dtype before P V
      try (GpuAttention gpu = GpuAttention.open(0, dtype)) {
        for (int[] shape : AttentionCases.SHAPES) {
          AttentionCases.Case c = AttentionCases.random(rng, shape);
          float scale = c.shape().defaultScale();
          float[] got = gpu.prefill(c.shape(), c.q(), c.k(), c.v(), c.layout().groupId(), c.layout().branchId(), scale);
          double[] want = ReferenceAttention.prefill(c.shape(), c.q(), c.k(), c.v(), c.layout().groupId(),
              c.layout().branchId(), scale);
          ReferenceAttention.assertClose(gpu.backend() + " prefill " + c.shape() + " T=" + c.tokens(), got, want, tol, tol);
        }
      }
    }
  }

  @Test
  void decodeMatchesFloat64Reference() {
    assumeTrue(UNAVAILABLE.isEmpty(), () -> "no usable GPU, skipping GPU decode checks: " + UNAVAILABLE.orElse(""));
    Random rng = new Random(6);
    for (DType dtype : DType.values()) {
      try (GpuAttention gpu = GpuAttention.open(0, dtype)) {
        for (int[] shape : AttentionCases.SHAPES) {
          AttentionCases.Case c = AttentionCases.random(rng, shape);
          TokenTags tags = c.layout().tags(PositionMode.SAME_SEQ);
          float[] got = gpu.decode(c.shape(), c.q(), tags, c.k(), c.v(), tags, 0.2f);
          ReferenceAttention.assertClose(gpu.backend() + " decode " + c.shape(), got,
              ReferenceAttention.decode(c.shape(), c.q(), tags, c.k(), c.v(), tags, 0.2f), 1e-4, 1e-4);
        }
      }
    }
  }
}
