package org.aspd.pipeline.read;

import java.io.Serializable;

/**
 * One unit of reading work: a data file, or one FastChat answer file with the question file it
 * joins against. Paths stay strings so the unit is cheap to encode and filesystem-neutral.
 *
 * @param path the data file, or the FastChat answer file
 * @param questionPath the FastChat question file, or "" for a plain data file
 * @param reportQuestionFailures whether this unit reports the question file's bad lines (exactly one
 *     unit per question file does)
 * @param limit the most records to read from it ({@code --limit}); {@link #NO_LIMIT} for all
 */
record InputUnit(String path, String questionPath, boolean reportQuestionFailures, long limit) implements Serializable {
  static final long NO_LIMIT = Long.MAX_VALUE;

  static InputUnit file(String path) {
    return new InputUnit(path, "", false, NO_LIMIT);
  }

  static InputUnit fastChat(String questionPath, String answerPath, boolean reportQuestionFailures) {
    return new InputUnit(answerPath, questionPath, reportQuestionFailures, NO_LIMIT);
  }

  InputUnit withLimit(long records) {
    return new InputUnit(path, questionPath, reportQuestionFailures, records);
  }

  boolean isFastChat() {
    return !questionPath.isEmpty();
  }
}
