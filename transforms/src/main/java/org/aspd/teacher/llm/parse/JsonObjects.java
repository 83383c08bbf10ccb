package org.aspd.teacher.llm.parse;

/** Finds the end of a JSON object inside free text, honouring strings in double or single quotes. */
final class JsonObjects {
  private JsonObjects() {}

  /** Index of the brace closing the object that opens at {@code start}, or -1 if it never closes. */
  static int matchingBrace(String text, int start) {
    int depth = 0;
    char quote = 0;
    for (int i = start; i < text.length(); i++) {
      char c = text.charAt(i);
      if (quote != 0) {
        if (c == '\\') {
          i++;
        } else if (c == quote) {
          quote = 0;
        }
      } else if (c == '"' || c == '\'') {
        quote = c;
      } else if (c == '{') {
        depth++;
      } else if (c == '}' && --depth == 0) {
        return i;
      }
    }
    return -1;
  }
}
