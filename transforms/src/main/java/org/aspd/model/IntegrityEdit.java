package org.aspd.model;

import java.io.Serializable;

/**
 * One slight edit a rewriter made to the source, found by the token-alignment gate (method §3
 * stage 1) and undone: the row keeps the source text, the edit is recorded.
 *
 * @param sourceOffset character offset in the answer where the edited words start
 * @param source the answer's words there
 * @param rewrite what the rewriter wrote instead
 * @param tokenEdits token-level Levenshtein distance between the two
 * @param location {@code serial} or {@code group G branch B 'title'} (0-based, in the rewrite)
 */
public record IntegrityEdit(int sourceOffset, String source, String rewrite, int tokenEdits, String location)
    implements Serializable {}
