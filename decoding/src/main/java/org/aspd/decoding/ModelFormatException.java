package org.aspd.decoding;

/**
 * A checkpoint directory that does not describe a usable model: config.json missing fields or
 * nonsensical, model.safetensors malformed or truncated, a tensor missing, of the wrong shape or of
 * an unsupported dtype. The message names the file and the field or tensor.
 */
public final class ModelFormatException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  public ModelFormatException(String message) {
    super(message);
  }
}
