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
 */
record InputUnit(String path, String questionPath, boolean reportQuestionFailures) implements Serializable {
  static InputUnit file(String path) {
    return new InputUnit(path, "", false);
  }

  static InputUnit fastChat(String questionPath, String answerPath, boolean reportQuestionFailures) {
    return new InputUnit(answerPath, questionPath, reportQuestionFailures);
  }

  boolean isFastChat() {
    return !questionPath.isEmpty();
  }
}
