package org.aspd.pipeline.write;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.avro.Schema;
import org.apache.avro.SchemaBuilder;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericRecord;
import org.junit.jupiter.api.Test;

class ShardFooterTest {
  private static final Schema CANDIDATE = SchemaBuilder.record("CandidateVerdicts").fields()
      .requiredString("fate").endRecord();
  private static final Schema ROW = SchemaBuilder.record("ShardRow").fields()
      .requiredString("status")
      .name("candidates").type().array().items(CANDIDATE).noDefault()
      .endRecord();

  @Test
  void theFunnelCountsEachGateOverTheShardsRows() throws Exception {
    ShardFooter footer = new ShardFooter();
    footer.add(row("parallel", "selected", "independence"));
    footer.add(row("serial_short"));
    footer.add(row("serial_fallback:independence", "independence", "format:fail"));
    footer.add(row("serial_fallback:over_limit"));
    footer.add(row("serial_fallback:not_parallel", "not_parallel", "not_parallel"));

    Map<String, String> m = footer.metadata();
    ObjectMapper json = new ObjectMapper();
    Map<?, ?> funnel = json.readValue(m.get(ShardFooter.FUNNEL), Map.class);
    assertEquals(List.of("read", "valid_unique", "eligible_for_rewrite", "rewritten_with_valid_group",
        "independent_group", "integrity_passed", "parallel"), new ArrayList<>(funnel.keySet()), "in pipeline order");
    assertEquals(List.of(5, 5, 3, 2, 1, 1, 1), new ArrayList<>(funnel.values()));
    assertEquals(Map.of("parallel", 1, "serial_short", 1, "serial_fallback:independence", 1,
        "serial_fallback:over_limit", 1, "serial_fallback:not_parallel", 1),
        json.readValue(m.get(ShardFooter.STATUSES), Map.class));
    assertEquals(Map.of("selected", 1, "independence", 2, "format:fail", 1, "not_parallel", 2),
        json.readValue(m.get(ShardFooter.CANDIDATE_FATES), Map.class));
  }

  @Test
  void anEmptyShardSaysSo() throws Exception {
    Map<?, ?> funnel = new ObjectMapper().readValue(new ShardFooter().metadata().get(ShardFooter.FUNNEL), Map.class);
    assertEquals(List.of(0, 0, 0, 0, 0, 0, 0), new ArrayList<>(funnel.values()));
  }

  private static GenericRecord row(String status, String... fates) {
    GenericRecord r = new GenericData.Record(ROW);
    r.put("status", status);
    List<GenericRecord> candidates = new ArrayList<>();
    for (String fate : fates) {
      GenericRecord c = new GenericData.Record(CANDIDATE);
      c.put("fate", fate);
      candidates.add(c);
    }
    r.put("candidates", candidates);
    return r;
  }
}
