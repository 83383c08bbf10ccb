package org.aspd.pipeline.regenerate;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;
import org.apache.beam.sdk.options.PipelineOptionsFactory;
import org.aspd.pipeline.AspdOptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/**
 * The scheduling recipes in {@code pipeline/schedule/} run what they claim: each one's command is a
 * valid {@code aspd regenerate --spec} invocation of a file that exists, the CronJob forbids
 * concurrent runs and submits to a Flink cluster with a valid spec from its ConfigMap, and the
 * wrapper script passes the spec and the exit status through.
 */
class ScheduleRecipesTest {
  private static final Path SCHEDULE = Path.of(System.getProperty("aspd.home", "..")).resolve("pipeline/schedule");
  private static final Pattern CRON_FIELD = Pattern.compile("(\\*|\\d+(-\\d+)?)(/\\d+)?(,(\\d+(-\\d+)?))*");
  private static final String WRAPPER = "/opt/aspd/pipeline/schedule/aspd-regenerate.sh";

  @TempDir
  Path dir;

  @Test
  void crontabRunsTheWrapperOnAValidSchedule() throws Exception {
    List<String> jobs = Files.readAllLines(SCHEDULE.resolve("cron/aspd-regenerate.crontab")).stream()
        .filter(l -> !l.isBlank() && !l.startsWith("#") && !l.matches("^[A-Z_]+=.*")).toList();
    assertEquals(1, jobs.size(), jobs.toString());
    String[] fields = jobs.get(0).trim().split("\\s+");
    assertCronSchedule(String.join(" ", Arrays.copyOf(fields, 5)));
    assertEquals(WRAPPER, fields[5]);
    assertTrue(fields[6].endsWith(".yaml"), "the spec: " + fields[6]);
  }

  @Test
  void systemdTimerStartsTheServiceThatRunsTheWrapper() throws Exception {
    Map<String, Map<String, String>> service = unit("systemd/aspd-regenerate@.service");
    Map<String, Map<String, String>> timer = unit("systemd/aspd-regenerate@.timer");
    assertEquals("oneshot", service.get("Service").get("Type"), "one run per trigger, no restart loop");
    String[] exec = service.get("Service").get("ExecStart").split("\\s+");
    assertEquals(List.of(WRAPPER, "/etc/aspd/%i.yaml"), List.of(exec));
    assertEquals("75", service.get("Service").get("SuccessExitStatus"), "a run that found the lock held skipped");
    assertEquals("aspd-regenerate@%i.service", timer.get("Timer").get("Unit"));
    assertEquals("true", timer.get("Timer").get("Persistent"));
    assertTrue(timer.get("Timer").get("OnCalendar").matches("\\*-\\*-\\* \\d\\d:\\d\\d:\\d\\d"));
    assertEquals("timers.target", timer.get("Install").get("WantedBy"));
  }

  @Test
  void kubernetesCronJobSubmitsAValidSpecToFlinkOneRunAtATime() throws Exception {
    Map<String, JsonNode> docs = new LinkedHashMap<>();
    try (var it = new YAMLMapper().readerFor(JsonNode.class).<JsonNode>readValues(
        SCHEDULE.resolve("kubernetes/cronjob.yaml").toFile())) {
      while (it.hasNext()) {
        JsonNode d = it.next();
        docs.put(d.get("kind").asText(), d);
      }
    }
    JsonNode cron = docs.get("CronJob");
    assertEquals("batch/v1", cron.get("apiVersion").asText());
    assertEquals("Forbid", cron.at("/spec/concurrencyPolicy").asText());
    assertCronSchedule(cron.at("/spec/schedule").asText());
    JsonNode pod = cron.at("/spec/jobTemplate/spec/template/spec");
    assertEquals("Never", pod.get("restartPolicy").asText());
    JsonNode container = pod.get("containers").get(0);

    List<String> command = strings(container.get("command"));
    String mainClass = command.get(command.size() - 1);
    assertNotNull(Class.forName(mainClass).getMethod("main", String[].class), mainClass);
    assertTrue(command.get(command.indexOf("-cp") + 1).contains("aspd-pipeline.jar"));
    List<String> args = strings(container.get("args"));
    assertEquals("regenerate", args.get(0));
    RegenerateCommand regenerate = new RegenerateCommand();
    new CommandLine(regenerate).parseArgs(args.subList(1, args.size()).toArray(String[]::new));
    Path specPath = regenerate.spec;

    // The spec file is the ConfigMap's key, mounted where the args say.
    JsonNode mount = null;
    for (JsonNode m : container.get("volumeMounts")) {
      if (specPath.startsWith(m.get("mountPath").asText())) {
        mount = m;
      }
    }
    assertNotNull(mount, "no volume mounted at " + specPath);
    String volume = mount.get("name").asText();
    JsonNode configMapRef = null;
    for (JsonNode v : pod.get("volumes")) {
      if (v.get("name").asText().equals(volume)) {
        configMapRef = v.get("configMap");
      }
    }
    assertNotNull(configMapRef, "the spec volume is a ConfigMap");
    JsonNode configMap = docs.get("ConfigMap");
    assertEquals(configMapRef.get("name").asText(), configMap.at("/metadata/name").asText());
    String specText = configMap.at("/data/" + specPath.getFileName()).asText();
    assertTrue(!specText.isEmpty(), "the ConfigMap holds " + specPath.getFileName());

    Path local = dir.resolve(specPath.getFileName().toString());
    Files.writeString(local, specText, StandardCharsets.UTF_8);
    DatasetSpec spec = DatasetSpec.load(local);
    AspdOptions options = PipelineOptionsFactory.fromArgs(spec.pipelineArgs("/data/aspd/x").toArray(String[]::new))
        .withValidation().as(AspdOptions.class);
    assertEquals("FlinkRunner", options.getRunner().getSimpleName());
    assertTrue(spec.pipelineOptions().stream().anyMatch(o -> o.startsWith("--flinkMaster=") && !o.contains("[local]")),
        "submits to a remote Flink cluster: " + spec.pipelineOptions());
    JsonNode dataMount = null;
    for (JsonNode m : container.get("volumeMounts")) {
      if (spec.output().startsWith(m.get("mountPath").asText())) {
        dataMount = m;
      }
    }
    assertNotNull(dataMount, "the releases root " + spec.output() + " is on a mounted volume");
  }

