package org.aspd.pipeline.regenerate;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import org.aspd.pipeline.llm.LlmTeachers;
import org.aspd.stages.StageConfig;
import org.aspd.tokens.TiktokenTokenizer;

/**
 * A dataset spec ({@code dataset.yaml}): what {@code aspd regenerate} builds and where. Relative
 * paths are resolved against the spec file's folder, so a spec and its inputs can move together.
 *
 * <pre>
 * inputs: [answers/, more/*.jsonl]   # files, directories, globs (as aspd run --input)
 * output: releases-root              # ROOT: releases/NAME/, LATEST, .lock
 * teacher: rules                     # or openai | ollama | anthropic, with llm: {...}
 * llm: {model: ..., baseUrl: ..., teacherConfig: ..., cache: ..., noCache: false, maxInFlight: 8}
 * stages: {candidates: 3, independenceVotes: 3, ..., overLimit: drop, tokenizer: o200k_base}
 * numShards: 1
 * keepReleases: 0                    # 0 keeps every release
 * pipelineOptions: [--runner=FlinkRunner, --flinkMaster=host:8081]
 * </pre>
 *
 * <p>Stage settings and the teacher belong in the spec, never in {@code pipelineOptions}: they are
 * part of the configuration fingerprint that decides which rows can be carried over.
 */
