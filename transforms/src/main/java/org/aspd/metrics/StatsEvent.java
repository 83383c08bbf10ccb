package org.aspd.metrics;

import java.io.Serializable;
import java.util.List;
import org.aspd.format.Group;
import org.aspd.model.DeadLetter;
import org.aspd.model.ShardRow;

/**
 * What the dataset statistics need from one output row, one dead letter or one input file a scan
 * skipped ({@code skippedFile}, else ""): small, so the global combine moves little data however big
 * the rows are.
 */
public record StatsEvent(
    boolean deadLetter,
    String status,
    String failure,
    String sourceFile,
    String model,
    String category,
    SampleMetrics metrics,
    List<Integer> branchesPerGroup,
    List<String> candidateFates,
    List<String> candidateIntegrity,
    String skippedFile) implements Serializable {

  public static StatsEvent of(ShardRow row) {
    List<Integer> branches = row.response().groups().stream().map(Group::size).toList();
    List<String> fates = row.candidates().stream().map(ShardRow.CandidateSummary::fate).toList();
    List<String> integrity = row.candidates().stream().map(ShardRow.CandidateSummary::integrity).toList();
    return new StatsEvent(false, row.status(), "", sourceFile(row.sample().source()), row.sample().model(),
        row.sample().category(), row.metrics(), branches, fates, integrity, "");
  }

  public static StatsEvent of(DeadLetter dl) {
    return new StatsEvent(true, "", dl.stage() + ":" + dl.reason(), sourceFile(dl.source()), "", "", null,
        List.of(), List.of(), List.of(), "");
  }

  /** A file a directory or glob scan passed over, as {@code path (reason)}. */
  public static StatsEvent skippedFile(String note) {
    return new StatsEvent(false, "", "", "", "", "", null, List.of(), List.of(), List.of(), note);
  }

  /** "path/file.jsonl:17" or "path/file.json#3" → "path/file.jsonl". */
  public static String sourceFile(String source) {
    return source.replaceFirst("[:#]\\d+$", "");
  }
}
