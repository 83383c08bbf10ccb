package org.aspd.pipeline.read;

/**
 * Thrown by the record mappers when one record cannot become a {@link org.aspd.model.Sample}; the
 * caller turns it into a dead letter carrying the raw record, so mappers never see raw text.
 */
final class BadRecord extends Exception {
  private final String reason;

  BadRecord(String reason, String detail) {
    super(detail, null, false, false); // no stack trace: this is an expected outcome, not a bug
    this.reason = reason;
  }

  String reason() {
    return reason;
  }
}
