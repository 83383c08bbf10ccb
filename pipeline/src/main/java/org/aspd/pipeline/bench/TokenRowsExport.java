package org.aspd.pipeline.bench;

import java.io.BufferedWriter;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import org.aspd.decoding.SpecialTokenIds;

/**
 * The token rows of {@code aspd bench --export-rows FILE}, for the native GPU engine benchmark
 * ({@code decoding/bench/engine_bench.cu}) on hosts without a JDK. Plain text:
 * {@code # special <branch> </branch> <title> </title> <para> </para> sep <n> <ids>}, then one
 * line per parallel row: {@code <id> <theoretical_speedup> <P> <n> <prompt ids> <response ids>}.
 */
final class TokenRowsExport implements AutoCloseable {
  private final BufferedWriter out;
  private long rows;

  TokenRowsExport(Path file, SpecialTokenIds special, int[] headerSeparator) throws IOException {
    out = Files.newBufferedWriter(file, StandardCharsets.UTF_8);
    out.write(String.format(Locale.ROOT, "# special %d %d %d %d %d %d sep %d", special.branch(), special.branchEnd(),
        special.title(), special.titleEnd(), special.para(), special.paraEnd(), headerSeparator.length));
    for (int id : headerSeparator) out.write(" " + id);
    out.newLine();
  }

  /** Writes a parallel row; serial rows have nothing to replay in parallel and are skipped. */
  void add(ShardBench.Row row) throws IOException {
    if (!row.parallel()) return;
    out.write(String.format(Locale.ROOT, "%s %.6f %d %d", row.id().replace(' ', '_'), row.theoreticalSpeedup(),
        row.prompt().length, row.response().length));
    for (int id : row.prompt()) out.write(" " + id);
    for (int id : row.response()) out.write(" " + id);
    out.newLine();
    rows++;
  }

  long rows() {
    return rows;
  }

  @Override
  public void close() throws IOException {
    out.close();
  }
}
