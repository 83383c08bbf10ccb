package org.aspd.pipeline;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import org.apache.beam.sdk.metrics.Counter;
import org.apache.beam.sdk.metrics.Metrics;
import org.apache.beam.sdk.transforms.DoFn;
import org.apache.beam.sdk.transforms.GroupByKey;
import org.apache.beam.sdk.transforms.PTransform;
import org.apache.beam.sdk.transforms.ParDo;
import org.apache.beam.sdk.transforms.WithKeys;
import org.apache.beam.sdk.values.KV;
import org.apache.beam.sdk.values.PCollection;
import org.apache.beam.sdk.values.PCollectionTuple;
import org.apache.beam.sdk.values.TupleTag;
import org.apache.beam.sdk.values.TupleTagList;
import org.apache.beam.sdk.values.TypeDescriptors;
import org.aspd.model.DeadLetter;
import org.aspd.model.Sample;
import org.aspd.stages.DeadLetters;
import org.aspd.stages.SelectCandidateFn;

/**
 * Ids must be unique in a dataset: a row is addressed by its id in releases and exports. Of the
 * samples sharing an id, the one from the smallest (source, content hash) is kept, so the choice
 * does not depend on the runner; the others become dead letters naming the kept one.
 */
public class DeduplicateIds extends PTransform<PCollection<Sample>, PCollectionTuple> {
  public static final TupleTag<Sample> UNIQUE = new TupleTag<>() {};
  public static final TupleTag<DeadLetter> FAILURES = new TupleTag<>() {};

  @Override
  public PCollectionTuple expand(PCollection<Sample> samples) {
    return samples
        .apply("KeyById", WithKeys.of((Sample s) -> s.id()).withKeyType(TypeDescriptors.strings()))
        .apply("GroupById", GroupByKey.create())
        .apply("KeepFirst", ParDo.of(new KeepFirstFn()).withOutputTags(UNIQUE, TupleTagList.of(FAILURES)));
  }

  static class KeepFirstFn extends DoFn<KV<String, Iterable<Sample>>, Sample> {
    private final Counter duplicates = Metrics.counter("DeduplicateIds", "duplicates");

    @ProcessElement
    public void process(@Element KV<String, Iterable<Sample>> group, MultiOutputReceiver out) {
      List<Sample> same = new ArrayList<>();
      group.getValue().forEach(same::add);
      if (same.size() == 1) {
        out.get(UNIQUE).output(same.get(0));
        return;
      }
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
