package org.aspd.stages;

import java.util.ArrayList;
import java.util.List;
import org.apache.beam.sdk.values.TupleTag;
import org.aspd.format.AnnotationCodec;
import org.aspd.format.AnnotationException;
import org.aspd.format.Response;
import org.aspd.format.TagEscaper;
import org.aspd.teacher.TeacherException;
import org.aspd.teacher.TeacherFactory;

/**
 * Stage 1: asks the teacher for N rewrites in the annotation format, parses each with the tag
 * scanner, proves exact integrity by aligning it to the source (the deterministic gate that runs
 * before any judge), and applies the structure gate. Rejected candidates are kept with a reason.
 */
public class RewriteFn extends StageFn {
  public static final TupleTag<SampleState> OUT = new TupleTag<>() {};

  public RewriteFn(TeacherFactory teacher, StageConfig config) {
    super("Rewrite", teacher, config);
  }

  @Override
  TupleTag<SampleState> mainTag() {
    return OUT;
  }

  @Override
  SampleState apply(SampleState in) throws TeacherException {
    String answer = in.sample().answer();
    List<String> rewrites = teacher.rewrite(in.sample(), TagEscaper.escape(answer), config.candidates());
    List<CandidateState> candidates = new ArrayList<>();
    int limit = Math.min(rewrites.size(), config.candidates());
    for (int i = 0; i < limit; i++) {
      String annotated = rewrites.get(i);
      if (annotated == null || annotated.isBlank()) {
        candidates.add(CandidateState.rejected(i, Response.serial(answer), "not_parallel"));
        continue;
      }
      try {
        Response parsed = AnnotationCodec.parse(annotated, answer);
        Response gated = StructureGate.apply(parsed, config, tokenizer);
        candidates.add(gated.isParallel()
            ? CandidateState.parsed(i, gated)
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
