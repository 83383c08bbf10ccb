package org.aspd.pipeline.write;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.apache.avro.generic.GenericRecord;
import org.apache.parquet.hadoop.ParquetFileReader;
import org.apache.parquet.io.InputFile;
import org.aspd.metrics.Funnel;

/**
 * What a shard says about its own rows in its Parquet footer (method §3.5: each shard carries a
 * funnel count per gate), so one file can be audited without the run's {@code stats.json}: the
 * funnel, the row statuses and the candidates' fates, each a JSON object under an {@code aspd.} key.
 * A shard holds rows only: summed over a run's shards, each funnel count is the run's less the
 * dead letters of samples that got that far ({@link Funnel}).
 */
public final class ShardFooter {
  public static final String FUNNEL = "aspd.funnel";
  public static final String STATUSES = "aspd.statuses";
  public static final String CANDIDATE_FATES = "aspd.candidate_fates";
  private static final ObjectMapper JSON = new ObjectMapper();

  private final Map<String, Long> statuses = new TreeMap<>();
  private final Map<String, Long> fates = new TreeMap<>();

  public void add(GenericRecord row) {
    statuses.merge(row.get("status").toString(), 1L, Long::sum);
    for (Object c : (List<?>) row.get("candidates")) {
      fates.merge(((GenericRecord) c).get("fate").toString(), 1L, Long::sum);
    }
  }

  /** The footer entries for the rows added so far. */
  public Map<String, String> metadata() {
    Map<String, String> m = new LinkedHashMap<>();
    m.put(FUNNEL, json(Funnel.of(statuses, Map.of())));
    m.put(STATUSES, json(statuses));
    m.put(CANDIDATE_FATES, json(fates));
    return m;
  }

  /** The {@code aspd.} entries of a shard's footer (empty for a shard written before they existed). */
  public static Map<String, String> read(InputFile shard) throws IOException {
    Map<String, String> found = new LinkedHashMap<>();
    try (ParquetFileReader reader = ParquetFileReader.open(shard)) {
      reader.getFileMetaData().getKeyValueMetaData().forEach((k, v) -> {
        if (k.startsWith("aspd.")) found.put(k, v);
      });
    }
    return found;
  }

  private static String json(Map<String, Long> counts) {
    try {
      return JSON.writeValueAsString(counts);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("a map of counts always serializes", e);
    }
  }
}
