package org.aspd.teacher.llm;

import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;
import org.apache.beam.sdk.metrics.Metrics;
import org.aspd.teacher.llm.config.LlmStage;
import org.aspd.teacher.llm.config.ModelSettings;

/**
 * Calls, tokens and estimated cost per stage and model: as Beam counters (namespace {@code llm}, name
 * {@code STAGE/PROVIDER:MODEL/FIELD}, visible in the runner's metrics) and in a JVM-wide ledger that a
 * local run can print. Cache hits are counted apart and cost nothing.
 */
public final class UsageLedger {
  /** One stage and model's running totals. */
  public static final class Line {
    final LongAdder calls = new LongAdder();
    final LongAdder cacheHits = new LongAdder();
    final LongAdder inputTokens = new LongAdder();
    final LongAdder outputTokens = new LongAdder();
    final LongAdder unparsable = new LongAdder();
    private final ModelSettings settings;

    Line(ModelSettings settings) {
      this.settings = settings;
    }

    public long calls() {
      return calls.sum();
    }

    public long cacheHits() {
      return cacheHits.sum();
    }

    public long inputTokens() {
      return inputTokens.sum();
    }

    public long outputTokens() {
      return outputTokens.sum();
    }

    public long unparsable() {
      return unparsable.sum();
    }

    public double costUsd() {
      return settings.costUsd(inputTokens(), outputTokens());
    }
  }

  private static final UsageLedger JVM = new UsageLedger();

  private final Map<String, Line> lines = new ConcurrentHashMap<>();

  public static UsageLedger jvm() {
    return JVM;
  }

  void paidCall(LlmStage stage, ModelSettings s, long in, long out) {
    Line line = line(stage, s);
    line.calls.increment();
    line.inputTokens.add(in);
    line.outputTokens.add(out);
    String name = name(stage, s);
    Metrics.counter("llm", name + "/calls").inc();
    Metrics.counter("llm", name + "/tokens_in").inc(in);
    Metrics.counter("llm", name + "/tokens_out").inc(out);
    Metrics.counter("llm", name + "/cost_micro_usd").inc(Math.round(s.costUsd(in, out) * 1e6));
  }

  void cacheHit(LlmStage stage, ModelSettings s) {
    line(stage, s).cacheHits.increment();
    Metrics.counter("llm", name(stage, s) + "/cache_hits").inc();
  }

  /** A reply still unreadable after the corrective re-ask (an UNPARSABLE verdict or empty rewrite). */
  void unparsable(LlmStage stage, ModelSettings s) {
    line(stage, s).unparsable.increment();
    Metrics.counter("llm", name(stage, s) + "/unparsable").inc();
  }

  /** A sorted copy: {@code STAGE/PROVIDER:MODEL} to its totals. */
  public Map<String, Line> snapshot() {
    return new TreeMap<>(lines);
  }

  public double totalCostUsd() {
    return lines.values().stream().mapToDouble(Line::costUsd).sum();
  }

  private Line line(LlmStage stage, ModelSettings s) {
    return lines.computeIfAbsent(name(stage, s), k -> new Line(s));
  }

  private static String name(LlmStage stage, ModelSettings s) {
    return stage.id() + "/" + s.label();
  }
}
