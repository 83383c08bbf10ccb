package org.aspd.pipeline.regenerate;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.channels.Channels;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.avro.Schema;
import org.apache.avro.generic.GenericDatumWriter;
import org.apache.avro.generic.GenericRecord;
import org.apache.beam.sdk.Pipeline;
import org.apache.beam.sdk.coders.SerializableCoder;
import org.apache.beam.sdk.io.FileSystems;
import org.apache.beam.sdk.io.TextIO;
import org.apache.beam.sdk.io.fs.ResolveOptions;
import org.apache.beam.sdk.io.parquet.ParquetIO;
import org.apache.beam.sdk.transforms.Combine;
import org.apache.beam.sdk.transforms.Create;
import org.apache.beam.sdk.transforms.DoFn;
import org.apache.beam.sdk.transforms.Flatten;
import org.apache.beam.sdk.transforms.MapElements;
import org.apache.beam.sdk.transforms.ParDo;
import org.apache.beam.sdk.transforms.SerializableFunction;
import org.apache.beam.sdk.values.PCollection;
import org.apache.beam.sdk.values.PCollectionList;
import org.apache.beam.sdk.values.PCollectionTuple;
import org.apache.beam.sdk.values.PCollectionView;
import org.apache.beam.sdk.values.TupleTag;
import org.apache.beam.sdk.values.TupleTagList;
import org.apache.beam.sdk.values.TypeDescriptor;
import org.apache.beam.sdk.values.TypeDescriptors;
import org.aspd.metrics.DatasetStats;
import org.aspd.metrics.DatasetStatsFn;
import org.aspd.metrics.StatsEvent;
import org.aspd.model.DeadLetter;
import org.aspd.model.Sample;
import org.aspd.model.ShardRow;
import org.aspd.pipeline.AspdOptions;
import org.aspd.pipeline.DeduplicateIds;
import org.aspd.pipeline.read.ReadSamples;
import org.aspd.pipeline.report.WriteReportFn;
import org.aspd.pipeline.write.DeadLetterJson;
import org.aspd.pipeline.write.ShardRowRecords;
import org.aspd.stages.AspdStages;
import org.aspd.stages.StageConfig;
import org.aspd.teacher.TeacherFactory;

/**
 * The aspd job with carry-over: read and de-duplicate samples as {@code aspd run} does; with a
 * previous release of the same configuration fingerprint, split the samples on their {@link RowKey}
 * against the previous rows' keys — unchanged samples are not computed, their previous rows are copied
 * as Avro bytes; changed and new samples run the four stages; previous rows whose key no current
 * sample has (changed or removed inputs) are left behind. Then write shards, dead letters, statistics
 * and the dataset card into the release folder, plus {@code counts.json} for validation.
 *
 * <p>Each unchanged sample meets exactly one previous row: both sides have unique ids and the key
 * contains the id. Validation checks it (unchanged samples = carried rows).
 */
final class RegenerationPipeline {
  static final String COUNTS_FILE = "counts.json";
  private static final TupleTag<Sample> CHANGED = new TupleTag<>("changed") {};
  private static final TupleTag<Sample> UNCHANGED = new TupleTag<>("unchanged") {};

  /**
   * What to build.
   *
   * @param releaseDir the partial release folder written into
   * @param previousDataDir the {@code data/} folder of the release to carry rows from, or null for none
   */
  record Plan(AspdOptions options, List<String> inputs, String releaseDir, String previousDataDir,
      StageConfig config, TeacherFactory teacher, String teacherVersion, int numShards, Schema schema,
      Map<String, Object> runInfo) {}

  private RegenerationPipeline() {}

