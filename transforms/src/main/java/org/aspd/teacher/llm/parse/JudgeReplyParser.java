package org.aspd.teacher.llm.parse;

import com.fasterxml.jackson.core.json.JsonReadFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.json.JsonMapper;
import java.util.Iterator;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.aspd.teacher.Verdict;

/**
 * Reads a judge's {@code {"verdict": "pass"|"fail", "reason": "..."}} from whatever the model wrote
 * around it: reasoning blocks, a fenced {@code ```json} block, prose before or after, single quotes,
 * unquoted keys, trailing commas. The first object with a {@code verdict} wins. A verdict other than
 * pass or fail is a problem, never guessed into either.
 */
public final class JudgeReplyParser {
  private static final Pattern FENCE = Pattern.compile("(?s)```(?:json|JSON)?\\s*\\n?(.*?)```");
  private static final JsonMapper LENIENT = JsonMapper.builder()
      .enable(JsonReadFeature.ALLOW_SINGLE_QUOTES)
      .enable(JsonReadFeature.ALLOW_UNQUOTED_FIELD_NAMES)
      .enable(JsonReadFeature.ALLOW_TRAILING_COMMA)
      .enable(JsonReadFeature.ALLOW_JAVA_COMMENTS)
      .enable(JsonReadFeature.ALLOW_UNESCAPED_CONTROL_CHARS)
      .build();

  private JudgeReplyParser() {}

  public static Parsed<Verdict> parse(String reply) {
    String text = Thinking.strip(reply).strip();
    if (text.isEmpty()) {
      return Parsed.problem("the reply was empty");
    }
    if (Thinking.unfinished(text)) {
      return Parsed.problem("the reply ended inside a <think> block, before any answer");
    }
    Matcher fence = FENCE.matcher(text);
    while (fence.find()) {
      Parsed<Verdict> v = firstVerdict(fence.group(1));
      if (v != null) {
        return v;
      }
    }
    Parsed<Verdict> v = firstVerdict(text);
    return v != null ? v : Parsed.problem("no JSON object with a \"verdict\" field was found");
  }

  /** The first balanced {...} in {@code text} that has a verdict field; null if none. */
  private static Parsed<Verdict> firstVerdict(String text) {
    for (int start = text.indexOf('{'); start >= 0; start = text.indexOf('{', start + 1)) {
      int end = JsonObjects.matchingBrace(text, start);
      if (end < 0) {
        continue;
      }
      JsonNode node = readOrNull(text.substring(start, end + 1));
      JsonNode verdict = node == null ? null : field(node, "verdict");
      if (verdict != null) {
        return toVerdict(verdict, field(node, "reason"));
      }
    }
    return null;
  }

  private static Parsed<Verdict> toVerdict(JsonNode verdict, JsonNode reasonNode) {
    String reason = reasonNode == null || reasonNode.isNull() ? "" : reasonNode.asText().strip();
    String v = verdict.asText().strip().toLowerCase(Locale.ROOT);
    return switch (v) {
      case "pass", "passed" -> Parsed.ok(Verdict.pass(reason));
      case "fail", "failed" -> Parsed.ok(Verdict.fail(reason));
      default -> Parsed.problem("verdict must be \"pass\" or \"fail\", got \"" + abbreviate(v) + "\"");
    };
  }

  private static JsonNode field(JsonNode node, String name) {
    for (Iterator<Map.Entry<String, JsonNode>> it = node.fields(); it.hasNext(); ) {
      Map.Entry<String, JsonNode> e = it.next();
      if (e.getKey().strip().equalsIgnoreCase(name)) {
        return e.getValue();
      }
    }
    return null;
  }

  private static JsonNode readOrNull(String json) {
    try {
      JsonNode n = LENIENT.readTree(json);
      return n != null && n.isObject() ? n : null;
    } catch (Exception e) {
      return null;
    }
  }

  private static String abbreviate(String s) {
    return s.length() > 40 ? s.substring(0, 40) + "..." : s;
  }
}
