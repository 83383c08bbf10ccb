package org.aspd.pipeline.write;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;
import org.apache.beam.sdk.io.FileSystems;
import org.apache.beam.sdk.io.fs.EmptyMatchTreatment;
import org.apache.beam.sdk.io.fs.MatchResult;
import org.apache.beam.sdk.io.fs.MoveOptions.StandardMoveOptions;
import org.apache.beam.sdk.io.fs.ResourceId;
import org.aspd.tokens.TokenizerCache;
import org.aspd.tokens.TokenizerConfigFiles;

/**
 * Makes the output folder ready before a job reads its first record: writable, and holding no
 * earlier run. Shards of an earlier run with another shard count stayed in {@code data/} beside the
 * new ones, so {@code export}, {@code validate} and any training reader took rows the statistics
 * did not count; and a folder that could not be written failed only after the whole job had run.
 */
public final class OutputFolder {
  /**
   * What a run writes (the tokenizer files with {@code --tokenizer}; {@code bench/} from
   * {@code aspd bench} on it); an earlier run's copies are replaced only with {@code --overwrite}. A
   * replaced run's tokenizer.json stayed beside rows in another vocabulary.
   */
  static final List<String> RUN_ENTRIES = Stream.of(
      List.of("data", "dead_letters", "plots", "stats.json", "README.md", TokenizerCache.RUN_FILE,
          TokenizerConfigFiles.CONFIG),
      TokenizerConfigFiles.COPIED, List.of("bench")).flatMap(List::stream).toList();

  private OutputFolder() {}

  /**
   * @throws IllegalArgumentException with a message for the user when the folder cannot be written,
   *     or holds an earlier run and {@code overwrite} is false
   */
  public static void prepare(String output, boolean overwrite) {
    if (output.contains("://")) {
      prepareRemote(output, overwrite);
      return;
    }
    Path dir = Path.of(output);
    if (Files.exists(dir) && !Files.isDirectory(dir)) {
      throw new IllegalArgumentException("--output " + output + " is a file, not a folder");
    }
    try {
      Files.createDirectories(dir);
      Files.delete(Files.createTempFile(dir, ".aspd-write-check", ""));
    } catch (IOException | SecurityException e) {
      throw new IllegalArgumentException("cannot write to --output " + output + ": " + e);
    }
    List<Path> earlier = new ArrayList<>();
    for (String name : RUN_ENTRIES) {
      if (Files.exists(dir.resolve(name))) earlier.add(dir.resolve(name));
    }
    if (earlier.isEmpty()) return;
    // What a run that did not finish left behind (its data/ and dead_letters/: the report is
    // written last) is nobody's dataset: it goes without asking. Anything else a run writes may be
    // someone's own (a model folder's tokenizer.json, a README.md): only --overwrite replaces it.
    List<Path> others = earlier.stream().filter(p -> !LEFTOVERS.contains(p.getFileName().toString())).toList();
    if (!overwrite && (hasShards(dir) || !others.isEmpty())) {
      throw holdsARun(output, earlier.stream().map(p -> p.getFileName().toString()).toList());
    }
    for (Path p : earlier) deleteTree(p);
  }

  /** What a run that died leaves: removed without --overwrite when no finished run is there. */
  private static final List<String> LEFTOVERS = List.of("data", "dead_letters");

  /** Shards in data/ are a run's rows, whether or not its report was written (stats.json is among the others). */
  private static boolean hasShards(Path dir) {
    try (Stream<Path> shards = Files.list(dir.resolve("data"))) {
      return shards.anyMatch(p -> p.getFileName().toString().endsWith(".parquet"));
    } catch (IOException e) {
      return false; // no data/ folder
    }
  }

  private static void prepareRemote(String output, boolean overwrite) {
    String base = output.endsWith("/") ? output : output + "/";
    List<ResourceId> earlier = new ArrayList<>();
    List<String> names = new ArrayList<>();
    for (String name : RUN_ENTRIES) {
      String pattern = name.contains(".") ? base + name : base + name + "/**";
      try {
        MatchResult m = FileSystems.match(pattern, EmptyMatchTreatment.ALLOW);
        if (m.status() == MatchResult.Status.OK && !m.metadata().isEmpty()) {
          names.add(name);
          m.metadata().forEach(md -> earlier.add(md.resourceId()));
        }
      } catch (IOException e) {
        throw new IllegalArgumentException("cannot read --output " + output + ": " + e.getMessage());
      }
    }
    if (earlier.isEmpty()) return;
    boolean shards = earlier.stream().anyMatch(r -> r.getFilename() != null && r.getFilename().endsWith(".parquet"));
    if (!overwrite && (shards || names.stream().anyMatch(n -> !LEFTOVERS.contains(n)))) {
      throw holdsARun(output, names);
    }
    try {
      FileSystems.delete(earlier, StandardMoveOptions.IGNORE_MISSING_FILES);
    } catch (IOException e) {
      throw new IllegalArgumentException("cannot remove the earlier run in " + output + ": " + e.getMessage());
    }
  }

  private static IllegalArgumentException holdsARun(String output, List<String> names) {
    return new IllegalArgumentException(output + " already holds a run, or files a run writes (" + String.join(", ", names)
        + "); give --overwrite to replace them, or choose another --output");
  }

  private static void deleteTree(Path root) {
    try (Stream<Path> walk = Files.walk(root)) {
      for (Path p : walk.sorted(Comparator.reverseOrder()).toList()) Files.delete(p);
    } catch (IOException e) {
      throw new IllegalArgumentException("cannot remove the earlier run's " + root + ": " + e);
    }
  }
}
