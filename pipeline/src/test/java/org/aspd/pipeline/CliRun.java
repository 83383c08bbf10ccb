package org.aspd.pipeline;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.function.BiConsumer;
import picocli.CommandLine;

/** One picocli command run in-process with its output and error streams captured. */
public record CliRun(int exit, String out, String err) {
  /**
   * @param streams hands the capturing (out, err) streams to the command before it runs
   */
  public static CliRun of(Object command, BiConsumer<PrintStream, PrintStream> streams, String... args) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    streams.accept(new PrintStream(out, true, StandardCharsets.UTF_8), new PrintStream(err, true, StandardCharsets.UTF_8));
    int exit = new CommandLine(command).execute(args);
    return new CliRun(exit, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
  }
}
