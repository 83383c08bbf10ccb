package org.aspd.pipeline.regenerate;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import picocli.CommandLine;

/**
 * A regeneration killed with SIGKILL at each step of building and publishing a release leaves
 * {@code LATEST} and the previous release untouched; the next run completes the work, and the
 * release it publishes holds every input exactly once (as a row or a dead letter). Also: a second
 * process is refused while the first holds the lock, and runs once the holder died.
 */
class CrashRecoveryTest {
  private static final Set<RegenerationListener.Phase> KILLED_IN_CHILD =
      Set.of(RegenerationListener.Phase.PIPELINE_STARTED, RegenerationListener.Phase.RELEASE_RENAMED);

  /** Not an Exception: no catch block of the code under test handles it. */
  static final class SimulatedCrash extends Error {}

  @TempDir
  Path dir;
  Path root;
  Path spec;
  Map<String, ObjectNode> records;

  @BeforeEach
  void firstRelease() throws Exception {
    root = dir.resolve("root");
    records = Datasets.vicuna(10);
    Datasets.writeJsonl(dir.resolve("in/answers.jsonl"), records.values().stream().limit(8).toList());
    spec = Datasets.writeSpec(dir.resolve("dataset.yaml"), "inputs: [in/]\noutput: root\nnumShards: 3\n");
    assertEquals(0, regenerateHere());
  }

  /**
   * Killed with SIGKILL in a child JVM mid-pipeline (threads writing shards) and between the two
   * renames of the publication; stopped in-process (an Error thrown from the listener, no cleanup
   * code runs for it) at the two steps in between, which only differ in what is on disk.
   */
  @ParameterizedTest
  @EnumSource(value = RegenerationListener.Phase.class, names = {"PIPELINE_STARTED", "PIPELINE_FINISHED",
      "MANIFEST_WRITTEN", "RELEASE_RENAMED"})
  void aCrashedRunLeavesLatestUntouchedAndTheNextRunCompletesIt(RegenerationListener.Phase killedAt) throws Exception {
    String before = Datasets.latest(root);
    Map<String, String> beforeFiles = Datasets.treeHashes(Datasets.latestRelease(root));
    // The inputs change: q3 is edited, q8 removed, q9 and q10 added.
    List<ObjectNode> changed = new ArrayList<>(records.values());
    changed.remove(records.get("q8"));
    changed.get(2).put("response", "A much shorter answer now.");
    Datasets.writeJsonl(dir.resolve("in/answers.jsonl"), changed);

    if (KILLED_IN_CHILD.contains(killedAt)) {
      try (ChildJvm child = ChildJvm.start(killedAt, spec, dir.resolve("logs"))) {
        child.awaitPhase(killedAt);
        child.kill();
      }
    } else {
      RegenerationListener crash = phase -> {
        if (phase == killedAt) {
          throw new SimulatedCrash();
        }
      };
      assertThrows(SimulatedCrash.class,
          () -> new Regeneration(DatasetSpec.load(spec), crash, System.err).run(false));
    }
    assertEquals(before, Datasets.latest(root), "LATEST after a crash at " + killedAt);
    assertEquals(beforeFiles, Datasets.treeHashes(root.resolve("releases").resolve(before)));
    String crashed = crashedRelease(killedAt);

    assertEquals(0, regenerateHere(), "the run after the crash");
    String after = Datasets.latest(root);
    if (killedAt.compareTo(RegenerationListener.Phase.MANIFEST_WRITTEN) >= 0) {
      assertEquals(crashed, after, "the crashed run's validated release is the one published");
    } else {
      assertTrue(after.compareTo(crashed) > 0, "the unvalidated partial release was rebuilt, not published");
    }
    assertTrue(after.compareTo(before) > 0, "LATEST moved on to a newer release");
    assertEquals(beforeFiles, Datasets.treeHashes(root.resolve("releases").resolve(before)));
    assertTrue(Datasets.releaseNames(root).stream().noneMatch(n -> n.endsWith(ReleaseStore.PARTIAL)), "no partial release remains: "
        + Datasets.releaseNames(root));
    assertFalse(Files.exists(root.resolve(ReleaseStore.PUBLISHING)));

    Path release = Datasets.latestRelease(root);
    Set<String> seen = new HashSet<>(Datasets.rowBytes(release).keySet()); // fails on a duplicated row
    for (JsonNode d : Datasets.deadLetters(release)) {
      assertTrue(seen.add(d.get("id").asText()), "id both a row and a dead letter, or dead twice: " + d);
    }
    Set<String> expected = new HashSet<>();
    changed.forEach(r -> expected.add(r.get("id").asText()));
    assertEquals(expected, seen, "every input exactly once, nothing lost, nothing left of removed inputs");
    JsonNode manifest = Datasets.manifest(release);
    assertEquals(changed.size(), manifest.at("/counts/input_records").asLong());
    assertEquals(before, manifest.get("previous_release").asText());
    assertEquals(6, manifest.at("/counts/carried_rows").asLong(), "q1, q2, q4..q7 carried: " + manifest);

    assertEquals(0, regenerateHere(), "and then nothing changed");
    assertEquals(after, Datasets.latest(root));
  }

  @Test
  void aSecondProcessIsRefusedWhileTheFirstHoldsTheLockAndRunsOnceItDied() throws Exception {
    Datasets.writeJsonl(dir.resolve("in/answers.jsonl"), records.values());
    try (ChildJvm holder = ChildJvm.start(RegenerationListener.Phase.LOCKED, spec, dir.resolve("logs"))) {
      holder.awaitPhase(RegenerationListener.Phase.LOCKED);
      ByteArrayOutputStream err = new ByteArrayOutputStream();
      PrintStream saved = System.err;
      System.setErr(new PrintStream(err, true, StandardCharsets.UTF_8));
      int code;
      try {
        code = new CommandLine(new RegenerateCommand()).execute("--spec", spec.toString());
      } finally {
        System.setErr(saved);
      }
      String message = err.toString(StandardCharsets.UTF_8);
      assertEquals(RegenerateCommand.LOCKED, code, message);
      assertTrue(message.contains("another regeneration of " + root + " is running (pid " + holder.pid()), message);
      assertTrue(message.contains(" since 20"), message);
      holder.kill();
    }
    assertEquals(0, regenerateHere(), "the system released the dead holder's lock");
  }

  /** What the crash left behind, as expected for the step it hit; returns the crashed release's name. */
  private String crashedRelease(RegenerationListener.Phase killedAt) throws Exception {
    List<String> partials = Datasets.releaseNames(root).stream().filter(n -> n.endsWith(ReleaseStore.PARTIAL)).toList();
    if (killedAt == RegenerationListener.Phase.RELEASE_RENAMED) {
      assertTrue(partials.isEmpty(), partials.toString());
      String name = Files.readString(root.resolve(ReleaseStore.PUBLISHING)).strip();
      assertTrue(Files.isRegularFile(root.resolve("releases").resolve(name).resolve(Manifest.FILE)));
      return name;
    }
    assertEquals(1, partials.size(), "one partial release: " + Datasets.releaseNames(root));
    boolean hasManifest = Files.exists(root.resolve("releases").resolve(partials.get(0)).resolve(Manifest.FILE));
    assertEquals(killedAt == RegenerationListener.Phase.MANIFEST_WRITTEN, hasManifest, "manifest in the partial release");
    return partials.get(0).substring(0, partials.get(0).length() - ReleaseStore.PARTIAL.length());
  }

  private int regenerateHere() {
    return new CommandLine(new RegenerateCommand()).execute("--spec", spec.toString());
  }
}
