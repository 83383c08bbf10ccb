package org.aspd.teacher.llm.parse;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class RewriteReplyParserTest {
  private static final String TAGGED = "Intro\n<branchgroup><branch title=\"A\">aaaaaaaaaaaa</branch>\n"
      + "<branch title=\"B\">bbbbbbbbbbbb</branch></branchgroup>\n";

  @Test
  void returnsTheRegionWithOnlyTheMarkerNewlinesRemoved() {
    Parsed<RewriteReply> p = RewriteReplyParser.parse("PARALLEL: yes\n<<<ANNOTATED>>>\n" + TAGGED + "\n<<<END>>>\n");
    assertEquals(new RewriteReply(true, TAGGED), p.value());
  }

  @Test
  void toleratesMarkdownAroundTheFlagAndThinking() {
    Parsed<RewriteReply> p = RewriteReplyParser.parse(
        "<think>PARALLEL: no?</think>**Parallelisable**: Yes\n<<<ANNOTATED>>>\n" + TAGGED + "\n<<<END>>>");
    assertEquals(TAGGED, p.value().annotated());
  }

  @Test
  void flagNoOrAnEmptyRegionMeansNotParallel() {
    assertEquals(RewriteReply.notParallel(), RewriteReplyParser.parse("PARALLEL: no").value());
    assertEquals(RewriteReply.notParallel(),
        RewriteReplyParser.parse("PARALLEL: no\n<<<ANNOTATED>>>\n" + TAGGED + "<<<END>>>").value());
    assertEquals(RewriteReply.notParallel(),
        RewriteReplyParser.parse("PARALLEL: yes\n<<<ANNOTATED>>>\n\n<<<END>>>").value());
  }

  @Test
  void missingFlagMissingRegionOrCutOffReplyIsAProblem() {
    assertFalse(RewriteReplyParser.parse(TAGGED).ok());
    assertFalse(RewriteReplyParser.parse("PARALLEL: yes\n" + TAGGED).ok());
    Parsed<RewriteReply> cut = RewriteReplyParser.parse("PARALLEL: yes\n<<<ANNOTATED>>>\n" + TAGGED);
    assertTrue(cut.problem().contains("<<<END>>>"), cut.problem());
    assertFalse(RewriteReplyParser.parse("").ok());
  }
}
