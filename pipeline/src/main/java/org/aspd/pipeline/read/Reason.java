package org.aspd.pipeline.read;

/**
 * The reason codes a reader puts on a {@link org.aspd.model.DeadLetter}. They are counter names and
 * grouping keys downstream, so they stay short, lower_snake_case and stable.
 */
public final class Reason {
  public static final String MALFORMED_JSON = "malformed_json";
  public static final String NOT_AN_OBJECT = "not_an_object";
  public static final String MISSING_FIELD = "missing_field";
  public static final String NOT_A_STRING = "not_a_string";
  public static final String EMPTY_ANSWER = "empty_answer";
  public static final String INVALID_UTF8 = "invalid_utf8";
  public static final String LINE_TOO_LONG = "line_too_long";
  public static final String UNKNOWN_FORMAT = "unknown_format";
  public static final String UNREADABLE_FILE = "unreadable_file";
  public static final String NOT_FOUND = "not_found";
  public static final String NO_ASSISTANT_TURN = "no_assistant_turn";
  public static final String NO_USER_TURN = "no_user_turn";
  public static final String UNMATCHED_QUESTION = "unmatched_question";
  public static final String DUPLICATE_QUESTION = "duplicate_question";
  public static final String TURN_MISMATCH = "turn_mismatch";
  public static final String INTERNAL_ERROR = "internal_error";

  private Reason() {}
}
