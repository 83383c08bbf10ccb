package org.aspd.pipeline.bench;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.knowm.xchart.BitmapEncoder;
import org.knowm.xchart.CategoryChart;
import org.knowm.xchart.CategoryChartBuilder;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYChartBuilder;
import org.knowm.xchart.XYSeries;
import org.knowm.xchart.style.markers.SeriesMarkers;

/**
 * Where {@code aspd bench} puts its results: {@code DIR/bench/bench.json}, two plots
 * ({@code speedup.png}: realized vs theoretical speed-up per row; {@code step_time.png}: mean
 * forward time by active-branch count) and, when {@code DIR/README.md} is a job's dataset card, a
 * "Decoding benchmark" section in it between markers, replaced on every run.
 */
final class BenchReport {
  static final String CARD_BEGIN = "<!-- aspd bench: begin -->";
  static final String CARD_END = "<!-- aspd bench: end -->";

  private BenchReport() {}

  /**
   * The report with every NaN or infinite number as null: what was not measured (P-TPS of a set
   * without parallel rows). Jackson wrote them as the strings "NaN", which JSON readers take as text.
   */
  static Object measuredOnly(Object value) {
    if (value instanceof Map<?, ?> map) {
      Map<Object, Object> out = new java.util.LinkedHashMap<>();
      map.forEach((k, v) -> out.put(k, measuredOnly(v)));
      return out;
    }
    if (value instanceof java.util.List<?> list) {
      return list.stream().map(BenchReport::measuredOnly).collect(java.util.stream.Collectors.toList());
    }
    if (value instanceof Double d && !Double.isFinite(d) || value instanceof Float f && !Float.isFinite(f)) {
      return null;
    }
    return value;
  }

