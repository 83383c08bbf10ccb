package org.aspd.model;

import java.io.Serializable;
import java.util.List;
import java.util.Objects;

/**
 * One input record (method §3): a question and the serial answer to rewrite, with the conversation
 * before it and where it came from.
 *
 * @param id unique within the job; readers derive one when the source has none
 * @param source the file it was read from
 * @param model the model that wrote the answer, or "" when unknown
 * @param category the source's category of the question, or ""
 * @param system the system prompt, or ""
 * @param history earlier turns; only the last assistant turn ({@code answer}) is parallelised
 * @param question the last user turn
 * @param answer the serial answer to rewrite
 */
public record Sample(
    String id,
    String source,
    String model,
    String category,
    String system,
    List<Turn> history,
    String question,
    String answer) implements Serializable {
  public Sample {
    Objects.requireNonNull(id, "id");
    source = source == null ? "" : source;
    model = model == null ? "" : model;
    category = category == null ? "" : category;
    system = system == null ? "" : system;
    history = history == null ? List.of() : List.copyOf(history);
    Objects.requireNonNull(question, "question");
    Objects.requireNonNull(answer, "answer");
  }
}
