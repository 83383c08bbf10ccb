package org.aspd.pipeline.read;

import java.util.ArrayList;
import java.util.List;
import org.aspd.model.DeadLetter;
import org.aspd.model.Sample;

/** Collects what a plain-Java reader emits, for tests of one reader without Beam. */
final class ListSink implements RecordSink {
  final List<Sample> samples = new ArrayList<>();
  final List<DeadLetter> failures = new ArrayList<>();

  @Override
  public void sample(Sample sample) {
    samples.add(sample);
  }

  @Override
  public void failure(DeadLetter failure) {
    failures.add(failure);
  }
}