public record DatasetSpec(
    Path file,
    List<String> inputs,
    Path output,
    String teacher,
    Map<String, String> llm,
    StageConfig stages,
    int numShards,
    int keepReleases,
    List<String> pipelineOptions) {

  static final Set<String> TOP_KEYS =
      Set.of("inputs", "output", "teacher", "llm", "stages", "numShards", "keepReleases", "pipelineOptions");
  static final Set<String> LLM_KEYS = Set.of("model", "baseUrl", "teacherConfig", "cache", "noCache", "maxInFlight");
  /** The pipeline option each {@code llm:} key stands for. */
  private static final Map<String, String> LLM_FLAGS = Map.of("model", "model", "baseUrl", "baseUrl",
      "teacherConfig", "teacherConfig", "cache", "llmCache", "noCache", "noCache", "maxInFlight", "maxInFlight");
  static final Set<String> STAGE_KEYS = Set.of("candidates", "independenceVotes", "independenceAccept",
      "formatVotes", "formatAccept", "answerVotes", "answerAccept", "minParallelTokens", "maxTokens",
      "overLimit", "maxBranches", "titleMaxTokens", "editBudgetMax", "editBudgetFraction", "maskForcedTargets", "tokenizer");
  /** LLM settings that change what the teacher answers; the others only change how it is called. */
  static final Set<String> LLM_CONTENT_KEYS = Set.of("model", "baseUrl", "teacherConfig");

  /** Thrown with a message naming the spec file and the offending key. */
  public static final class SpecException extends Exception {
    SpecException(String message) {
      super(message);
    }
  }

  public static DatasetSpec load(Path file) throws SpecException {
    Path spec = file.toAbsolutePath().normalize();
    JsonNode root;
    try {
      root = new ObjectMapper(new YAMLFactory()).readTree(Files.readAllBytes(spec));
    } catch (java.nio.file.NoSuchFileException e) {
      throw new SpecException("spec " + spec + " does not exist");
    } catch (IOException e) {
      throw new SpecException(spec + ": not valid YAML: " + e.getMessage());
    }
    return new Parser(spec).parse(root);
  }

  /** The AspdOptions flags this spec stands for (inputs, teacher, stages, shards, then its pipelineOptions). */
  List<String> pipelineArgs(String outputDir) {
    List<String> args = new ArrayList<>();
    inputs.forEach(i -> args.add("--input=" + i));
    args.add("--output=" + outputDir);
    args.add("--teacher=" + teacher);
    llm.forEach((k, v) -> args.add("--" + LLM_FLAGS.get(k) + "=" + v));
    StageConfig s = stages;
    args.add("--candidates=" + s.candidates());
    args.add("--independenceVotes=" + s.independenceVotes());
    args.add("--independenceAccept=" + s.independenceAccept());
    args.add("--formatVotes=" + s.formatVotes());
    args.add("--formatAccept=" + s.formatAccept());
    args.add("--answerVotes=" + s.answerVotes());
    args.add("--answerAccept=" + s.answerAccept());
    args.add("--minParallelTokens=" + s.minParallelTokens());
    args.add("--maxTokens=" + s.maxTokens());
    args.add("--overLimit=" + s.overLimit().name().toLowerCase(Locale.ROOT));
    args.add("--maxBranches=" + s.maxBranches());
    args.add("--titleMaxTokens=" + s.titleMaxTokens());
    args.add("--tokenizer=" + s.tokenizer());
    args.add("--numShards=" + numShards);
    if (pipelineOptions.stream().noneMatch(o -> o.startsWith("--runner="))) {
      // As `aspd run`: the DirectRunner's re-encoding checks are for testing transforms, not for runs;
      // not blocking in run() lets the regeneration report that the pipeline started.
      args.addAll(List.of("--runner=DirectRunner", "--blockOnRun=false", "--enforceImmutability=false",
          "--enforceEncodability=false"));
    }
    args.addAll(pipelineOptions);
    return args;
  }

  private static final class Parser {
    private final Path spec;
    private final Path dir;

    Parser(Path spec) {
      this.spec = spec;
      this.dir = spec.getParent();
    }

    DatasetSpec parse(JsonNode root) throws SpecException {
      if (root == null || !root.isObject()) {
        throw error("the spec must be a YAML mapping with at least 'inputs' and 'output'");
      }
      checkKeys(root, TOP_KEYS, "");
      List<String> inputs = new ArrayList<>();
      JsonNode in = root.get("inputs");
      if (in == null || !in.isArray() || in.isEmpty()) {
        throw error("'inputs' must be a non-empty list of files, directories or globs");
      }
      for (JsonNode i : in) {
        if (!i.isTextual() || i.asText().isBlank()) {
          throw error("'inputs' entries must be paths, not " + i);
        }
        inputs.add(resolve(i.asText()));
      }
      JsonNode out = root.get("output");
      if (out == null || !out.isTextual() || out.asText().isBlank()) {
        throw error("'output' must be the releases root directory");
      }
      if (out.asText().contains("://")) {
        throw error("'output' must be a local or mounted (NFS, PVC) directory: releases are published by"
            + " atomic renames and guarded by a file lock, which object stores do not offer");
      }
      String teacher = text(root, "teacher", "rules");
      if (!teacher.equals("rules") && !LlmTeachers.handles(teacher)) {
        throw error("unknown teacher '" + teacher + "'; available: rules, " + String.join(", ", LlmTeachers.NAMES));
      }
      Map<String, String> llm = llm(root.get("llm"), teacher);
      return new DatasetSpec(spec, List.copyOf(inputs), Path.of(resolve(out.asText())), teacher, llm,
          stages(root.get("stages")), integer(root, "numShards", 1, 1), integer(root, "keepReleases", 0, 0),
          pipelineOptions(root.get("pipelineOptions"), teacher));
    }

    private Map<String, String> llm(JsonNode node, String teacher) throws SpecException {
      Map<String, String> llm = new LinkedHashMap<>();
      if (node == null) {
        return llm;
      }
      if (teacher.equals("rules")) {
        throw error("'llm' settings need an LLM teacher (" + String.join(", ", LlmTeachers.NAMES)
            + "); teacher is 'rules'");
      }
      checkKeys(node, LLM_KEYS, "llm.");
      for (Iterator<String> it = node.fieldNames(); it.hasNext(); ) {
        String key = it.next();
        JsonNode v = node.get(key);
        if (!v.isValueNode()) {
          throw error("'llm." + key + "' must be a single value");
        }
        String value = v.asText();
        llm.put(key, key.equals("teacherConfig") || key.equals("cache") ? resolve(value) : value);
      }
      return llm;
    }

    private StageConfig stages(JsonNode node) throws SpecException {
      StageConfig d = StageConfig.defaults();
      if (node == null) {
        return d;
      }
      if (!node.isObject()) {
        throw error("'stages' must be a mapping of stage settings");
      }
      checkKeys(node, STAGE_KEYS, "stages.");
      String overLimit = text(node, "overLimit", d.overLimit().name().toLowerCase(Locale.ROOT));
      if (!overLimit.equals("drop") && !overLimit.equals("serial")) {
        throw error("'stages.overLimit' must be drop or serial, not '" + overLimit + "'");
      }
      String tokenizer = text(node, "tokenizer", d.tokenizer());
      if (!TiktokenTokenizer.knows(tokenizer)) {
        // A tokenizer.json (or a folder holding one), relative to this file like the other paths.
        tokenizer = resolve(tokenizer);
        Path file = Files.isDirectory(Path.of(tokenizer)) ? Path.of(tokenizer, "tokenizer.json") : Path.of(tokenizer);
        if (!Files.isRegularFile(file)) {
          throw error("'stages.tokenizer' must be o200k_base, cl100k_base or a tokenizer.json (or a folder holding"
              + " one); there is no " + file);
        }
      }
      try {
        return new StageConfig(integer(node, "candidates", d.candidates(), 1),
            integer(node, "independenceVotes", d.independenceVotes(), 1),
            integer(node, "independenceAccept", d.independenceAccept(), 1),
            integer(node, "formatVotes", d.formatVotes(), 1), integer(node, "formatAccept", d.formatAccept(), 1),
            integer(node, "answerVotes", d.answerVotes(), 1), integer(node, "answerAccept", d.answerAccept(), 1),
            integer(node, "minParallelTokens", d.minParallelTokens(), 0), integer(node, "maxTokens", d.maxTokens(), 1),
            StageConfig.OverLimit.valueOf(overLimit.toUpperCase(Locale.ROOT)),
            integer(node, "maxBranches", d.maxBranches(), 2), integer(node, "titleMaxTokens", d.titleMaxTokens(), 1),
            d.minContentChars(), integer(node, "editBudgetMax", d.editBudgetMax(), 0),
            fraction(node, "editBudgetFraction", d.editBudgetFraction()),
            bool(node, "maskForcedTargets", d.maskForcedTargets()), tokenizer);
      } catch (IllegalArgumentException e) {
        throw error("stages: " + e.getMessage());
      }
    }

    private List<String> pipelineOptions(JsonNode node, String teacher) throws SpecException {
      if (node == null) {
        return List.of();
      }
      if (!node.isArray()) {
        throw error("'pipelineOptions' must be a list like [--runner=FlinkRunner, --parallelism=4]");
      }
      List<String> options = new ArrayList<>();
      for (JsonNode o : node) {
        String option = o.asText();
        if (!o.isTextual() || !option.startsWith("--") || !option.contains("=")) {
          throw error("'pipelineOptions' entries must look like --name=value, not " + o);
        }
        String name = option.substring(2, option.indexOf('='));
        if (STAGE_KEYS.contains(name) || Set.of("input", "output", "teacher", "numShards").contains(name)) {
          throw error("pipelineOptions may not set --" + name + ": set it in the spec itself, where it is part"
              + " of the configuration fingerprint");
        }
        if (LLM_FLAGS.containsValue(name) || name.equals("llmReplay") && teacher.equals("rules")) {
          // Given here, the model or server would change the answers without changing the fingerprint.
          throw error("pipelineOptions may not set --" + name + ": --" + name + " is an LLM teacher setting,"
              + " given under llm: with an LLM teacher (" + String.join(", ", LlmTeachers.NAMES) + "), where it is"
              + " part of the configuration fingerprint");
        }
        if (name.equals("limit")) {
          throw error("pipelineOptions may not set --limit: a release holds every input record");
        }
        options.add(option);
      }
      return List.copyOf(options);
    }

    private void checkKeys(JsonNode node, Set<String> known, String prefix) throws SpecException {
      for (Iterator<String> it = node.fieldNames(); it.hasNext(); ) {
        String key = it.next();
        if (!known.contains(key)) {
          throw error("unknown key '" + prefix + key + "' (known: " + String.join(", ", new java.util.TreeSet<>(known)) + ")");
        }
      }
    }

    private String text(JsonNode node, String key, String fallback) throws SpecException {
      JsonNode v = node.get(key);
      if (v == null) {
        return fallback;
      }
      if (!v.isTextual()) {
        throw error("'" + key + "' must be a string, not " + v);
      }
      return v.asText();
    }

    private boolean bool(JsonNode node, String key, boolean fallback) throws SpecException {
      JsonNode v = node.get(key);
      if (v == null) {
        return fallback;
      }
      if (!v.isBoolean()) {
        throw error("'" + key + "' must be true or false, not " + v);
      }
      return v.asBoolean();
    }

    private double fraction(JsonNode node, String key, double fallback) throws SpecException {
      JsonNode v = node.get(key);
      if (v == null) {
        return fallback;
      }
      if (!v.isNumber() || !(v.asDouble() >= 0 && v.asDouble() <= 1)) {
        throw error("'" + key + "' must be a number in [0, 1], not " + v);
      }
      return v.asDouble();
    }

    private int integer(JsonNode node, String key, int fallback, int min) throws SpecException {
      JsonNode v = node.get(key);
      if (v == null) {
        return fallback;
      }
      if (!v.isInt() || v.asInt() < min) {
        throw error("'" + key + "' must be an integer >= " + min + ", not " + v);
      }
      return v.asInt();
    }

    /** Local relative paths are relative to the spec's folder; URIs (gs://, s3://) stay as they are. */
    private String resolve(String path) {
      return path.contains("://") ? path : dir.resolve(path).normalize().toString();
    }

    private SpecException error(String message) {
      return new SpecException(spec + ": " + message);
    }
  }
}
