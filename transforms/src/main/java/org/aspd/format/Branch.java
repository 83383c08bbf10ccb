package org.aspd.format;

import java.io.Serializable;
import java.util.Objects;

/**
 * One independently decodable piece of a group.
 *
 * <p>{@code content} is the verbatim source span of the branch, including the whitespace that follows
 * it in the source (method §2 step 4, "Ours"): concatenating serial texts and branch contents in
 * order reproduces the source byte for byte.
 */
public record Branch(String title, String content) implements Serializable {
  public Branch {
    Objects.requireNonNull(title, "title");
    Objects.requireNonNull(content, "content");
  }
}
