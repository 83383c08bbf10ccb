package org.aspd.pipeline.read;

import org.aspd.model.DeadLetter;
import org.aspd.model.Sample;

/**
 * Where the plain-Java readers put what they read. The Beam DoFn implements it with tagged outputs
 * and counters; tests and the CLI's counting implement it with lists or counts.
 */
interface RecordSink {
  void sample(Sample sample);

  void failure(DeadLetter failure);
}
