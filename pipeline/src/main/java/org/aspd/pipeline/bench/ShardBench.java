package org.aspd.pipeline.bench;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.aspd.decoding.DecodeResult;
import org.aspd.decoding.Engine;
import org.aspd.decoding.NativeFailureException;

/**
 * Runs shard rows through the engine twice, hybrid ({@link Engine#replay}) and plain serial
 * ({@link Engine#serial}) over the same tokens, and collects method §4/§7 measures: realized
 * speed-up (serial time / replay time), TPS, P-TPS, forward passes vs theoretical decode steps,
 * and forward time by active-branch count. The serial run feeds the packed tokens (markup
 * included), so the realized speed-up is to be read beside TSU_packed; the row's TSU (against the
 * original serial answer) is reported too.
 */
final class ShardBench {
  /** One shard row as the bench needs it. */
  record Row(String id, int[] prompt, int[] response, int[] groupIds, int[] branchIds, boolean parallel,
      double theoreticalSpeedup) {}

  /** Steps_ASPD of method §4 from the row's labels: main tokens + the longest branch of each group. */
  static long stepsAspd(int[] groupIds, int[] branchIds) {
    Map<Integer, Map<Integer, Integer>> lengths = new LinkedHashMap<>(); // group -> branch -> tokens
    long main = 0;
    for (int i = 0; i < groupIds.length; i++) {
      if (groupIds[i] < 0) main++;
      else lengths.computeIfAbsent(groupIds[i], g -> new LinkedHashMap<>()).merge(branchIds[i], 1, Integer::sum);
    }
    long longest = 0;
    for (Map<Integer, Integer> g : lengths.values()) longest += g.values().stream().mapToInt(Integer::intValue).max().orElse(0);
    return main + longest;
  }

  private final Engine engine;
  private final List<Map<String, Object>> rows = new ArrayList<>();
  private final List<Map<String, Object>> failed = new ArrayList<>();
  private long[] steps = new long[0];
  private long[] ns = new long[0];
  private double sumSerialTps;
  private double sumReplayTps;
  private long serialNs;
  private long replayNs;
  private long forwardPasses;
  private long stepsAspd;
  private long serialForwardPasses;
  private long branchTokens;
  private long parallelNs;
  private boolean warm;

  ShardBench(Engine engine) {
    this.engine = engine;
  }

  /**
   * Benchmarks one row; a row the engine cannot run, or whose labels disagree with its ids or with
   * the engine's own steps, is recorded with its reason.
   */
  void add(Row row) {
    try {
      checkLabelLengths(row);
      if (!warm) { // first row: untimed warm-up of both paths
        engine.replay(row.prompt(), row.response());
        engine.serial(row.prompt(), row.response());
        warm = true;
      }
      DecodeResult replay = engine.replay(row.prompt(), row.response());
      DecodeResult serial = engine.serial(row.prompt(), row.response());
      long steps = stepsAspd(row.groupIds(), row.branchIds());
      // The replay takes one forward per Steps_ASPD step; a difference means the row's labels do not
      // describe its markup, and its TSU_packed would be wrong.
      if (replay.forwardPasses() != steps) {
        throw new IllegalArgumentException("the replay took " + replay.forwardPasses()
            + " forward passes but the row's group_ids/branch_ids give Steps_ASPD " + steps);
      }
      rows.add(rowReport(row, replay, serial));
      accumulate(replay, serial);
      stepsAspd += steps;
    } catch (IllegalArgumentException | NativeFailureException e) {
      fail(row.id(), e.getMessage());
    }
  }

  /** Records a row that could not be benchmarked, such as one that could not be tokenized. */
  void fail(String id, String reason) {
    Map<String, Object> f = new LinkedHashMap<>();
    f.put("id", id);
    f.put("reason", reason);
    failed.add(f);
  }

  private static void checkLabelLengths(Row row) {
    int n = row.response().length;
    if (row.groupIds().length != n || row.branchIds().length != n) {
      throw new IllegalArgumentException("group_ids has " + row.groupIds().length + " entries and branch_ids "
          + row.branchIds().length + ", input_ids " + n);
    }
  }

  int benchedRows() {
    return rows.size();
  }

  int failedRows() {
    return failed.size();
  }

