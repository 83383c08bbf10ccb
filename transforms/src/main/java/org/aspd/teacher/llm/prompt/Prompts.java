package org.aspd.teacher.llm.prompt;

import java.util.LinkedHashMap;
import java.util.Map;

/** The teacher's prompt set, loaded once per teacher from the classpath. */
public record Prompts(
    PromptTemplate rewrite,
    PromptTemplate independence,
    PromptTemplate format,
    PromptTemplate answer,
    PromptTemplate reaskJson,
    PromptTemplate reaskRewrite) {

  public static Prompts load() {
    return new Prompts(PromptTemplate.load("rewrite"), PromptTemplate.load("independence"),
        PromptTemplate.load("format"), PromptTemplate.load("answer"),
        PromptTemplate.load("reask-json"), PromptTemplate.load("reask-rewrite"));
  }

  /** Name to short hash (12 hex digits) of every prompt, for {@code Teacher.version()}. */
  public Map<String, String> versions() {
    Map<String, String> v = new LinkedHashMap<>();
    for (PromptTemplate p : new PromptTemplate[] {rewrite, independence, format, answer, reaskJson, reaskRewrite}) {
      v.put(p.name(), p.version().substring(0, 12));
    }
    return v;
  }
}
