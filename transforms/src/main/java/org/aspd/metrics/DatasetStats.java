package org.aspd.metrics;

import java.io.Serializable;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Dataset-level statistics (method §4) as a mergeable accumulator. Means are over parallel samples
 * (P); PPD is |P| over all emitted samples, short and fallback samples included; PPD over samples
 * eligible for rewriting is reported too. Histograms have fixed bins so memory stays constant
 * however many samples flow through.
 */
public final class DatasetStats implements Serializable {
  public static final int DP_BINS = 20;
  public static final double TSU_BIN = 0.1;
  public static final int TSU_BINS = 40;
  public static final int MAX_BRANCHES_BIN = 16;
  /** Skipped files listed by name; past this many only counted (the first in path order are kept). */
  public static final int SKIPPED_LISTED = 100;

  long samples;
  long parallel;
  long eligible;
  long deadLetters;
  double sumDp;
  double sumAbn;
  double sumApe;
  double sumTsu;
  double sumTsuPacked;
  long originalTokens;
  long responseTokens;
  long groups;
  long branches;
  final long[] branchesPerGroup = new long[MAX_BRANCHES_BIN + 1];
  final long[] dpHistogram = new long[DP_BINS];
  final long[] tsuHistogram = new long[TSU_BINS];
  final Map<String, Long> statuses = new TreeMap<>();
  final Map<String, Long> failures = new TreeMap<>();
  final Map<String, Long> candidateFates = new TreeMap<>();
  long candidatesEdited; // passed the token-alignment gate (method §3 stage 1), edits undone
  long rowsEdited; // parallel rows whose selected candidate was one of them
  long filesSkipped;
  // The first SKIPPED_LISTED skips in path order, a path skipped twice (an input given twice) twice.
  final TreeMap<String, Long> skippedListed = new TreeMap<>();
  long skippedListedTotal;
  final Map<String, Breakdown> bySource = new TreeMap<>();
  final Map<String, Breakdown> byModel = new TreeMap<>();
  final Map<String, Breakdown> byCategory = new TreeMap<>();

  /** Per-slice counts and parallel-sample sums. */
  public static final class Breakdown implements Serializable {
    long samples;
    long parallel;
    long deadLetters;
    double sumDp;
    double sumAbn;
    double sumTsu;

    void merge(Breakdown o) {
      samples += o.samples;
      parallel += o.parallel;
      deadLetters += o.deadLetters;
      sumDp += o.sumDp;
      sumAbn += o.sumAbn;
      sumTsu += o.sumTsu;
    }

    Map<String, Object> toMap() {
      Map<String, Object> m = new LinkedHashMap<>();
      m.put("samples", samples);
      m.put("parallel", parallel);
      m.put("dead_letters", deadLetters);
      m.put("ppd", ratio(parallel, samples));
      m.put("dp", ratio(sumDp, parallel));
      m.put("abn", ratio(sumAbn, parallel));
      m.put("theoretical_speedup_mean", ratio(sumTsu, parallel));
      return m;
    }
  }

  public void add(StatsEvent e) {
    if (!e.skippedFile().isEmpty()) {
      filesSkipped++;
      listSkipped(e.skippedFile(), 1);
      return;
    }
    if (e.deadLetter()) {
      deadLetters++;
      failures.merge(e.failure(), 1L, Long::sum);
      slice(bySource, e.sourceFile()).deadLetters++;
      return;
    }
    samples++;
    statuses.merge(e.status(), 1L, Long::sum);
    boolean rewritten = !e.status().equals("serial_short") && !e.status().equals("serial_fallback:over_limit");
    if (rewritten) {
      eligible++;
    }
    for (String fate : e.candidateFates()) {
      candidateFates.merge(fate, 1L, Long::sum);
    }
    for (int c = 0; c < e.candidateIntegrity().size(); c++) {
      if (!e.candidateIntegrity().get(c).equals("edited")) continue;
      candidatesEdited++;
      if (e.candidateFates().get(c).equals("selected")) rowsEdited++;
    }
    SampleMetrics m = e.metrics();
    originalTokens += m.originalTokens();
    responseTokens += m.responseTokens();
    Breakdown[] slices = {slice(bySource, e.sourceFile()), slice(byModel, e.model()), slice(byCategory, e.category())};
    for (Breakdown b : slices) {
      b.samples++;
    }
    if (!e.status().equals("parallel")) {
      return;
    }
    parallel++;
    sumDp += m.dp();
    sumAbn += m.abn();
    sumApe += m.ape();
    sumTsu += m.theoreticalSpeedup();
    sumTsuPacked += m.theoreticalSpeedupPacked();
    groups += m.groups();
    branches += m.branches();
    for (int k : e.branchesPerGroup()) {
      branchesPerGroup[Math.min(k, MAX_BRANCHES_BIN)]++;
    }
    dpHistogram[Math.min(DP_BINS - 1, (int) (m.dp() * DP_BINS))]++;
    tsuHistogram[Math.min(TSU_BINS - 1, (int) (m.theoreticalSpeedup() / TSU_BIN))]++;
    for (Breakdown b : slices) {
      b.parallel++;
      b.sumDp += m.dp();
      b.sumAbn += m.abn();
      b.sumTsu += m.theoreticalSpeedup();
    }
  }

