package org.aspd.pipeline.cli;

import org.aspd.pipeline.Version;
import org.aspd.pipeline.bench.BenchCommand;
import org.aspd.pipeline.generate.GenerateCommand;
import org.aspd.pipeline.regenerate.RegenerateCommand;
import org.aspd.pipeline.validate.ValidateCommand;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/**
 * Entry point of {@code ./aspd}: {@code run}, {@code stats}, {@code export}, {@code eval},
 * {@code validate}, {@code bench}, {@code regenerate}.
 */
@Command(name = "aspd", mixinStandardHelpOptions = true, versionProvider = AspdCli.VersionProvider.class,
    description = "Turns serial LLM answers into Adaptive Serial-Parallel Decoding training data.",
    subcommands = {RunCommand.class, StatsCommand.class, ExportCommand.class, EvalCommand.class, ValidateCommand.class,
        BenchCommand.class, GenerateCommand.class, RegenerateCommand.class,
        CommandLine.HelpCommand.class})
public final class AspdCli implements Runnable {
  @CommandLine.Spec
  CommandLine.Model.CommandSpec spec;

  public static void main(String[] args) {
    System.exit(execute(args));
  }

  /** Runs the CLI and returns its exit code; tests call this instead of {@link #main}. */
  public static int execute(String... args) {
    return new CommandLine(new AspdCli()).execute(args);
  }

  @Override
  public void run() {
    spec.commandLine().usage(System.out);
  }

  static final class VersionProvider implements CommandLine.IVersionProvider {
    @Override
    public String[] getVersion() {
      return new String[] {"aspd " + Version.get()};
    }
  }
}
