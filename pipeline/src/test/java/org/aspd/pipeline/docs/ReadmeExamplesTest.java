package org.aspd.pipeline.docs;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.aspd.teacher.llm.config.LlmStage;
import org.aspd.teacher.llm.config.LlmTeacherConfig;
import org.aspd.teacher.llm.config.TeacherConfigFile;
import org.junit.jupiter.api.Test;

/** The README's examples are checked, so they cannot rot. */
class ReadmeExamplesTest {
  private static final Path README = Path.of(System.getProperty("aspd.home", "..")).resolve("README.md");

  @Test
  void theTeacherConfigExampleParses() throws Exception {
    List<String> yaml = blocks("yaml");
    assertTrue(!yaml.isEmpty(), "README has a yaml example");
    LlmTeacherConfig config = TeacherConfigFile.parse(yaml.get(0));
    assertEquals("Qwen/Qwen3-235B-A22B", config.stage(LlmStage.REWRITE).model());
    assertEquals("Qwen/Qwen3-8B", config.stage(LlmStage.FORMAT).model());
    assertEquals(64, config.maxConcurrency());
  }

  @Test
  void theTwoCommandsComeFirst() throws Exception {
    List<String> bash = blocks("bash");
    assertEquals("./aspd run --output out", bash.get(0).strip());
    assertEquals("mvn -B -ntp verify", bash.get(1).strip());
    String ci = Files.readString(README.resolveSibling(".ci/run"));
    assertTrue(ci.strip().endsWith(bash.get(1).strip()), ".ci/run runs exactly the README's test command");
  }

  private static List<String> blocks(String language) throws Exception {
    Matcher m = Pattern.compile("```" + language + "\\n(.*?)```", Pattern.DOTALL).matcher(Files.readString(README));
    List<String> out = new ArrayList<>();
    while (m.find()) {
      out.add(m.group(1));
    }
    return out;
  }
}
