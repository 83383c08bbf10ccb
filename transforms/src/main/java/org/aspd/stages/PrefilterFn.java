package org.aspd.stages;

import java.util.List;
import org.apache.beam.sdk.metrics.Counter;
import org.apache.beam.sdk.metrics.Metrics;
import org.apache.beam.sdk.transforms.DoFn;
import org.apache.beam.sdk.values.TupleTag;
import org.aspd.model.DeadLetter;
import org.aspd.model.Sample;
import org.aspd.model.Turn;
import org.aspd.tokens.AspdTokenizer;
import org.aspd.tokens.TokenizerCache;

/**
 * Method §3 pre-filter: counts tokens once, keeps short answers serial without teacher calls, and
 * drops (dead letter) or keeps serial the samples over the token limit. An answer that encodes to
 * one of the tokenizer's control ids even as ordinary text is a dead letter (method §1).
 */
public class PrefilterFn extends DoFn<Sample, SampleState> {
  public static final TupleTag<SampleState> OUT = new TupleTag<>() {};

  private final StageConfig config;
  private final Counter toRewrite = Metrics.counter("Prefilter", "to_rewrite");
  private final Counter shortAnswers = Metrics.counter("Prefilter", "serial_short");
  private final Counter overLimit = Metrics.counter("Prefilter", "over_limit");
  private final Counter reservedText = Metrics.counter("Prefilter", "reserved_text");
  private transient AspdTokenizer tokenizer;

  public PrefilterFn(StageConfig config) {
    this.config = config;
  }

  @Setup
  public void setup() {
    tokenizer = TokenizerCache.get(config.tokenizer());
  }

  @ProcessElement
  public void process(@Element Sample sample, MultiOutputReceiver out) {
    int reserved = tokenizer.reservedIdIn(sample.answer());
    if (reserved >= 0) {
      reservedText.inc();
      out.get(StageFn.FAILURES).output(DeadLetters.of("Prefilter", "reserved_text", "the answer encodes to control id "
          + reserved + " of " + tokenizer.name() + " even as ordinary text (its vocabulary holds that string)", sample));
      return;
    }
    int answerTokens = tokenizer.countText(sample.answer());
    int promptTokens = tokenizer.countText(sample.system()) + tokenizer.countText(sample.question());
    for (Turn t : sample.history()) {
      promptTokens += tokenizer.countText(t.content());
    }
    if (promptTokens + answerTokens > config.maxTokens()) {
      overLimit.inc();
      String detail = "prompt + answer = " + (promptTokens + answerTokens) + " tokens > " + config.maxTokens();
      if (config.overLimit() == StageConfig.OverLimit.DROP) {
        DeadLetter dl = DeadLetters.of("Prefilter", "over_token_limit", detail, sample);
        out.get(StageFn.FAILURES).output(dl);
      } else {
        out.get(OUT).output(new SampleState(sample, promptTokens, answerTokens, "serial_fallback:over_limit"));
      }
      return;
    }
    if (answerTokens < config.minParallelTokens()) {
      shortAnswers.inc();
      out.get(OUT).output(new SampleState(sample, promptTokens, answerTokens, "serial_short"));
      return;
    }
    toRewrite.inc();
    out.get(OUT).output(new SampleState(sample, promptTokens, answerTokens, null));
  }
}
