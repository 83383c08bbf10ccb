package org.aspd.stages;

import java.io.Closeable;
import java.io.PrintWriter;
import java.io.StringWriter;
import org.apache.beam.sdk.metrics.Counter;
import org.apache.beam.sdk.metrics.Metrics;
import org.apache.beam.sdk.metrics.MetricsContainer;
import org.apache.beam.sdk.metrics.MetricsEnvironment;
import org.apache.beam.sdk.transforms.DoFn;
import org.apache.beam.sdk.transforms.windowing.BoundedWindow;
import org.apache.beam.sdk.transforms.windowing.GlobalWindow;
import org.apache.beam.sdk.values.TupleTag;
import org.aspd.model.DeadLetter;
import org.aspd.teacher.CallTrail;
import org.aspd.teacher.Teacher;
import org.aspd.teacher.TeacherException;
import org.aspd.teacher.TeacherFactory;
import org.aspd.tokens.AspdTokenizer;
import org.aspd.tokens.TokenizerCache;

/**
 * Shared shape of the stage DoFns: the teacher and tokenizer are built once per worker in
 * {@code @Setup}; samples already decided by the prefilter pass through untouched; any failure
 * becomes a dead letter on {@link #FAILURES} carrying the sample, the stage and the reason.
 *
 * <p>A teacher that allows concurrency (remote LLMs) gets up to {@link Teacher#maxConcurrency()}
 * samples at once from a bounded pool: finished results are emitted as later elements arrive and
 * the rest at the end of the bundle, so a worker keeps many calls in flight instead of one.
 */
public final class StageFn extends DoFn<SampleState, SampleState> {
  static final TupleTag<SampleState> OUT = new TupleTag<>() {};
  static final TupleTag<DeadLetter> FAILURES = new TupleTag<>() {};

  /** What one stage does to one sample, given the worker's teacher and tokenizer. */
  public interface Logic extends java.io.Serializable {
    SampleState apply(SampleState in, Teacher teacher, AspdTokenizer tokenizer, StageConfig config)
        throws TeacherException;
  }

  private final TeacherFactory teacherFactory;
  private final StageConfig config;
  private final String stage;
  private final Logic logic;
  private final Counter processed;
  private final Counter failed;
  private transient Teacher teacher;
  private transient AspdTokenizer tokenizer;
  private transient InFlight<Outcome> inFlight;

  /** The result of one sample: the next state or a dead letter. */
  private record Outcome(SampleState next, DeadLetter failure) {}

  StageFn(String stage, Logic logic, TeacherFactory teacherFactory, StageConfig config) {
    this.stage = stage;
    this.logic = logic;
    this.teacherFactory = teacherFactory;
    this.config = config;
    this.processed = Metrics.counter(stage, "processed");
    this.failed = Metrics.counter(stage, "failed");
  }

  @Setup
  public void setup() {
    teacher = teacherFactory.create();
    tokenizer = TokenizerCache.get(config.tokenizer());
    if (teacher.maxConcurrency() > 1) {
      inFlight = new InFlight<>(teacher.maxConcurrency(), stage + "-teacher");
    }
  }

  @Teardown
  public void teardown() throws Exception {
    if (inFlight != null) {
      inFlight.close();
    }
    if (teacher != null) {
      teacher.close();
    }
  }

  @ProcessElement
  public void process(@Element SampleState in, MultiOutputReceiver out) throws Exception {
    if (in.decided() != null) {
      out.get(OUT).output(in);
      return;
    }
    if (inFlight == null) {
      emit(compute(in), out);
      return;
    }
    // Beam's metrics container is thread-local: carry this bundle's container to the pool thread so
    // counters bumped there (the stage's and the teacher's) are not lost.
    MetricsContainer container = MetricsEnvironment.getCurrentContainer();
    inFlight.submit(() -> {
      try (Closeable scope = MetricsEnvironment.scopedMetricsContainer(container)) {
        return compute(in);
      }
    }, o -> emit(o, out));
  }

  @FinishBundle
  public void finishBundle(FinishBundleContext context) throws Exception {
    if (inFlight == null) {
      return;
    }
    inFlight.drain(o -> {
      if (o.failure() != null) {
        context.output(FAILURES, o.failure(), BoundedWindow.TIMESTAMP_MIN_VALUE, GlobalWindow.INSTANCE);
      } else {
        context.output(OUT, o.next(), BoundedWindow.TIMESTAMP_MIN_VALUE, GlobalWindow.INSTANCE);
      }
    });
  }

  private Outcome compute(SampleState in) {
    try {
      CallTrail.Collected<SampleState> next = CallTrail.collect(() -> logic.apply(in, teacher, tokenizer, config));
      processed.inc();
      return new Outcome(next.value().withCallsAppended(next.calls()), null);
    } catch (TeacherException e) {
      failed.inc();
      return new Outcome(null, DeadLetters.of(stage, e.reason(), e.getMessage(), in.sample()));
    } catch (RuntimeException e) {
      failed.inc();
      return new Outcome(null, DeadLetters.of(stage, "internal_error", describe(e), in.sample()));
    }
  }

  private void emit(Outcome o, MultiOutputReceiver out) {
    if (o.failure() != null) {
      out.get(FAILURES).output(o.failure());
    } else {
      out.get(OUT).output(o.next());
    }
  }

  private static String describe(RuntimeException e) {
    StringWriter trace = new StringWriter();
    e.printStackTrace(new PrintWriter(trace));
    String text = trace.toString();
    return text.length() > 2000 ? text.substring(0, 2000) : text;
  }
}
