package org.aspd.pipeline.write;

import java.util.ArrayList;
import java.util.List;
import org.apache.avro.Schema;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericRecord;
import org.aspd.format.Branch;
import org.aspd.format.Group;
import org.aspd.format.Item;
import org.aspd.format.SerialText;
import org.aspd.metrics.SampleMetrics;
import org.aspd.model.IntegrityEdit;
import org.aspd.model.LlmCall;
import org.aspd.model.Sample;
import org.aspd.model.ShardRow;
import org.aspd.model.Turn;

/** Maps a {@link ShardRow} onto the Avro schema {@code schemas/shard_row.avsc}. */
public final class ShardRowRecords {
  private ShardRowRecords() {}

  public static GenericRecord toRecord(ShardRow row, Schema schema) {
    Sample s = row.sample();
    SampleMetrics m = row.metrics();
    GenericRecord r = new GenericData.Record(schema);
    r.put("id", s.id());
    r.put("source", s.source());
    r.put("model", s.model());
    r.put("category", s.category());
    r.put("system", s.system());
    Schema turnSchema = schema.getField("history").schema().getElementType();
    List<GenericRecord> history = new ArrayList<>();
    for (Turn t : s.history()) {
      GenericRecord turn = new GenericData.Record(turnSchema);
      turn.put("role", t.role());
      turn.put("content", t.content());
      history.add(turn);
    }
    r.put("history", history);
    r.put("prompt", s.question());
    r.put("original", s.answer());
    r.put("aspd_text", row.aspdText());
    r.put("parallel", row.parallel());
    r.put("status", row.status());
    putStructure(r, row, schema);
    r.put("n_groups", m.groups());
    r.put("n_branches", m.branches());
    r.put("original_tokens", m.originalTokens());
    r.put("response_tokens", m.responseTokens());
    r.put("serial_tokens", m.serialTokens());
    r.put("content_tokens", m.contentTokens());
    r.put("title_tokens", m.titleTokens());
    r.put("main_tokens", m.mainTokens());
    r.put("steps_aspd", m.stepsAspd());
    r.put("dp", m.dp());
    r.put("abn", m.abn());
    r.put("ape", m.ape());
    r.put("theoretical_speedup", m.theoreticalSpeedup());
    r.put("theoretical_speedup_packed", m.theoreticalSpeedupPacked());
    r.put("input_ids", ints(row.layout().inputIds()));
    r.put("loss_mask", ints(row.lossMask()));
    r.put("position_ids", ints(row.layout().positionIds()));
    r.put("group_ids", ints(row.layout().groupIds()));
    r.put("branch_ids", ints(row.layout().branchIds()));
    r.put("chosen_candidate", row.chosenCandidate());
    Schema candSchema = schema.getField("candidates").schema().getElementType();
    List<GenericRecord> candidates = new ArrayList<>();
    for (ShardRow.CandidateSummary c : row.candidates()) {
      GenericRecord cr = new GenericData.Record(candSchema);
      cr.put("index", c.index());
      cr.put("fate", c.fate());
      cr.put("dp", c.dp());
      cr.put("groups_proposed", c.groupsProposed());
      cr.put("groups_passed", c.groupsPassed());
      cr.put("independence", c.independence());
      cr.put("format", c.format());
      cr.put("answer", c.answer());
      cr.put("integrity", c.integrity());
      Schema editSchema = candSchema.getField("integrity_edits").schema().getElementType();
      List<GenericRecord> edits = new ArrayList<>();
      for (IntegrityEdit e : c.edits()) {
        GenericRecord er = new GenericData.Record(editSchema);
        er.put("source_offset", e.sourceOffset());
        er.put("source", e.source());
        er.put("rewrite", e.rewrite());
        er.put("token_edits", e.tokenEdits());
        er.put("location", e.location());
        edits.add(er);
      }
      cr.put("integrity_edits", edits);
      candidates.add(cr);
    }
    r.put("candidates", candidates);
    r.put("teacher", row.teacher());
    r.put("teacher_version", row.teacherVersion());
    r.put("tokenizer", row.tokenizer());
    r.put("content_hash", row.contentHash());
    Schema callSchema = schema.getField("llm_calls").schema().getElementType();
    List<GenericRecord> calls = new ArrayList<>();
    for (LlmCall call : row.llmCalls()) {
      GenericRecord cr = new GenericData.Record(callSchema);
      cr.put("stage", call.stage());
      cr.put("candidate", call.candidate());
      cr.put("group", call.group());
      cr.put("index", call.index());
      cr.put("key", call.key());
      calls.add(cr);
    }
    r.put("llm_calls", calls);
    return r;
  }

  /** groups[i].serial_before holds the serial text before group i; serial_after the rest. */
  private static void putStructure(GenericRecord r, ShardRow row, Schema schema) {
    Schema groupSchema = schema.getField("groups").schema().getElementType();
    Schema branchSchema = groupSchema.getField("branches").schema().getElementType();
    List<GenericRecord> groups = new ArrayList<>();
    StringBuilder serial = new StringBuilder();
    for (Item item : row.response().items()) {
      if (item instanceof SerialText t) {
        serial.append(t.text());
      } else if (item instanceof Group g) {
        GenericRecord gr = new GenericData.Record(groupSchema);
        gr.put("serial_before", serial.toString());
        serial.setLength(0);
        List<GenericRecord> branches = new ArrayList<>();
        for (Branch b : g.branches()) {
          GenericRecord br = new GenericData.Record(branchSchema);
          br.put("title", b.title());
          br.put("content", b.content());
          branches.add(br);
        }
        gr.put("branches", branches);
        groups.add(gr);
      }
    }
    r.put("groups", groups);
    r.put("serial_after", serial.toString());
  }

  private static List<Integer> ints(int[] values) {
    List<Integer> out = new ArrayList<>(values.length);
    for (int v : values) {
      out.add(v);
    }
    return out;
  }
}