  public DatasetStats merge(DatasetStats o) {
    samples += o.samples;
    parallel += o.parallel;
    eligible += o.eligible;
    deadLetters += o.deadLetters;
    sumDp += o.sumDp;
    sumAbn += o.sumAbn;
    sumApe += o.sumApe;
    sumTsu += o.sumTsu;
    sumTsuPacked += o.sumTsuPacked;
    originalTokens += o.originalTokens;
    responseTokens += o.responseTokens;
    groups += o.groups;
    branches += o.branches;
    for (int i = 0; i < branchesPerGroup.length; i++) {
      branchesPerGroup[i] += o.branchesPerGroup[i];
    }
    for (int i = 0; i < DP_BINS; i++) {
      dpHistogram[i] += o.dpHistogram[i];
    }
    for (int i = 0; i < TSU_BINS; i++) {
      tsuHistogram[i] += o.tsuHistogram[i];
    }
    o.statuses.forEach((k, v) -> statuses.merge(k, v, Long::sum));
    o.failures.forEach((k, v) -> failures.merge(k, v, Long::sum));
    o.candidateFates.forEach((k, v) -> candidateFates.merge(k, v, Long::sum));
    candidatesEdited += o.candidatesEdited;
    rowsEdited += o.rowsEdited;
    filesSkipped += o.filesSkipped;
    o.skippedListed.forEach(this::listSkipped);
    mergeSlices(bySource, o.bySource);
    mergeSlices(byModel, o.byModel);
    mergeSlices(byCategory, o.byCategory);
    return this;
  }

  public long samples() {
    return samples;
  }

  public long parallel() {
    return parallel;
  }

  public long deadLetters() {
    return deadLetters;
  }

  public double ppd() {
    return ratio(parallel, samples);
  }

  public double dp() {
    return ratio(sumDp, parallel);
  }

  public double abn() {
    return ratio(sumAbn, parallel);
  }

  public double ape() {
    return ratio(sumApe, parallel);
  }

  public double theoreticalSpeedupMean() {
    return ratio(sumTsu, parallel);
  }

  public long[] branchesPerGroupHistogram() {
    return branchesPerGroup.clone();
  }

  public long[] dpHistogram() {
    return dpHistogram.clone();
  }

  public long[] tsuHistogram() {
    return tsuHistogram.clone();
  }

  /**
   * The stats.json document. The per-stage funnel counts samples that reach each stage and leave
   * it parallel-capable; {@code dead_letters} break down by stage and reason.
   */
  public Map<String, Object> toMap() {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("samples_total", samples);
    m.put("samples_parallel", parallel);
    m.put("dead_letters", deadLetters);
    m.put("rows_in", samples + deadLetters);
    m.put("ppd", ppd());
    m.put("ppd_eligible", ratio(parallel, eligible));
    m.put("dp", dp());
    m.put("abn", abn());
    m.put("ape", ape());
    m.put("theoretical_speedup_mean", theoreticalSpeedupMean());
    m.put("theoretical_speedup_packed_mean", ratio(sumTsuPacked, parallel));
    m.put("groups", groups);
    m.put("branches", branches);
    m.put("original_tokens", originalTokens);
    m.put("response_tokens", responseTokens);
    m.put("funnel", Funnel.of(statuses, failures));
    m.put("statuses", statuses);
    m.put("dead_letter_reasons", failures);
    m.put("candidate_fates", candidateFates);
    m.put("candidates_integrity_edited", candidatesEdited);
    m.put("rows_integrity_edited", rowsEdited);
    m.put("files_skipped", filesSkipped);
    List<String> listed = new ArrayList<>();
    skippedListed.forEach((note, times) -> listed.addAll(Collections.nCopies(times.intValue(), note)));
    m.put("skipped_files", listed);
    Map<String, Long> bpg = new LinkedHashMap<>();
    for (int k = 2; k <= MAX_BRANCHES_BIN; k++) {
      if (branchesPerGroup[k] > 0) {
        bpg.put(k == MAX_BRANCHES_BIN ? k + "+" : Integer.toString(k), branchesPerGroup[k]);
      }
    }
    m.put("branches_per_group", bpg);
    m.put("dp_histogram", dpHistogram.clone());
    m.put("theoretical_speedup_histogram", tsuHistogram.clone());
    m.put("by_source", slices(bySource));
    m.put("by_model", slices(byModel));
    m.put("by_category", slices(byCategory));
    return m;
  }

  /** Keeps the first {@value #SKIPPED_LISTED} in path order, so any merge order lists the same ones. */
  private void listSkipped(String note, long times) {
    skippedListed.merge(note, times, Long::sum);
    skippedListedTotal += times;
    while (skippedListedTotal > SKIPPED_LISTED) {
      Map.Entry<String, Long> last = skippedListed.lastEntry();
      long drop = Math.min(last.getValue(), skippedListedTotal - SKIPPED_LISTED);
      if (drop == last.getValue()) {
        skippedListed.remove(last.getKey());
      } else {
        skippedListed.put(last.getKey(), last.getValue() - drop);
      }
      skippedListedTotal -= drop;
    }
  }

  private static Map<String, Object> slices(Map<String, Breakdown> slices) {
    Map<String, Object> out = new LinkedHashMap<>();
    slices.forEach((k, v) -> out.put(k.isEmpty() ? "(unknown)" : k, v.toMap()));
    return out;
  }

  private static Breakdown slice(Map<String, Breakdown> slices, String key) {
    return slices.computeIfAbsent(key == null ? "" : key, k -> new Breakdown());
  }

  private static void mergeSlices(Map<String, Breakdown> into, Map<String, Breakdown> from) {
    from.forEach((k, v) -> slice(into, k).merge(v));
  }

  static double ratio(double a, double b) {
    return b == 0 ? 0 : a / b;
  }
}
