package org.aspd.pipeline.cli;

import java.util.List;

/** Turns {@code --runner direct|flink|ClassName} into Beam's runner options. */
final class RunnerArgs {
  private RunnerArgs() {}

  /**
   * A remote cluster gets the shaded job jar: without {@code --filesToStage} Beam uploads every jar
   * of the client's classpath (hundreds of MB).
   */
  private static List<String> remoteFlink(List<String> passThrough) {
    java.io.File jobJar = new java.io.File(System.getProperty("aspd.home", "."), "pipeline/target/aspd-job.jar");
    boolean staged = passThrough.stream().anyMatch(a -> a.startsWith("--filesToStage"));
    return staged || !jobJar.isFile() ? List.of("--runner=FlinkRunner")
        : List.of("--runner=FlinkRunner", "--filesToStage=" + jobJar.getAbsolutePath());
  }

  /** The given options, minus those the user set explicitly. */
  private static List<String> withDefaults(List<String> passThrough, String... defaults) {
    return java.util.Arrays.stream(defaults)
        .filter(d -> passThrough.stream().noneMatch(a -> a.startsWith(d.substring(0, d.indexOf('=')) + "=")))
        .toList();
  }

  static List<String> of(String runner, List<String> passThrough) {
    boolean hasMaster = passThrough.stream().anyMatch(a -> a.startsWith("--flinkMaster"));
    return switch (runner) {
      // The DirectRunner's immutability and encodability checks re-encode every element at every
      // step; they are for testing transforms (our tests keep them on), not for production runs.
      case "direct", "DirectRunner" -> withDefaults(passThrough, "--runner=DirectRunner", "--blockOnRun=false",
          "--enforceImmutability=false", "--enforceEncodability=false");
      case "flink", "FlinkRunner" -> hasMaster ? remoteFlink(passThrough)
          : List.of("--runner=FlinkRunner", "--flinkMaster=[local]");
      default -> List.of("--runner=" + runner);
    };
  }
}
