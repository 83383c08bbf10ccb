package org.aspd.decoding;

/**
 * No usable GPU: the CUDA library is missing or does not load, no driver, no device, or a device
 * too old for the sm_90 kernels. The message carries the CUDA error string or the paths tried.
 */
public final class GpuUnavailableException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  public GpuUnavailableException(String message) {
    super(message);
  }

  public GpuUnavailableException(String message, Throwable cause) {
    super(message, cause);
  }
}
