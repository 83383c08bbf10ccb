package org.aspd.pipeline.report;

import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.aspd.metrics.DatasetStats;

/** The dataset card {@code README.md}: what the shards hold, how they were made, the statistics. */
final class DatasetCard {
  private DatasetCard() {}

  @SuppressWarnings("unchecked")
  static String render(DatasetStats stats, Map<String, Object> run) {
    Map<String, Object> s = stats.toMap();
    StringBuilder md = new StringBuilder();
    md.append("# ASPD training shards\n\n");
    md.append("Rows in the six-token Adaptive Serial-Parallel Decoding format (arXiv 2508.08895), one per input ")
        .append("sample, written by aspd. Schema: `schemas/shard_row.avsc` of aspd; files: `data/*.parquet`; ")
        .append("failed inputs with their reason: `dead_letters/`; all numbers: `stats.json`.\n\n");
    md.append("## How it was made\n\n| setting | value |\n|---|---|\n");
    run.forEach((k, v) -> md.append("| ").append(k).append(" | ").append(cell(v)).append(" |\n"));
    md.append("\n## Statistics\n\nMeans are over parallel samples; PPD is over all emitted rows; DP is the ")
        .append("text-level DP_s of the method (C / (S + C + T)).\n\n");
    md.append("| metric | value |\n|---|---|\n");
    row(md, "rows (samples_total)", s.get("samples_total"));
    row(md, "parallel rows", s.get("samples_parallel"));
    row(md, "dead letters", s.get("dead_letters"));
    row(md, "PPD", pct(stats.ppd()));
    row(md, "PPD over samples eligible for rewriting", pct((Double) s.get("ppd_eligible")));
    row(md, "DP", fmt(stats.dp()));
    row(md, "ABN (branches per group)", fmt(stats.abn()));
    row(md, "APE", fmt(stats.ape()));
    row(md, "theoretical speed-up (mean over parallel rows)", fmt(stats.theoreticalSpeedupMean()));
    row(md, "theoretical speed-up, packed", fmt((Double) s.get("theoretical_speedup_packed_mean")));
    row(md, "groups / branches", s.get("groups") + " / " + s.get("branches"));
    md.append("\n### Funnel\n\n| stage | samples |\n|---|---|\n");
    ((Map<String, Object>) s.get("funnel")).forEach((k, v) -> row(md, k, v));
    md.append("\n### Row status\n\n| status | rows |\n|---|---|\n");
    ((Map<String, Object>) s.get("statuses")).forEach((k, v) -> row(md, "`" + k + "`", v));
    Map<String, Object> failures = (Map<String, Object>) s.get("dead_letter_reasons");
    if (!failures.isEmpty()) {
      md.append("\n### Dead letters\n\n| stage:reason | rows |\n|---|---|\n");
      failures.forEach((k, v) -> row(md, "`" + k + "`", v));
    }
    List<String> skipped = (List<String>) s.get("skipped_files");
    if (!skipped.isEmpty()) {
      long count = (Long) s.get("files_skipped");
      md.append("\n### Files skipped\n\nFiles in the input folders that were not read")
          .append(count > skipped.size() ? " (" + count + "; the first " + skipped.size() + " by path)" : "")
          .append(":\n\n");
      skipped.forEach(f -> md.append("- ").append(cell(f)).append('\n'));
    }
    slices(md, "By source", (Map<String, Object>) s.get("by_source"));
    slices(md, "By model", (Map<String, Object>) s.get("by_model"));
    slices(md, "By category", (Map<String, Object>) s.get("by_category"));
    md.append("\n## Plots\n\n![branches per group](plots/branches_per_group.png)\n\n")
        .append("![DP](plots/dp.png)\n\n![theoretical speed-up](plots/theoretical_speedup.png)\n");
    return md.toString();
  }

  @SuppressWarnings("unchecked")
  private static void slices(StringBuilder md, String title, Map<String, Object> slices) {
    if (slices.isEmpty()) {
      return;
    }
    md.append("\n### ").append(title).append("\n\n| slice | rows | dead letters | PPD | DP | ABN | speed-up |\n")
        .append("|---|---|---|---|---|---|---|\n");
    slices.forEach((name, v) -> {
      Map<String, Object> b = (Map<String, Object>) v;
      md.append("| ").append(cell(name)).append(" | ").append(b.get("samples")).append(" | ")
          .append(b.get("dead_letters")).append(" | ").append(pct((Double) b.get("ppd"))).append(" | ")
          .append(fmt((Double) b.get("dp"))).append(" | ").append(fmt((Double) b.get("abn"))).append(" | ")
          .append(fmt((Double) b.get("theoretical_speedup_mean"))).append(" |\n");
    });
  }

  private static void row(StringBuilder md, String k, Object v) {
    md.append("| ").append(k).append(" | ").append(v).append(" |\n");
  }

  private static String cell(Object v) {
    return String.valueOf(v).replace("|", "\\|").replace("\n", " ");
  }

  private static String fmt(double v) {
    return String.format(Locale.ROOT, "%.3f", v);
  }

  private static String pct(double v) {
    return String.format(Locale.ROOT, "%.1f%%", 100 * v);
  }
}
