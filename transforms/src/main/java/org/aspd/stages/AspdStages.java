package org.aspd.stages;

import org.apache.beam.sdk.transforms.Flatten;
import org.apache.beam.sdk.transforms.PTransform;
import org.apache.beam.sdk.transforms.ParDo;
import org.apache.beam.sdk.values.PCollection;
import org.apache.beam.sdk.values.PCollectionList;
import org.apache.beam.sdk.values.PCollectionTuple;
import org.apache.beam.sdk.values.TupleTag;
import org.apache.beam.sdk.values.TupleTagList;
import org.aspd.model.DeadLetter;
import org.aspd.model.Sample;
import org.aspd.model.ShardRow;
import org.aspd.teacher.TeacherFactory;

/**
 * The four ASPD stages as one composite: Prefilter → Rewrite → VerifyIndependence →
 * CheckIntegrity → SelectCandidate. Output {@link #ROWS} holds one row per sample that is not on
 * {@link #FAILURES}; every stage's failures are flattened into {@link #FAILURES}.
 */
public class AspdStages extends PTransform<PCollection<Sample>, PCollectionTuple> {
  public static final TupleTag<ShardRow> ROWS = SelectCandidateFn.OUT;
  public static final TupleTag<DeadLetter> FAILURES = StageFn.FAILURES;

  private final TeacherFactory teacher;
  private final String teacherVersion;
  private final StageConfig config;

  public AspdStages(TeacherFactory teacher, String teacherVersion, StageConfig config) {
    this.teacher = teacher;
    this.teacherVersion = teacherVersion;
    this.config = config;
  }

  @Override
  public PCollectionTuple expand(PCollection<Sample> samples) {
    PCollectionTuple pre = samples.apply("Prefilter",
        ParDo.of(new PrefilterFn(config)).withOutputTags(PrefilterFn.OUT, TupleTagList.of(FAILURES)));
    PCollectionTuple rewritten = pre.get(PrefilterFn.OUT).apply("Rewrite", stage("Rewrite", new Rewrite()));
    PCollectionTuple verified = rewritten.get(StageFn.OUT)
        .apply("VerifyIndependence", stage("VerifyIndependence", new VerifyIndependence()));
    PCollectionTuple checked = verified.get(StageFn.OUT)
        .apply("CheckIntegrity", stage("CheckIntegrity", new CheckIntegrity()));
    PCollectionTuple selected = checked.get(StageFn.OUT).apply("SelectCandidate",
        ParDo.of(new SelectCandidateFn(config, teacher.name(), teacherVersion))
            .withOutputTags(ROWS, TupleTagList.of(FAILURES)));
    PCollection<DeadLetter> failures = PCollectionList.of(pre.get(FAILURES))
        .and(rewritten.get(FAILURES))
        .and(verified.get(FAILURES))
        .and(checked.get(FAILURES))
        .and(selected.get(FAILURES))
        .apply("FlattenStageFailures", Flatten.pCollections());
    return PCollectionTuple.of(ROWS, selected.get(ROWS)).and(FAILURES, failures);
  }

  private ParDo.MultiOutput<SampleState, SampleState> stage(String name, StageFn.Logic logic) {
    return ParDo.of(new StageFn(name, logic, teacher, config)).withOutputTags(StageFn.OUT, TupleTagList.of(FAILURES));
  }
}
