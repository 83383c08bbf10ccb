package org.aspd.tokens;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotSame;

import ai.djl.huggingface.tokenizers.HuggingFaceTokenizer;
import com.fasterxml.jackson.annotation.JsonIgnore;
import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import org.aspd.testing.ByteLevelTokenizerJson;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A tokenizer.json used from several class loaders of one JVM, as Flink runs one job after another
 * in a TaskManager: each loader has its own copy of aspd and of the tokenizers library, and each
 * must load the native part (the JVM binds a library file to the first loader that loads it).
 */
class TokenizersNativeLibraryTest {
  @TempDir Path dir;

  @Test
  void everyClassLoaderOfTheJvmEncodes() throws Exception {
    Path file = dir.resolve("tokenizer.json");
    ByteLevelTokenizerJson.write(file, List.of("<|endoftext|>"));
    int[] here;
    try (HfTokenizer tokenizer = HfTokenizer.load(file, HfTokenizer.Markers.ADD_IF_ABSENT)) {
      here = tokenizer.encodeText("the cat ate the hat");
    }
    List<Object> loaded = new ArrayList<>();
    for (int job = 0; job < 3; job++) {
      try (URLClassLoader loader = new URLClassLoader(classPath(), ClassLoader.getPlatformClassLoader())) {
        Class<?> hf = Class.forName(HfTokenizer.class.getName(), true, loader);
        assertNotSame(HfTokenizer.class, hf);
        Class<?> markers = Class.forName(HfTokenizer.Markers.class.getName(), true, loader);
        Object addIfAbsent = markers.getField("ADD_IF_ABSENT").get(null);
        Object tokenizer = hf.getMethod("load", Path.class, markers).invoke(null, file, addIfAbsent);
        try {
          assertArrayEquals(here, (int[]) hf.getMethod("encodeText", String.class).invoke(tokenizer, "the cat ate the hat"),
              "loader " + job);
        } finally {
          hf.getMethod("close").invoke(tokenizer);
        }
        loaded.add(hf);
      }
    }
    assertEquals(3, loaded.size());
  }

  /** Where aspd's tokens package and the libraries it needs come from, for a loader of their own. */
  private static URL[] classPath() throws Exception {
    Set<URL> urls = new LinkedHashSet<>();
    for (Class<?> c : List.of(HfTokenizer.class, HuggingFaceTokenizer.class, ai.djl.util.Platform.class,
        ObjectMapper.class, JsonFactory.class, JsonIgnore.class, org.slf4j.Logger.class,
        com.google.gson.Gson.class)) {
      urls.add(c.getProtectionDomain().getCodeSource().getLocation());
    }
    return urls.toArray(URL[]::new);
  }
}
