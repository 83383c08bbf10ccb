package org.aspd.pipeline.regenerate;

/**
 * Told when a regeneration passes each step of building and publishing a release. The command
 * passes a no-op; the crash tests use it to kill a run at a precise step.
 */
@FunctionalInterface
public interface RegenerationListener {
  /** The steps, in order. A crash after any of them must leave {@code LATEST} on a complete release. */
  enum Phase {
    /** The lock is held and a crashed run's leftovers are cleaned up. */
    LOCKED,
    /** The pipeline was submitted and writes into {@code NAME.partial}. */
    PIPELINE_STARTED,
    /** The pipeline finished; the partial release is not validated yet and has no manifest. */
    PIPELINE_FINISHED,
    /** The partial release is validated and holds its manifest: it is complete, not yet published. */
    MANIFEST_WRITTEN,
    /** The release is in its final folder; {@code LATEST} does not name it yet. */
    RELEASE_RENAMED,
    /** {@code LATEST} names the new release. */
    PUBLISHED
  }

  RegenerationListener NONE = phase -> {};

  void reached(Phase phase);
}
