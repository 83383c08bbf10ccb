package org.aspd.pipeline.report;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.aspd.metrics.DatasetStats;
import org.knowm.xchart.BitmapEncoder;
import org.knowm.xchart.CategoryChart;
import org.knowm.xchart.CategoryChartBuilder;

/** The dataset card's plots as PNG bytes: branches per group, DP, theoretical speed-up. */
final class Plots {
  private Plots() {}

  static byte[] branchesPerGroup(DatasetStats stats) throws IOException {
    long[] h = stats.branchesPerGroupHistogram();
    List<String> x = new ArrayList<>();
    List<Long> y = new ArrayList<>();
    for (int k = 2; k < h.length; k++) {
      x.add(k == h.length - 1 ? k + "+" : Integer.toString(k));
      y.add(h[k]);
    }
    return png(chart("Branches per group", "branches", "groups", x, y));
  }

  static byte[] dp(DatasetStats stats) throws IOException {
    long[] h = stats.dpHistogram();
    List<String> x = new ArrayList<>();
    List<Long> y = new ArrayList<>();
    for (int i = 0; i < h.length; i++) {
      x.add(String.format(Locale.ROOT, "%.2f", (double) i / h.length));
      y.add(h[i]);
    }
    return png(chart("DP (text level) of parallel samples", "DP bin start", "samples", x, y));
  }

  static byte[] theoreticalSpeedup(DatasetStats stats) throws IOException {
    long[] h = stats.tsuHistogram();
    List<String> x = new ArrayList<>();
    List<Long> y = new ArrayList<>();
    for (int i = 0; i < h.length; i++) {
      x.add(String.format(Locale.ROOT, "%.1f", i * DatasetStats.TSU_BIN));
      y.add(h[i]);
    }
    return png(chart("Theoretical speed-up of parallel samples", "speed-up bin start", "samples", x, y));
  }

  private static CategoryChart chart(String title, String xLabel, String yLabel, List<String> x, List<Long> y) {
    CategoryChart chart = new CategoryChartBuilder().width(800).height(450).title(title)
        .xAxisTitle(xLabel).yAxisTitle(yLabel).build();
    chart.getStyler().setLegendVisible(false);
    chart.getStyler().setXAxisLabelRotation(45);
    chart.addSeries(yLabel, x, y);
    return chart;
  }

  private static byte[] png(CategoryChart chart) throws IOException {
    return BitmapEncoder.getBitmapBytes(chart, BitmapEncoder.BitmapFormat.PNG);
  }
}
