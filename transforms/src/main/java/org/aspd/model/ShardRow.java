package org.aspd.model;

import java.io.Serializable;
import java.util.List;
import org.aspd.format.Response;
import org.aspd.metrics.SampleMetrics;
import org.aspd.tokens.ShardLayout;

/**
 * One output row (method §3.5): every input sample that is not dead-lettered becomes exactly one
 * row, parallel or serial. The Avro schema {@code schemas/shard_row.avsc} mirrors these fields.
 *
 * @param status {@code parallel}, {@code serial_short} or {@code serial_fallback:<reason>}
 * @param response the chosen structure (serial when not parallel)
 * @param aspdText the six-token training format of {@code response}
 * @param layout response token arrays (ids, Same-Seq positions, group and branch labels)
 * @param lossMask method §3.5 loss_mask over the response tokens (1 = in the loss)
 * @param metrics §4 metrics of {@code response}
 * @param chosenCandidate index of the selected candidate, -1 when serial
 * @param candidates a summary of every candidate and what happened to it
 * @param contentHash SHA-256 over the input fields (id, system, history, question, answer)
 * @param llmCalls every LLM call of the stages, in the order made (empty for the embedded teacher)
 */
public record ShardRow(
    Sample sample,
    String status,
    Response response,
    String aspdText,
    ShardLayout layout,
    int[] lossMask,
    SampleMetrics metrics,
    int chosenCandidate,
    List<CandidateSummary> candidates,
    String teacher,
    String teacherVersion,
    String tokenizer,
    String contentHash,
    List<LlmCall> llmCalls) implements Serializable {

  public ShardRow {
    llmCalls = llmCalls == null ? List.of() : List.copyOf(llmCalls);
  }

  public boolean parallel() {
    return "parallel".equals(status);
  }

  /**
   * What happened to one candidate: its fate ({@code selected}, {@code eligible}, or the rejection
   * reason), its text-level DP, the votes of stages 2 and 3, and its integrity: {@code exact},
   * {@code edited} (slight edits undone by the token-alignment gate, listed in {@code edits}),
   * {@code failed}, or empty when the teacher gave no rewrite.
   */
  public record CandidateSummary(
      int index,
      String fate,
      double dp,
      int groupsProposed,
      int groupsPassed,
      String independence,
      String format,
      String answer,
      String integrity,
      List<IntegrityEdit> edits) implements Serializable {
    public CandidateSummary {
      edits = edits == null ? List.of() : List.copyOf(edits);
    }
  }
}