  private static Map<String, Object> rowReport(Row row, DecodeResult replay, DecodeResult serial) {
    Map<String, Object> r = new LinkedHashMap<>();
    r.put("id", row.id());
    r.put("parallel", row.parallel());
    r.put("prompt_tokens", row.prompt().length);
    r.put("response_tokens", row.response().length);
    r.put("groups", replay.groups());
    r.put("branches", replay.branches());
    r.put("theoretical_speedup", row.theoreticalSpeedup());
    long steps = stepsAspd(row.groupIds(), row.branchIds());
    r.put("theoretical_speedup_packed", (double) row.response().length / steps);
    r.put("steps_aspd", steps);
    r.put("forward_passes_replay", replay.forwardPasses());
    r.put("forward_passes_serial", serial.forwardPasses());
    r.put("replay_decode_ns", replay.decodeNs());
    r.put("serial_decode_ns", serial.decodeNs());
    r.put("realized_speedup", ratio(serial.decodeNs(), replay.decodeNs()));
    r.put("tps_replay", replay.tokensPerSecond());
    r.put("tps_serial", serial.tokensPerSecond());
    r.put("p_tps", replay.parallelTokensPerSecond());
    r.put("s_tps", replay.serialTokensPerSecond());
    r.put("prefill_ns", replay.prefillNs());
    r.put("steps_by_active_branches", replay.stepsByActiveBranches());
    r.put("mean_step_ns_by_active_branches", meanByActive(replay.stepsByActiveBranches(), replay.nsByActiveBranches()));
    return r;
  }

  private void accumulate(DecodeResult replay, DecodeResult serial) {
    sumReplayTps += replay.tokensPerSecond();
    sumSerialTps += serial.tokensPerSecond();
    replayNs += replay.decodeNs();
    serialNs += serial.decodeNs();
    forwardPasses += replay.forwardPasses();
    serialForwardPasses += serial.forwardPasses();
    branchTokens += replay.branchTokens();
    parallelNs += replay.parallelNs();
    long[] s = replay.stepsByActiveBranches(), t = replay.nsByActiveBranches();
    if (s.length > steps.length) {
      steps = java.util.Arrays.copyOf(steps, s.length);
      ns = java.util.Arrays.copyOf(ns, s.length);
    }
    for (int k = 0; k < s.length; k++) {
      steps[k] += s[k];
      ns[k] += t[k];
    }
  }

  /** The dataset summary, the rows and the failures, ready for JSON. */
  Map<String, Object> report(Map<String, Object> setup) {
    Map<String, Object> dataset = new LinkedHashMap<>();
    int n = rows.size();
    dataset.put("rows", n);
    dataset.put("rows_failed", failed.size());
    dataset.put("mean_theoretical_speedup", mean("theoretical_speedup"));
    dataset.put("mean_theoretical_speedup_packed", mean("theoretical_speedup_packed"));
    dataset.put("mean_realized_speedup", mean("realized_speedup"));
    dataset.put("speedup_ratio_of_mean_tps", n == 0 ? Double.NaN : sumReplayTps / sumSerialTps);
    dataset.put("speedup_total_time", ratio(serialNs, replayNs));
    dataset.put("mean_tps_replay", n == 0 ? Double.NaN : sumReplayTps / n);
    dataset.put("mean_tps_serial", n == 0 ? Double.NaN : sumSerialTps / n);
    dataset.put("p_tps", parallelNs == 0 ? Double.NaN : branchTokens * 1e9 / parallelNs);
    dataset.put("steps_aspd", stepsAspd);
    dataset.put("forward_passes_replay", forwardPasses);
    dataset.put("forward_passes_serial", serialForwardPasses);
    dataset.put("steps_by_active_branches", steps.clone());
    dataset.put("mean_step_ns_by_active_branches", meanByActive(steps, ns));
    Map<String, Object> out = new LinkedHashMap<>();
    out.put("setup", setup);
    out.put("dataset", dataset);
    out.put("rows", rows);
    out.put("failed", failed);
    return out;
  }

  private double mean(String key) {
    return rows.stream().mapToDouble(r -> ((Number) r.get(key)).doubleValue()).average().orElse(Double.NaN);
  }

  private static double ratio(long a, long b) {
    return b <= 0 ? Double.NaN : (double) a / b;
  }

  /** Mean ns per forward by active-branch count; null where no forward had that count. */
  private static Double[] meanByActive(long[] steps, long[] ns) {
    Double[] out = new Double[steps.length];
    for (int k = 0; k < steps.length; k++) out[k] = steps[k] == 0 ? null : (double) ns[k] / steps[k];
    return out;
  }
}
