package org.aspd.pipeline.read;

import org.apache.beam.sdk.metrics.Metrics;
import org.apache.beam.sdk.transforms.DoFn;
import org.apache.beam.sdk.values.TupleTag;
import org.aspd.model.DeadLetter;
import org.aspd.model.Sample;

/**
 * Reads one unit (a file, or a FastChat answer file) into samples and dead letters. Records stream
 * out as they are read; a file is read by one worker from start to end.
 */
class ReadInputFn extends DoFn<InputUnit, Sample> {
  private final TupleTag<Sample> samples;
  private final TupleTag<DeadLetter> failures;

  ReadInputFn(TupleTag<Sample> samples, TupleTag<DeadLetter> failures) {
    this.samples = samples;
    this.failures = failures;
  }

  @ProcessElement
  public void processElement(@Element InputUnit unit, MultiOutputReceiver out) {
    Metrics.counter(ReadSamples.class, "files_read").inc();
    SampleFileReader.read(
        unit,
        new RecordSink() {
          @Override
          public void sample(Sample sample) {
            Metrics.counter(ReadSamples.class, "samples").inc();
            out.get(samples).output(sample);
          }

          @Override
          public void failure(DeadLetter failure) {
            ReadSamples.countFailure(failure);
            out.get(failures).output(failure);
          }
        });
  }
}
