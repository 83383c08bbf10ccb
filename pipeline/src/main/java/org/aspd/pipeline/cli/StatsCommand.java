package org.aspd.pipeline.cli;

import java.io.File;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

/** {@code aspd stats DIR}: the headline statistics of a finished run. */
@Command(name = "stats", mixinStandardHelpOptions = true, description = "Print the statistics of an output directory.")
final class StatsCommand implements Callable<Integer> {
  @Parameters(index = "0", paramLabel = "DIR")
  File dir;

  @Override
  public Integer call() {
    if (!new File(dir, "stats.json").isFile()) {
      System.err.println("aspd: " + dir + " has no stats.json; is it an aspd output directory?");
      return 2;
    }
    Summary.print(dir.getPath(), System.out);
    return 0;
  }
}
