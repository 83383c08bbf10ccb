package org.aspd.pipeline.regenerate;

import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code aspd regenerate --spec dataset.yaml}: builds a new immutable release of the dataset the
 * spec describes, recomputing only the rows whose input or configuration changed, and moves
 * {@code LATEST} to it once it is complete and validated. See {@link DatasetSpec} for the spec and
 * {@link ReleaseStore} for the layout of the releases root.
 *
 * <p>Exit codes: 0 a release was published or nothing changed; 1 the regeneration failed
 * ({@code LATEST} is untouched); 2 the spec is invalid; 75 another regeneration of the same root is
 * running (EX_TEMPFAIL: try again later).
 */
@Command(name = "regenerate", mixinStandardHelpOptions = true,
    description = {"Build a new release of a dataset spec: unchanged rows are carried over, changed and new"
        + " ones computed, removed ones dropped; LATEST moves only once the release is complete and validated.",
        "Exit codes: 0 published or nothing changed, 1 failed (LATEST untouched), 2 invalid spec,"
            + " 75 another regeneration of the same output root is running."})
public class RegenerateCommand implements Callable<Integer> {
  static final int FAILED = 1;
  static final int INVALID_SPEC = 2;
  static final int LOCKED = 75;

  @Option(names = "--spec", required = true, paramLabel = "FILE.yaml", description = "The dataset spec.")
  Path spec;

  @Option(names = "--full", description = "Recompute every row; carry nothing over from the previous release.")
  boolean full;

  /** Told of each step; the crash tests replace it. */
  RegenerationListener listener = RegenerationListener.NONE;

  public RegenerateCommand() {}

  @Override
  public Integer call() {
    DatasetSpec dataset;
    try {
      dataset = DatasetSpec.load(spec);
    } catch (DatasetSpec.SpecException e) {
      System.err.println("aspd: invalid spec: " + e.getMessage());
      return INVALID_SPEC;
    }
    try {
      Regeneration.Outcome outcome = new Regeneration(dataset, listener, System.err).run(full);
      print(dataset, outcome);
      return 0;
    } catch (RegenerationLock.HeldException e) {
      System.err.println("aspd: " + e.getMessage());
      return LOCKED;
    } catch (InputFiles.MissingInputException e) {
      System.err.println("aspd: invalid spec: " + e.getMessage() + "; LATEST is unchanged");
      return INVALID_SPEC;
    } catch (Exception e) {
      System.err.println("aspd: regeneration of " + dataset.output() + " failed, LATEST is unchanged: " + e.getMessage());
      e.printStackTrace(System.err);
      return FAILED;
    }
  }

  private static void print(DatasetSpec dataset, Regeneration.Outcome outcome) {
    Path release = dataset.output().resolve(ReleaseStore.RELEASES).resolve(outcome.release());
    if (outcome.status() == Regeneration.Status.NOTHING_CHANGED) {
      System.out.printf("nothing changed: LATEST stays %s (checked in %.1f s)%n", outcome.release(), outcome.seconds());
      return;
    }
    Map<String, Long> c = outcome.counts();
    System.out.printf("release %s published in %.1f s: %d rows (%d carried over, %d samples computed),"
            + " %d dead letters; ids new %d, changed %d, removed %d%n",
        outcome.release(), outcome.seconds(), c.get("rows"), c.get("carried_rows"), c.get("computed_samples"),
        c.get("dead_letters"), c.get("new_ids"), c.get("changed_ids"), c.get("removed_ids"));
    System.out.println("LATEST -> " + release);
  }
}
