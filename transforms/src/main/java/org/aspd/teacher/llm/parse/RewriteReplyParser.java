package org.aspd.teacher.llm.parse;

import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Reads the rewrite reply shape of {@code prompts/rewrite.txt}:
 *
 * <pre>
 * PARALLEL: yes|no
 * &lt;&lt;&lt;ANNOTATED&gt;&gt;&gt;
 * ...tagged answer...
 * &lt;&lt;&lt;END&gt;&gt;&gt;
 * </pre>
 *
 * <p>Flag no: not parallel, whatever follows. Flag yes with an empty region: not parallel (method §2).
 * Flag yes with the region missing or unterminated (a cut-off reply), or no flag at all: a problem,
 * which the teacher says back to the model once. One newline next to each marker belongs to the
 * shape; everything else in the region is returned untouched (the stage aligns it to the source).
 */
public final class RewriteReplyParser {
  public static final String BEGIN = "<<<ANNOTATED>>>";
  public static final String END = "<<<END>>>";
  private static final Pattern FLAG = Pattern.compile(
      "(?im)^[\\s*_#>`-]*parallel(?:isable|izable)?[\\s*_`]*[:=][\\s*_`]*(yes|no)\\b");

  private RewriteReplyParser() {}

  public static Parsed<RewriteReply> parse(String reply) {
    String text = Thinking.strip(reply);
    if (text.isBlank()) {
      return Parsed.problem("the reply was empty");
    }
    int begin = text.indexOf(BEGIN);
    // Only before the region: the answer being annotated may itself mention <think>.
    if (Thinking.unfinished(begin < 0 ? text : text.substring(0, begin))) {
      return Parsed.problem("the reply ended inside a <think> block, before any answer");
    }
    Matcher flag = FLAG.matcher(begin < 0 ? text : text.substring(0, begin));
    if (!flag.find()) {
      return Parsed.problem("the first line must be \"PARALLEL: yes\" or \"PARALLEL: no\"");
    }
    if (flag.group(1).toLowerCase(Locale.ROOT).equals("no")) {
      return Parsed.ok(RewriteReply.notParallel());
    }
    if (begin < 0) {
      return Parsed.problem("PARALLEL was yes but the " + BEGIN + " marker is missing");
    }
    int end = text.lastIndexOf(END);
    if (end < begin + BEGIN.length()) {
      return Parsed.problem("the " + END + " marker is missing (was the reply cut off?)");
    }
    String region = text.substring(begin + BEGIN.length(), end);
    region = region.startsWith("\r\n") ? region.substring(2) : region.startsWith("\n") ? region.substring(1) : region;
    region = region.endsWith("\r\n") ? region.substring(0, region.length() - 2)
        : region.endsWith("\n") ? region.substring(0, region.length() - 1) : region;
    return Parsed.ok(region.isBlank() ? RewriteReply.notParallel() : new RewriteReply(true, region));
  }
}