  /** Writes everything; returns the JSON file. */
  static Path write(Path dir, Map<String, Object> report) throws IOException {
    Path benchDir = dir.resolve("bench");
    Files.createDirectories(benchDir);
    Path json = benchDir.resolve("bench.json");
    new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT).writeValue(json.toFile(), measuredOnly(report));
    Files.write(benchDir.resolve("speedup.png"), speedupPlot(report));
    Files.write(benchDir.resolve("step_time.png"), stepTimePlot(report));
    Path card = dir.resolve("README.md");
    if (Files.isRegularFile(card)) {
      Files.writeString(card, withSection(Files.readString(card, StandardCharsets.UTF_8), cardSection(report)),
          StandardCharsets.UTF_8);
    }
    return json;
  }

  /** The card text with the bench section replaced (or appended when absent). */
  static String withSection(String card, String section) {
    int begin = card.indexOf(CARD_BEGIN);
    int end = card.indexOf(CARD_END);
    String block = CARD_BEGIN + "\n" + section + CARD_END + "\n";
    if (begin >= 0 && end > begin) return card.substring(0, begin) + block + card.substring(end + CARD_END.length()).stripLeading();
    return card + (card.endsWith("\n") ? "\n" : "\n\n") + block;
  }

  @SuppressWarnings("unchecked")
  static String cardSection(Map<String, Object> report) {
    Map<String, Object> setup = (Map<String, Object>) report.get("setup");
    Map<String, Object> d = (Map<String, Object>) report.get("dataset");
    StringBuilder md = new StringBuilder("## Decoding benchmark (`aspd bench`)\n\n");
    md.append("Shard rows replayed through the hybrid engine (teacher-forced, branches step-parallel) and fed ")
        .append("serially over the same tokens; batch 1. Realized speed-up = serial time / hybrid time.\n\n");
    md.append("| | |\n|---|---|\n");
    md.append("| model | ").append(setup.get("model")).append(" |\n");
    md.append("| device | ").append(setup.get("device")).append(" |\n");
    md.append("| rows (failed) | ").append(d.get("rows")).append(" (").append(d.get("rows_failed")).append(") |\n");
    md.append("| realized speed-up, mean per row | ").append(fmt(d.get("mean_realized_speedup"))).append(" |\n");
    md.append("| theoretical speed-up (packed tokens / Steps_ASPD), mean | ")
        .append(fmt(d.get("mean_theoretical_speedup_packed"))).append(" |\n");
    md.append("| theoretical speed-up vs the original answer, mean | ").append(fmt(d.get("mean_theoretical_speedup")))
        .append(" |\n");
    md.append("| forward passes hybrid / serial | ").append(d.get("forward_passes_replay")).append(" / ")
        .append(d.get("forward_passes_serial")).append(" |\n");
    md.append("| TPS hybrid / serial, P-TPS | ").append(fmt(d.get("mean_tps_replay"))).append(" / ")
        .append(fmt(d.get("mean_tps_serial"))).append(", ").append(fmt(d.get("p_tps"))).append(" |\n");
    md.append("\n![realized vs theoretical speed-up](bench/speedup.png)\n\n")
        .append("![forward time by active branches](bench/step_time.png)\n\n");
    return md.toString();
  }

  @SuppressWarnings("unchecked")
  static byte[] speedupPlot(Map<String, Object> report) throws IOException {
    List<Double> x = new ArrayList<>();
    List<Double> y = new ArrayList<>();
    for (Map<String, Object> row : (List<Map<String, Object>>) report.getOrDefault("rows", List.of())) {
      double t = ((Number) row.get("theoretical_speedup_packed")).doubleValue();
      double r = ((Number) row.get("realized_speedup")).doubleValue();
      if (Double.isFinite(t) && Double.isFinite(r)) {
        x.add(t);
        y.add(r);
      }
    }
    XYChart chart = new XYChartBuilder().width(800).height(500).title("Realized vs theoretical speed-up per row")
        .xAxisTitle("theoretical (packed tokens / Steps_ASPD)").yAxisTitle("realized (serial time / hybrid time)").build();
    chart.getStyler().setDefaultSeriesRenderStyle(XYSeries.XYSeriesRenderStyle.Scatter);
    if (x.isEmpty()) {
      x.add(1.0);
      y.add(1.0);
    }
    chart.addSeries("rows", x, y);
    double hi = Math.max(x.stream().mapToDouble(Double::doubleValue).max().orElse(1),
        y.stream().mapToDouble(Double::doubleValue).max().orElse(1));
    XYSeries diagonal = chart.addSeries("realized = theoretical", new double[] {1, hi}, new double[] {1, hi});
    diagonal.setXYSeriesRenderStyle(XYSeries.XYSeriesRenderStyle.Line);
    diagonal.setMarker(SeriesMarkers.NONE);
    return BitmapEncoder.getBitmapBytes(chart, BitmapEncoder.BitmapFormat.PNG);
  }

  @SuppressWarnings("unchecked")
  static byte[] stepTimePlot(Map<String, Object> report) throws IOException {
    Object raw = ((Map<String, Object>) report.get("dataset")).get("mean_step_ns_by_active_branches");
    List<String> x = new ArrayList<>();
    List<Double> y = new ArrayList<>();
    if (raw instanceof Object[] values) {
      for (int k = 0; k < values.length; k++) {
        if (values[k] instanceof Number n) {
          x.add(k == 0 ? "serial" : Integer.toString(k));
          y.add(n.doubleValue() / 1e6);
        }
      }
    }
    if (x.isEmpty()) {
      x.add("none");
      y.add(0.0);
    }
    CategoryChart chart = new CategoryChartBuilder().width(800).height(450).title("Mean forward time by active branches")
        .xAxisTitle("active branches").yAxisTitle("ms per forward").build();
    chart.getStyler().setLegendVisible(false);
    chart.addSeries("ms", x, y);
    return BitmapEncoder.getBitmapBytes(chart, BitmapEncoder.BitmapFormat.PNG);
  }

  private static String fmt(Object v) {
    return v instanceof Number n && Double.isFinite(n.doubleValue()) ? String.format(Locale.ROOT, "%.3f", n.doubleValue())
        : v == null || v instanceof Number ? "n/a" : String.valueOf(v);
  }
}
