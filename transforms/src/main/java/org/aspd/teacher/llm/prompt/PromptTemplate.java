package org.aspd.teacher.llm.prompt;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.aspd.teacher.llm.Hashing;

/**
 * One prompt file from {@code prompts/} (shipped as {@code aspd/prompts/NAME.txt}): a system part and
 * a user part, separated by lines {@code ### system} and {@code ### user}, with {@code {{name}}}
 * placeholders in the user part. Its version is the SHA-256 of the whole file, so any edit of the
 * text changes the version recorded with every call (and every cache key).
 */
public final class PromptTemplate {
  private static final Pattern PLACEHOLDER = Pattern.compile("\\{\\{([a-z_]+)}}");
  private static final String SYSTEM = "### system\n";
  private static final String USER = "\n### user\n";

  private final String name;
  private final String system;
  private final String user;
  private final String version;

  PromptTemplate(String name, String text) {
    int s = text.indexOf(SYSTEM);
    int u = text.indexOf(USER);
    if (s < 0 || u < s) {
      throw new IllegalStateException("prompt " + name + " needs '### system' then '### user' sections");
    }
    this.name = name;
    this.system = text.substring(s + SYSTEM.length(), u).strip();
    this.user = text.substring(u + USER.length()).strip();
    this.version = Hashing.sha256(text);
  }

  public static PromptTemplate load(String name) {
    String resource = "aspd/prompts/" + name + ".txt";
    try (InputStream in = PromptTemplate.class.getClassLoader().getResourceAsStream(resource)) {
      if (in == null) {
        throw new IllegalStateException("prompt resource missing from the classpath: " + resource);
      }
      String text = new String(in.readAllBytes(), StandardCharsets.UTF_8).replace("\r\n", "\n");
      return new PromptTemplate(name, text);
    } catch (IOException e) {
      throw new UncheckedIOException(resource, e);
    }
  }

  public String name() {
    return name;
  }

  /** Full SHA-256 (hex) of the prompt file. */
  public String version() {
    return version;
  }

  public String system() {
    return system;
  }

  /**
   * The user message with every placeholder replaced in one pass, so values that themselves contain
   * {@code {{...}}} are never expanded; an unknown placeholder is a bug in the prompt file.
   */
  public String user(Map<String, String> values) {
    Matcher m = PLACEHOLDER.matcher(user);
    StringBuilder out = new StringBuilder(user.length() + 1024);
    while (m.find()) {
      String value = values.get(m.group(1));
      if (value == null) {
        throw new IllegalStateException("prompt " + name + " uses {{" + m.group(1) + "}} with no value");
      }
      m.appendReplacement(out, Matcher.quoteReplacement(value));
    }
    m.appendTail(out);
    return out.toString();
  }
}
