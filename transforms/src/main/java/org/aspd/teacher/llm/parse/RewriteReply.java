package org.aspd.teacher.llm.parse;

/**
 * A rewrite reply, read (method §2: a yes/no flag and a delimited output region).
 *
 * @param parallel false when the flag says no or the region is empty: "not parallel"
 * @param annotated the region's text when parallel, else ""
 */
public record RewriteReply(boolean parallel, String annotated) {
  public static RewriteReply notParallel() {
    return new RewriteReply(false, "");
  }
}
