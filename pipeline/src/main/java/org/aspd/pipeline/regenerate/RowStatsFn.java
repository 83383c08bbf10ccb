package org.aspd.pipeline.regenerate;

import java.util.ArrayList;
import java.util.List;
import org.apache.avro.Schema;
import org.apache.avro.generic.GenericRecord;
import org.apache.beam.sdk.transforms.DoFn;
import org.aspd.metrics.SampleMetrics;
import org.aspd.metrics.StatsEvent;

/**
 * The statistics event of a row given as Avro bytes, equal to {@code StatsEvent.of(ShardRow)} of the
 * row it was written from: carried rows have no {@code ShardRow}, and new rows are counted the same
 * way so both kinds agree. The two token sums the schema does not store are recovered from the ones
 * it does: Σ longest branch = steps_aspd − main_tokens, Σ all branches = response_tokens − main_tokens.
 */
class RowStatsFn extends DoFn<EncodedRow, StatsEvent> {
  private final String schemaJson;
  private transient Schema schema;

  RowStatsFn(Schema schema) {
    this.schemaJson = schema.toString();
  }

  @Setup
  public void setup() {
    schema = new Schema.Parser().parse(schemaJson);
  }

  @ProcessElement
  public void process(@Element EncodedRow row, OutputReceiver<StatsEvent> out) {
    out.output(of(row.decode(schema)));
  }

  static StatsEvent of(GenericRecord r) {
    int main = integer(r, "main_tokens");
    SampleMetrics metrics = new SampleMetrics(integer(r, "serial_tokens"), integer(r, "content_tokens"),
        integer(r, "title_tokens"), main, integer(r, "steps_aspd") - main, integer(r, "response_tokens") - main,
        integer(r, "original_tokens"), integer(r, "n_groups"), integer(r, "n_branches"));
    List<Integer> branchesPerGroup = new ArrayList<>();
    for (Object g : (List<?>) r.get("groups")) {
      branchesPerGroup.add(((List<?>) ((GenericRecord) g).get("branches")).size());
    }
    List<String> fates = new ArrayList<>();
    List<String> integrity = new ArrayList<>();
    for (Object c : (List<?>) r.get("candidates")) {
      GenericRecord cr = (GenericRecord) c;
      fates.add(cr.get("fate").toString());
      // Rows carried over from a release written before the field existed read as exact.
      Object i = cr.getSchema().getField("integrity") == null ? null : cr.get("integrity");
      integrity.add(i == null ? "exact" : i.toString());
    }
    String source = org.aspd.metrics.StatsEvent.sourceFile(r.get("source").toString());
    return new StatsEvent(false, r.get("status").toString(), "", source, r.get("model").toString(),
        r.get("category").toString(), metrics, List.copyOf(branchesPerGroup), List.copyOf(fates),
        List.copyOf(integrity), "");
  }

  private static int integer(GenericRecord r, String field) {
    return (Integer) r.get(field);
  }
}
