package org.aspd.pipeline.regenerate;

import java.io.IOException;
import java.io.InputStream;
import java.nio.channels.Channels;
import java.util.ArrayList;
import java.util.List;
import java.util.TreeMap;
import org.apache.beam.sdk.io.FileSystems;
import org.apache.beam.sdk.io.fs.EmptyMatchTreatment;
import org.apache.beam.sdk.io.fs.MatchResult;

/**
 * Every file under the spec's inputs with its SHA-256: the manifest's record of what a release was
 * built from, and the fast path's test for "nothing changed". All files count, not only the ones the
 * readers take (a README next to the data included): a change to one of them costs an incremental
 * run that carries every row over, never a missed change.
 */
final class InputFiles {
  /** One input file; {@code path} is as Beam's filesystems name it. */
  record InputFile(String path, long bytes, String sha256) {}

  /** An input of the spec that is not there: the spec is wrong, not the run. */
  static final class MissingInputException extends IOException {
    MissingInputException(String message) {
      super(message);
    }
  }

  private InputFiles() {}

  static List<InputFile> list(List<String> inputs) throws IOException {
    TreeMap<String, Long> files = new TreeMap<>();
    for (String input : inputs) {
      List<MatchResult.Metadata> found = match(input);
      if (!FileSystems.hasGlobWildcard(input) && found.size() == 1 && found.get(0).resourceId().isDirectory()) {
        found = match(found.get(0).resourceId().toString().replaceAll("/?$", "/") + "**");
      } else if (!FileSystems.hasGlobWildcard(input) && found.isEmpty()) {
        found = match(input.replaceAll("/?$", "/") + "**");
      }
      if (found.isEmpty()) {
        throw new MissingInputException("input " + input + " matches no file");
      }
      for (MatchResult.Metadata m : found) {
        if (!m.resourceId().isDirectory()) {
          files.put(m.resourceId().toString(), m.sizeBytes());
        }
      }
    }
    List<InputFile> out = new ArrayList<>();
    for (var f : files.entrySet()) {
      try (InputStream in = Channels.newInputStream(FileSystems.open(FileSystems.matchNewResource(f.getKey(), false)))) {
        out.add(new InputFile(f.getKey(), f.getValue(), Sha256.of(in)));
      }
    }
    return out;
  }

  private static List<MatchResult.Metadata> match(String spec) throws IOException {
    MatchResult result = FileSystems.match(List.of(spec), EmptyMatchTreatment.ALLOW).get(0);
    if (result.status() == MatchResult.Status.NOT_FOUND) {
      return List.of();
    }
    if (result.status() != MatchResult.Status.OK) {
      throw new IOException("cannot list input " + spec + ": " + result.status());
    }
    return result.metadata();
  }
}