  @Test
  void wrapperPassesAnAbsoluteSpecAndTheExitStatusThrough() throws Exception {
    Path fake = dir.resolve("fake-aspd");
    Path recorded = dir.resolve("args.txt");
    Files.writeString(fake, "#!/usr/bin/env bash\nprintf '%s\\n' \"$@\" > '" + recorded + "'\nexit \"${FAKE_STATUS:-0}\"\n");
    assertTrue(fake.toFile().setExecutable(true));
    Files.createDirectories(dir.resolve("etc"));
    Files.writeString(dir.resolve("etc/dataset.yaml"), "inputs: [a]\noutput: b\n");

    assertEquals(0, wrapper(fake, "0", "etc/dataset.yaml", "--full"));
    assertEquals(List.of("regenerate", "--spec", dir.resolve("etc/dataset.yaml").toRealPath().toString(), "--full"),
        Files.readAllLines(recorded));
    assertEquals(75, wrapper(fake, "75", "etc/dataset.yaml"), "a held lock stays visible to the scheduler");
    assertEquals(2, wrapper(fake, "0", "etc/missing.yaml"));
    assertEquals(2, wrapper(fake, "0"));
  }

  private int wrapper(Path fake, String status, String... args) throws Exception {
    List<String> cmd = new ArrayList<>(List.of("bash", SCHEDULE.resolve("aspd-regenerate.sh").toString()));
    cmd.addAll(List.of(args));
    ProcessBuilder pb = new ProcessBuilder(cmd).directory(dir.toFile()).redirectErrorStream(true)
        .redirectOutput(dir.resolve("wrapper.log").toFile());
    pb.environment().put("ASPD", fake.toString());
    pb.environment().put("FAKE_STATUS", status);
    Process p = pb.start();
    assertTrue(p.waitFor(30, TimeUnit.SECONDS));
    return p.exitValue();
  }

  private static void assertCronSchedule(String schedule) {
    String[] fields = schedule.split(" ");
    assertEquals(5, fields.length, schedule);
    for (String f : fields) {
      assertTrue(CRON_FIELD.matcher(f).matches(), "cron field '" + f + "' of '" + schedule + "'");
    }
  }

  /** A systemd unit file as section → key → value (comments and blank lines skipped). */
  private static Map<String, Map<String, String>> unit(String file) throws Exception {
    Map<String, Map<String, String>> sections = new LinkedHashMap<>();
    Map<String, String> current = null;
    for (String line : Files.readAllLines(SCHEDULE.resolve(file))) {
      String l = line.strip();
      if (l.isEmpty() || l.startsWith("#")) {
        continue;
      }
      if (l.startsWith("[")) {
        current = new LinkedHashMap<>();
        sections.put(l.substring(1, l.length() - 1), current);
      } else {
        int eq = l.indexOf('=');
        assertTrue(eq > 0 && current != null, file + ": not a key=value in a section: " + line);
        current.merge(l.substring(0, eq), l.substring(eq + 1), (a, b) -> a + "\n" + b);
      }
    }
    return sections;
  }

  private static List<String> strings(JsonNode array) {
    List<String> out = new ArrayList<>();
    array.forEach(n -> out.add(n.asText()));
    return out;
  }
}
