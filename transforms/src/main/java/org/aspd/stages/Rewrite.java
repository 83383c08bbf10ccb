package org.aspd.stages;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.aspd.format.AnnotationCodec;
import org.aspd.format.AnnotationException;
import org.aspd.format.Response;
import org.aspd.format.TagEscaper;
import org.aspd.model.IntegrityEdit;
import org.aspd.teacher.TeacherException;
import org.aspd.teacher.Teacher;
import org.aspd.tokens.AspdTokenizer;

/**
 * Stage 1: asks the teacher for N rewrites in the annotation format, parses each with the tag
 * scanner, proves exact integrity by aligning it to the source (the deterministic gate that runs
 * before any judge) or, failing that, passes the token-alignment gate within the edit budget, and
 * applies the structure gate. Rejected candidates are kept with a reason.
 */
public final class Rewrite implements StageFn.Logic {
  /** Exact-integrity failures the token-alignment gate may still pass; markup errors it may not. */
  private static final Set<String> TEXT_MISMATCH = Set.of("text_changed", "text_dropped");

  @Override
  public SampleState apply(SampleState in, Teacher teacher, AspdTokenizer tokenizer, StageConfig config)
      throws TeacherException {
    String answer = in.sample().answer();
    List<String> rewrites = teacher.rewrite(in.sample(), TagEscaper.escape(answer), config.candidates());
    List<CandidateState> candidates = new ArrayList<>();
    int limit = Math.min(rewrites.size(), config.candidates());
    for (int i = 0; i < limit; i++) {
      String annotated = rewrites.get(i);
      if (annotated == null) {
        candidates.add(CandidateState.rejected(i, Response.serial(answer), "rewrite:unparsable"));
        continue;
      }
      if (annotated.isBlank()) {
        candidates.add(CandidateState.rejected(i, Response.serial(answer), "not_parallel"));
        continue;
      }
      try {
        List<IntegrityEdit> edits = List.of();
        Response parsed;
        try {
          parsed = AnnotationCodec.parse(annotated, answer);
        } catch (AnnotationException exact) {
          if (!TEXT_MISMATCH.contains(exact.code())) throw exact;
          int budget = TokenAlignmentGate.budget(config, tokenizer.countText(answer));
          if (budget == 0) throw exact;
          TokenAlignmentGate.Result aligned =
              TokenAlignmentGate.apply(AnnotationCodec.scan(annotated), answer, budget, tokenizer);
          parsed = aligned.response();
          edits = aligned.edits();
        }
        Response gated = StructureGate.apply(parsed, config, tokenizer);
        candidates.add(gated.isParallel()
            ? CandidateState.parsed(i, gated, edits)
            : CandidateState.rejected(i, gated, parsed.isParallel() ? "structure:no_valid_group" : "not_parallel"));
      } catch (AnnotationException e) {
        candidates.add(CandidateState.rejected(i, Response.serial(answer), "annotation:" + e.code()));
      } catch (StructureGate.GateFailure e) {
        candidates.add(CandidateState.rejected(i, Response.serial(answer), e.code()));
      }
    }
    return in.withCandidates(candidates);
  }
}
