package org.aspd.model;

import java.io.Serializable;
import java.util.Objects;

/**
 * A record that could not become a shard row, kept with everything needed to fix and rerun it
 * (DataflowTemplates' FailsafeElement): the original input, the stage that gave up and why.
 *
 * @param stage the step that failed it ({@code ReadSamples}, {@code Prefilter}, {@code Rewrite}, ...)
 * @param reason a short machine-readable code ({@code malformed_json}, {@code missing_field}, ...)
 * @param detail a human-readable explanation
 * @param id the record's id when known, else ""
 * @param source the file (and line) it came from, else ""
 * @param input the original input: the raw line/record text, or the parsed sample as JSON
 */
public record DeadLetter(String stage, String reason, String detail, String id, String source, String input)
    implements Serializable {
  public DeadLetter {
    Objects.requireNonNull(stage, "stage");
    Objects.requireNonNull(reason, "reason");
    detail = detail == null ? "" : detail;
    id = id == null ? "" : id;
    source = source == null ? "" : source;
    input = input == null ? "" : input;
  }
}
