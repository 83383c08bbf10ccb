package org.aspd.stages;

import java.io.PrintWriter;
import java.io.StringWriter;
import org.apache.beam.sdk.metrics.Counter;
import org.apache.beam.sdk.metrics.Metrics;
import org.apache.beam.sdk.transforms.DoFn;
import org.apache.beam.sdk.values.TupleTag;
import org.aspd.model.DeadLetter;
import org.aspd.teacher.Teacher;
import org.aspd.teacher.TeacherException;
import org.aspd.teacher.TeacherFactory;
import org.aspd.tokens.AspdTokenizer;
import org.aspd.tokens.TokenizerCache;

/**
 * Shared shape of the stage DoFns: the teacher and tokenizer are built once per worker in
 * {@code @Setup}; samples already decided by the prefilter pass through untouched; any failure
 * becomes a dead letter on {@link #FAILURES} carrying the sample, the stage and the reason.
 */
abstract class StageFn extends DoFn<SampleState, SampleState> {
  static final TupleTag<DeadLetter> FAILURES = new TupleTag<>() {};

  protected final TeacherFactory teacherFactory;
  protected final StageConfig config;
  private final String stage;
  private final Counter processed;
  private final Counter failed;
  protected transient Teacher teacher;
  protected transient AspdTokenizer tokenizer;

  StageFn(String stage, TeacherFactory teacherFactory, StageConfig config) {
    this.stage = stage;
    this.teacherFactory = teacherFactory;
    this.config = config;
    this.processed = Metrics.counter(stage, "processed");
    this.failed = Metrics.counter(stage, "failed");
  }

  @Setup
  public void setup() {
    teacher = teacherFactory.create();
    tokenizer = TokenizerCache.get(config.tokenizer());
  }

  @Teardown
  public void teardown() throws Exception {
    if (teacher != null) {
      teacher.close();
    }
  }

  @ProcessElement
  public void process(@Element SampleState in, MultiOutputReceiver out) {
    if (in.decided() != null) {
      out.get(mainTag()).output(in);
      return;
    }
    try {
      out.get(mainTag()).output(apply(in));
      processed.inc();
    } catch (TeacherException e) {
      failed.inc();
      out.get(FAILURES).output(deadLetter(in, "teacher_error", e.getMessage()));
    } catch (RuntimeException e) {
      failed.inc();
      out.get(FAILURES).output(deadLetter(in, "internal_error", describe(e)));
    }
  }

  abstract TupleTag<SampleState> mainTag();

  abstract SampleState apply(SampleState in) throws TeacherException;

  private DeadLetter deadLetter(SampleState in, String reason, String detail) {
    return DeadLetters.of(stage, reason, detail, in.sample());
  }

  private static String describe(RuntimeException e) {
    StringWriter trace = new StringWriter();
    e.printStackTrace(new PrintWriter(trace));
    String text = trace.toString();
    return text.length() > 2000 ? text.substring(0, 2000) : text;
  }
}
