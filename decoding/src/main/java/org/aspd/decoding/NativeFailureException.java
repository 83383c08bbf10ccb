package org.aspd.decoding;

/** A native call failed after its inputs were validated (e.g. a CUDA error during a kernel). */
public final class NativeFailureException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  public NativeFailureException(String message) {
    super(message);
  }
}
