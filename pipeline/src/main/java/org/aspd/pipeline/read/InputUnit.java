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
 * @param idPrefix what made-up ids start with: the unit's folder below the scanned folder
 *     ({@code gpt4/} for {@code results/gpt4/model_outputs.json} under {@code --input results}), so
 *     same-named files in different folders do not make the same ids; "" for a file named directly
 */
record InputUnit(String path, String questionPath, boolean reportQuestionFailures, long limit, String idPrefix)
    implements Serializable {
  static final long NO_LIMIT = Long.MAX_VALUE;

  static InputUnit file(String path) {
    return file(path, "");
  }

  static InputUnit file(String path, String idPrefix) {
    return new InputUnit(path, "", false, NO_LIMIT, idPrefix);
  }

  static InputUnit fastChat(String questionPath, String answerPath, boolean reportQuestionFailures) {
    return fastChat(questionPath, answerPath, reportQuestionFailures, "");
  }

  static InputUnit fastChat(String questionPath, String answerPath, boolean reportQuestionFailures, String idPrefix) {
    return new InputUnit(answerPath, questionPath, reportQuestionFailures, NO_LIMIT, idPrefix);
  }

  /** The same unit with {@code prefix} put before its made-up ids (see {@link InputExpander#idPrefixes}). */
  InputUnit withIdsUnder(String prefix) {
    return prefix.isEmpty() ? this : new InputUnit(path, questionPath, reportQuestionFailures, limit, prefix + idPrefix);
  }

  InputUnit withLimit(long records) {
    return new InputUnit(path, questionPath, reportQuestionFailures, records, idPrefix);
  }

  boolean isFastChat() {
    return !questionPath.isEmpty();
  }
}
