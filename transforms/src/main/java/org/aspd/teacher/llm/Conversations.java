package org.aspd.teacher.llm;

import java.util.List;
import org.aspd.format.Branch;
import org.aspd.model.Sample;
import org.aspd.model.Turn;

/** Renders sample parts into prompt text: the judges see the full conversation (method §10, Ours). */
final class Conversations {
  private Conversations() {}

  static String render(Sample sample) {
    StringBuilder out = new StringBuilder();
    if (!sample.system().isBlank()) {
      out.append("System: ").append(sample.system()).append("\n\n");
    }
    for (Turn t : sample.history()) {
      out.append(t.role().equals("assistant") ? "Assistant: " : "User: ").append(t.content()).append("\n\n");
    }
    return out.append("User: ").append(sample.question()).toString();
  }

  /** Numbered branches with their titles, each content fenced so sibling boundaries are explicit. */
  static String branches(List<Branch> branches) {
    StringBuilder out = new StringBuilder();
    for (int i = 0; i < branches.size(); i++) {
      Branch b = branches.get(i);
      out.append("[").append(i + 1).append("] title: ").append(b.title()).append('\n')
          .append("<<<BRANCH ").append(i + 1).append('\n')
          .append(b.content().strip()).append('\n')
          .append("BRANCH ").append(i + 1).append(">>>\n\n");
    }
    return out.toString().strip();
  }
}
