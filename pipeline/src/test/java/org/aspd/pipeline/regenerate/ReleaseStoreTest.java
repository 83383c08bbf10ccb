package org.aspd.pipeline.regenerate;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The commit protocol of the releases root on its own, without a pipeline. */
class ReleaseStoreTest {
  @TempDir
  Path root;

  @Test
  void namesGrowEvenWhenTheClockGoesBack() throws Exception {
    ReleaseStore store = new ReleaseStore(root);
    String first = store.newName(Instant.parse("2025-01-01T00:00:00Z"));
    store.startPartial(first);
    String second = store.newName(Instant.parse("2024-12-31T00:00:00Z"));
    assertEquals("20250101T000000.000Z", first);
    assertTrue(second.compareTo(first) > 0, second);
  }

  @Test
  void anOlderReleaseSetByHandInLatestIsNotOverriddenByRecovery() throws Exception {
    ReleaseStore store = new ReleaseStore(root);
    String older = published(store, "20250101T000000.000Z");
    String newer = published(store, "20250102T000000.000Z");
    Files.writeString(root.resolve(ReleaseStore.LATEST), older + "\n");
    assertTrue(store.recover().isEmpty());
    assertEquals(older, store.latest().orElseThrow());
    assertTrue(Files.isDirectory(store.release(newer)));
  }

  @Test
  void recoveryDeletesUnvalidatedPartialsAndPublishesAValidatedOne() throws Exception {
    ReleaseStore store = new ReleaseStore(root);
    String base = published(store, "20250101T000000.000Z");
    Files.createDirectories(store.startPartial("20250101T000001.000Z").resolve("data"));
    assertEquals(1, store.recover().size());
    assertFalse(Files.exists(store.partial("20250101T000001.000Z")));
    assertEquals(base, store.latest().orElseThrow());

    Path validated = store.startPartial("20250101T000002.000Z");
    Manifest.write(validated, java.util.Map.of("release", "20250101T000002.000Z"));
    store.recover();
    assertEquals("20250101T000002.000Z", store.latest().orElseThrow());
  }

  private static String published(ReleaseStore store, String name) throws Exception {
    Path partial = store.startPartial(name);
    Manifest.write(partial, java.util.Map.of("release", name));
    store.publish(name, RegenerationListener.NONE);
    return name;
  }
}
