package org.aspd.teacher.rules;

/**
 * One source line with its markdown-ish role.
 *
 * @param start offset of the first character
 * @param end offset just past the last character, before the line break
 * @param indent leading columns (a tab counts 4)
 * @param kind what the line is
 * @param level heading level: 1-6 for {@code #} headings, 7 for a bold line, 8 for a short
 *     {@code Title:} line; 0 otherwise
 * @param ordered for list items: numbered ({@code 1.}) rather than bulleted
 * @param textStart offset where the line's text starts after indent, heading hashes or list marker
 */
record Line(int start, int end, int indent, Kind kind, int level, boolean ordered, int textStart) {
  enum Kind { BLANK, HEADING, ITEM, TEXT, CODE, MATH, TABLE, RULE }

  boolean isBlank() {
    return kind == Kind.BLANK;
  }

  boolean isHeading() {
    return kind == Kind.HEADING;
  }

  boolean isItem() {
    return kind == Kind.ITEM;
  }
}
