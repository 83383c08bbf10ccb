package org.aspd.pipeline;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.Arrays;
import java.util.List;
import org.apache.beam.sdk.metrics.Counter;
import org.apache.beam.sdk.metrics.Metrics;
import org.apache.beam.sdk.transforms.Combine;
import org.apache.beam.sdk.transforms.DoFn;
import org.apache.beam.sdk.transforms.GroupByKey;
import org.apache.beam.sdk.transforms.MapElements;
import org.apache.beam.sdk.transforms.PTransform;
import org.apache.beam.sdk.transforms.ParDo;
import org.apache.beam.sdk.transforms.WithKeys;
import org.apache.beam.sdk.values.KV;
import org.apache.beam.sdk.values.PCollection;
import org.apache.beam.sdk.values.PCollectionList;
import org.apache.beam.sdk.values.PCollectionTuple;
import org.apache.beam.sdk.values.PCollectionView;
import org.apache.beam.sdk.values.TupleTag;
import org.apache.beam.sdk.values.TupleTagList;
import org.apache.beam.sdk.values.TypeDescriptors;
import org.apache.beam.sdk.transforms.Flatten;
import org.aspd.model.DeadLetter;
import org.aspd.model.Sample;
import org.aspd.stages.DeadLetters;
import org.aspd.stages.SelectCandidateFn;

/**
 * Ids must be unique in a dataset: a row is addressed by its id in releases and exports. Of the
 * samples sharing an id, the one from the smallest (source, content hash) is kept, so the choice
 * does not depend on the runner; the others become dead letters naming the kept one.
 *
 * <p>Only the ids that occur more than once are grouped: the hashes of duplicated ids (usually
 * none) are found by one global combine ({@link DuplicateIdHashesFn}) and broadcast as a side
 * input, and unique samples pass through without a shuffle. Grouping every sample by id would turn each sample into its own
 * bundle on runners that bundle per key (the DirectRunner), and make every later global
 * aggregation quadratic.
 */
public class DeduplicateIds extends PTransform<PCollection<Sample>, PCollectionTuple> {
  public static final TupleTag<Sample> UNIQUE = new TupleTag<>() {};
  public static final TupleTag<DeadLetter> FAILURES = new TupleTag<>() {};
  private static final TupleTag<Sample> SHARED_ID = new TupleTag<>() {};

  @Override
  public PCollectionTuple expand(PCollection<Sample> samples) {
    PCollectionView<long[]> duplicated = samples
        .apply("Ids", MapElements.into(TypeDescriptors.strings()).via(Sample::id))
        .apply("DuplicatedIdHashes", Combine.globally(new DuplicateIdHashesFn()).asSingletonView());
    PCollectionTuple split = samples.apply("SplitOnDuplicates",
        ParDo.of(new SplitFn(duplicated)).withSideInputs(duplicated)
            .withOutputTags(UNIQUE, TupleTagList.of(SHARED_ID)));
    PCollectionTuple resolved = split.get(SHARED_ID)
        .apply("KeyById", WithKeys.of((Sample s) -> s.id()).withKeyType(TypeDescriptors.strings()))
        .apply("GroupById", GroupByKey.create())
        .apply("KeepFirst", ParDo.of(new KeepFirstFn()).withOutputTags(UNIQUE, TupleTagList.of(FAILURES)));
    PCollection<Sample> unique = PCollectionList.of(split.get(UNIQUE)).and(resolved.get(UNIQUE))
        .apply("AllUnique", Flatten.pCollections());
    return PCollectionTuple.of(UNIQUE, unique).and(FAILURES, resolved.get(FAILURES));
  }

  static class SplitFn extends DoFn<Sample, Sample> {
    private final PCollectionView<long[]> duplicated;

    SplitFn(PCollectionView<long[]> duplicated) {
      this.duplicated = duplicated;
    }

    @ProcessElement
    public void process(@Element Sample s, ProcessContext c) {
      if (Arrays.binarySearch(c.sideInput(duplicated), DuplicateIdHashesFn.hash(s.id())) >= 0) {
        c.output(SHARED_ID, s);
      } else {
        c.output(s);
      }
    }
  }

  static class KeepFirstFn extends DoFn<KV<String, Iterable<Sample>>, Sample> {
    private final Counter duplicates = Metrics.counter("DeduplicateIds", "duplicates");

    @ProcessElement
    public void process(@Element KV<String, Iterable<Sample>> group, MultiOutputReceiver out) {
      List<Sample> same = new ArrayList<>();
      group.getValue().forEach(same::add);
      same.sort(Comparator.comparing(Sample::source).thenComparing(SelectCandidateFn::contentHash));
      Sample kept = same.get(0);
      out.get(UNIQUE).output(kept);
      for (Sample dup : same.subList(1, same.size())) {
        duplicates.inc();
        out.get(FAILURES).output(DeadLetters.of("DeduplicateIds", "duplicate_id",
            "id '" + dup.id() + "' already used by the sample kept from " + kept.source(), dup));
      }
    }
  }
}
