package org.aspd.pipeline.cli;

import java.util.List;

/** Turns {@code --runner direct|flink|ClassName} into Beam's runner options. */
final class RunnerArgs {
  private RunnerArgs() {}

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
      case "flink", "FlinkRunner" -> hasMaster ? List.of("--runner=FlinkRunner")
          : List.of("--runner=FlinkRunner", "--flinkMaster=[local]");
      default -> List.of("--runner=" + runner);
    };
  }
}
