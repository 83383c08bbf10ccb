package org.aspd.pipeline.cli;

import java.io.File;
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
    CommandLine cli = new CommandLine(new AspdCli());
    cli.registerConverter(File.class, AspdCli::localFile); // every subcommand's File arguments
    cli.setExecutionExceptionHandler(AspdCli::userError);
    return cli.execute(args);
  }

  /**
   * A missing or unreadable file, or a bad value, found by a command: one line and exit 2, as for a
   * bad option. Anything else is a fault and keeps its stack trace.
   */
  private static int userError(Exception e, CommandLine cli, CommandLine.ParseResult parsed) throws Exception {
    if (!(e instanceof java.io.IOException || e instanceof java.io.UncheckedIOException
        || e instanceof IllegalArgumentException)) {
      throw e;
    }
    String message = String.valueOf(e.getMessage());
    Throwable cause = e.getCause();
    if (cause != null && cause.getMessage() != null && !message.contains(cause.getMessage())) {
      message += ": " + (cause instanceof java.nio.file.NoSuchFileException ? "no such file " : "") + cause.getMessage();
    } else if (e instanceof java.nio.file.NoSuchFileException) {
      message = "no such file " + message;
    }
    cli.getErr().println("aspd " + cli.getCommandName() + ": " + message);
    return 2;
  }

  /**
   * File arguments are local paths (only run's --input and --output go through Beam's filesystems):
   * hdfs://host/out would otherwise become the local path hdfs:/host/out and a puzzling error.
   */
  private static File localFile(String value) {
    if (value.matches("[A-Za-z][A-Za-z0-9+.-]*://.*")) {
      throw new CommandLine.TypeConversionException("'" + value + "' is not a local path: this command reads"
          + " local files; copy it here first (for example with hdfs dfs -get)");
    }
    return new File(value);
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
