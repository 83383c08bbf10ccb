package org.aspd.teacher.rules;

import org.aspd.teacher.Teacher;
import org.aspd.teacher.TeacherFactory;

/**
 * Builds the offline {@link RulesTeacher}; it holds no state, so workers may share the recipe. With
 * the job's tokenizer its titles are counted in that tokenizer's tokens, as the structure gate
 * counts them, instead of estimated.
 */
public final class RulesTeacherFactory implements TeacherFactory {
  private static final long serialVersionUID = 1L;
  private final String tokenizer;

  /** Titles by the estimate alone. */
  public RulesTeacherFactory() {
    this(null);
  }

  /** @param tokenizer the job's tokenizer name ({@link org.aspd.tokens.TokenizerCache#get}), or null */
  public RulesTeacherFactory(String tokenizer) {
    this.tokenizer = tokenizer;
  }

  @Override
  public Teacher create() {
    return tokenizer == null ? new RulesTeacher()
        : new RulesTeacher(org.aspd.tokens.TokenizerCache.get(tokenizer)::countText);
  }

  @Override
  public String name() {
    return RulesTeacher.NAME;
  }
}
