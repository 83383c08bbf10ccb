package org.aspd.format;

import java.util.List;

/** The six ASPD control strings, in the order they are added to a tokenizer (method §1). */
public final class SpecialTokens {
  public static final String BRANCH = "<|branch|>";
  public static final String BRANCH_END = "<|/branch|>";
  public static final String TITLE = "<|title|>";
  public static final String TITLE_END = "<|/title|>";
  public static final String PARA = "<|para|>";
  public static final String PARA_END = "<|/para|>";

  /** In tokenizer order; ids are looked up from the tokenizer, never assumed. */
  public static final List<String> ALL = List.of(BRANCH, BRANCH_END, TITLE, TITLE_END, PARA, PARA_END);

  /** The separator between a branch's title and its content in the branch header. */
  public static final String HEADER_SEPARATOR = ": ";

  private SpecialTokens() {}
}