  static Pipeline build(Plan plan) {
    Pipeline p = Pipeline.create(plan.options());
    String schemaJson = plan.schema().toString();
    List<PCollection<Integer>> tallies = new ArrayList<>();

    PCollectionTuple read = p.apply("ReadSamples", ReadSamples.from(plan.inputs()));
    PCollectionTuple unique = read.get(ReadSamples.SAMPLES).apply("DeduplicateIds", new DeduplicateIds());
    PCollection<Sample> samples = unique.get(DeduplicateIds.UNIQUE);
    tallies.add(tally("TallySamplesRead", read.get(ReadSamples.SAMPLES), CountsFn.Tally.SAMPLES_READ));
    tallies.add(tally("TallyReadFailures", read.get(ReadSamples.FAILURES), CountsFn.Tally.READ_FAILURES));
    tallies.add(tally("TallyDuplicateIds", unique.get(DeduplicateIds.FAILURES), CountsFn.Tally.DUPLICATE_IDS));

    PCollection<Sample> toCompute;
    PCollection<EncodedRow> carried;
    if (plan.previousDataDir() != null) {
      PCollection<EncodedRow> previous = p.apply("ReadPreviousRows",
          ParquetIO.parseGenericRecords(new PreviousRowFn(schemaJson))
              .from(plan.previousDataDir() + "/*.parquet").withCoder(new EncodedRow.Coder()));
      PCollectionView<KeySetFn.KeySet> previousKeys = keySet("Previous", previous
          .apply("PreviousKeys", MapElements.into(TypeDescriptor.of(RowKey.class)).via(EncodedRow::key)));
      PCollectionView<KeySetFn.KeySet> currentKeys = keySet("Current", samples
          .apply("CurrentKeys", MapElements.into(TypeDescriptor.of(RowKey.class)).via((Sample s) -> RowKey.of(s))));
      PCollectionTuple split = samples.apply("SplitUnchanged",
          ParDo.of(new SplitUnchangedFn(previousKeys)).withSideInputs(previousKeys)
              .withOutputTags(CHANGED, TupleTagList.of(UNCHANGED)));
      toCompute = split.get(CHANGED);
      carried = previous.apply("CarryUnchangedRows",
          ParDo.of(new CarryUnchangedFn(currentKeys)).withSideInputs(currentKeys)).setCoder(new EncodedRow.Coder());
      tallies.add(tally("TallyUnchanged", split.get(UNCHANGED), CountsFn.Tally.UNCHANGED_SAMPLES));
      tallies.add(tally("TallyPreviousRows", previous, CountsFn.Tally.PREVIOUS_ROWS));
      tallies.add(tally("TallyCarriedRows", carried, CountsFn.Tally.CARRIED_ROWS));
    } else {
      toCompute = samples;
      carried = p.apply("NoPreviousRows", Create.empty(new EncodedRow.Coder()));
    }

    PCollectionTuple staged = toCompute.apply("AspdStages",
        new AspdStages(plan.teacher(), plan.teacherVersion(), plan.config()));
    PCollection<EncodedRow> computed = staged.get(AspdStages.ROWS)
        .apply("EncodeComputedRows", ParDo.of(new EncodeRowFn(schemaJson))).setCoder(new EncodedRow.Coder());
    tallies.add(tally("TallyComputed", toCompute, CountsFn.Tally.COMPUTED_SAMPLES));
    tallies.add(tally("TallyStageFailures", staged.get(AspdStages.FAILURES), CountsFn.Tally.STAGE_FAILURES));
    tallies.add(tally("TallyComputedRows", computed, CountsFn.Tally.COMPUTED_ROWS));

    PCollection<EncodedRow> rows = PCollectionList.of(computed).and(carried).apply("AllRows", Flatten.pCollections());
    PCollection<DeadLetter> deadLetters = PCollectionList.of(read.get(ReadSamples.FAILURES))
        .and(unique.get(DeduplicateIds.FAILURES))
        .and(staged.get(AspdStages.FAILURES))
        .apply("FlattenDeadLetters", Flatten.pCollections());
    String out = plan.releaseDir();

    rows.apply("WriteShards", new WriteReleaseShards(out + "/data", plan.numShards(), plan.schema()));
    deadLetters
        .apply("DeadLettersToJson", MapElements.into(TypeDescriptors.strings()).via(DeadLetterJson::toJson))
        .apply("WriteDeadLetters", TextIO.write().to(out + "/dead_letters/dead-letters")
            .withSuffix(".jsonl").withNumShards(1));
    PCollection<StatsEvent> rowEvents = rows.apply("RowStats", ParDo.of(new RowStatsFn(plan.schema())));
    PCollection<StatsEvent> failureEvents = deadLetters.apply("DeadLetterStats",
        MapElements.into(TypeDescriptor.of(StatsEvent.class)).via(StatsEvent::of));
    PCollection<StatsEvent> skippedEvents = read.get(ReadSamples.SKIPPED).apply("SkippedFileStats",
        MapElements.into(TypeDescriptor.of(StatsEvent.class)).via(StatsEvent::skippedFile));
    PCollectionList.of(rowEvents).and(failureEvents).and(skippedEvents)
        .apply("FlattenStats", Flatten.pCollections())
        .apply("ComputeStats", Combine.globally(new DatasetStatsFn()))
        .setCoder(SerializableCoder.of(DatasetStats.class))
        .apply("WriteReport", ParDo.of(new WriteReportFn(out, plan.runInfo(), plan.config().tokenizer())));
    PCollectionList.of(tallies)
        .apply("FlattenTallies", Flatten.pCollections())
        .apply("Count", Combine.globally(new CountsFn()))
        .apply("WriteCounts", ParDo.of(new WriteCountsFn(out)));
    return p;
  }

  private static <T> PCollection<Integer> tally(String name, PCollection<T> collection, CountsFn.Tally tally) {
    int ordinal = tally.ordinal();
    return collection.apply(name, MapElements.into(TypeDescriptors.integers()).via((T x) -> ordinal));
  }

  private static PCollectionView<KeySetFn.KeySet> keySet(String side, PCollection<RowKey> keys) {
    return keys.setCoder(new KeySetFn.RowKeyCoder())
        .apply(side + "KeySet", Combine.globally(new KeySetFn()).asSingletonView());
  }

  /** A previous release's row as Avro bytes with its key. */
  static class PreviousRowFn implements SerializableFunction<GenericRecord, EncodedRow> {
    private final String schemaJson;
    private transient GenericDatumWriter<GenericRecord> writer;

    PreviousRowFn(String schemaJson) {
      this.schemaJson = schemaJson;
    }

    @Override
    public EncodedRow apply(GenericRecord row) {
      if (writer == null) {
        writer = new GenericDatumWriter<>(new Schema.Parser().parse(schemaJson));
      }
      return EncodedRow.of(row, RowKey.of(row), writer);
    }
  }

  /** Main output: samples to compute; {@link #UNCHANGED}: samples whose previous row is carried. */
  static class SplitUnchangedFn extends DoFn<Sample, Sample> {
    private final PCollectionView<KeySetFn.KeySet> previousKeys;

    SplitUnchangedFn(PCollectionView<KeySetFn.KeySet> previousKeys) {
      this.previousKeys = previousKeys;
    }

    @ProcessElement
    public void process(@Element Sample s, ProcessContext c) {
      if (c.sideInput(previousKeys).contains(RowKey.of(s))) {
        c.output(UNCHANGED, s);
      } else {
        c.output(s);
      }
    }
  }

  /** Keeps the previous rows whose key a current sample has. */
  static class CarryUnchangedFn extends DoFn<EncodedRow, EncodedRow> {
    private final PCollectionView<KeySetFn.KeySet> currentKeys;

    CarryUnchangedFn(PCollectionView<KeySetFn.KeySet> currentKeys) {
      this.currentKeys = currentKeys;
    }

    @ProcessElement
    public void process(@Element EncodedRow row, ProcessContext c) {
      if (c.sideInput(currentKeys).contains(row.key())) {
        c.output(row);
      }
    }
  }

  static class EncodeRowFn extends DoFn<ShardRow, EncodedRow> {
    private final String schemaJson;
    private transient Schema schema;
    private transient GenericDatumWriter<GenericRecord> writer;

    EncodeRowFn(String schemaJson) {
      this.schemaJson = schemaJson;
    }

    @Setup
    public void setup() {
      schema = new Schema.Parser().parse(schemaJson);
      writer = new GenericDatumWriter<>(schema);
    }

    @ProcessElement
    public void process(@Element ShardRow row, OutputReceiver<EncodedRow> out) {
      out.output(EncodedRow.of(ShardRowRecords.toRecord(row, schema), RowKey.NONE, writer));
    }
  }

  /** Writes {@code counts.json} (tally name to count) into the release folder. */
  static class WriteCountsFn extends DoFn<long[], Void> {
    private final String releaseDir;

    WriteCountsFn(String releaseDir) {
      this.releaseDir = releaseDir;
    }

    @ProcessElement
    public void process(@Element long[] counts) throws IOException {
      Map<String, Long> json = new LinkedHashMap<>();
      for (CountsFn.Tally t : CountsFn.Tally.values()) {
        json.put(t.key(), counts[t.ordinal()]);
      }
      var file = FileSystems.matchNewResource(releaseDir, true)
          .resolve(COUNTS_FILE, ResolveOptions.StandardResolveOptions.RESOLVE_FILE);
      try (OutputStream os = Channels.newOutputStream(FileSystems.create(file, "application/json"))) {
        os.write(new ObjectMapper().writeValueAsBytes(json));
      }
    }
  }
}
