package org.aspd.pipeline.regenerate;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import org.aspd.stages.StageConfig;
import org.aspd.tokens.TiktokenTokenizer;
import org.aspd.tokens.TokenizerCache;

/**
 * What a row's content depends on besides its input: the stage settings, the teacher (its name, its
 * {@code version()} — which names the prompt hashes for LLM teachers — and the LLM settings that
 * change answers), the tokenizer, the code version and the shard schema. Rows of a release whose
 * fingerprint equals this run's can be carried over; otherwise every row is recomputed.
 *
 * @param canonical the settings as a sorted map, recorded in the manifest
 * @param sha256 SHA-256 over the canonical JSON of {@code canonical}
 */
record ConfigFingerprint(Map<String, Object> canonical, String sha256) {

  static ConfigFingerprint of(DatasetSpec spec, String teacherVersion, String codeVersion, String schemaJson) {
    Map<String, Object> c = new TreeMap<>();
    c.put("teacher", spec.teacher());
    c.put("teacher_version", teacherVersion);
    c.put("teacher_settings", teacherSettings(spec));
    c.put("stages", stages(spec.stages()));
    // A tokenizer.json counts by its content (with the markers), not by where it lies.
    String tokenizer = spec.stages().tokenizer();
    c.put("tokenizer", TiktokenTokenizer.knows(tokenizer) ? tokenizer : TokenizerCache.get(tokenizer).name());
    c.put("code_version", codeVersion);
    c.put("schema_sha256", Sha256.of(schemaJson));
    return new ConfigFingerprint(c, Sha256.of(canonicalJson(c)));
  }

  private static Map<String, Object> teacherSettings(DatasetSpec spec) {
    Map<String, Object> t = new TreeMap<>();
    spec.llm().forEach((k, v) -> {
      if (DatasetSpec.LLM_CONTENT_KEYS.contains(k)) {
        t.put(k, v);
      }
    });
    String config = spec.llm().get("teacherConfig");
    if (config != null) {
      // The file's content, not its path, decides the models, temperatures and limits of each stage.
      try (InputStream in = Files.newInputStream(Path.of(config))) {
        t.put("teacherConfig_sha256", Sha256.of(in));
      } catch (IOException e) {
        throw new UncheckedIOException("cannot read llm.teacherConfig " + config, e);
      }
    }
    return t;
  }

  private static Map<String, Object> stages(StageConfig s) {
    Map<String, Object> m = new TreeMap<>();
    m.put("candidates", s.candidates());
    m.put("independence_votes", s.independenceVotes());
    m.put("independence_accept", s.independenceAccept());
    m.put("format_votes", s.formatVotes());
    m.put("format_accept", s.formatAccept());
    m.put("answer_votes", s.answerVotes());
    m.put("answer_accept", s.answerAccept());
    m.put("min_parallel_tokens", s.minParallelTokens());
    m.put("max_tokens", s.maxTokens());
    m.put("over_limit", s.overLimit().name().toLowerCase(Locale.ROOT));
    m.put("max_branches", s.maxBranches());
    m.put("title_max_tokens", s.titleMaxTokens());
    m.put("min_content_chars", s.minContentChars());
    m.put("edit_budget_max", s.editBudgetMax());
    m.put("edit_budget_fraction", s.editBudgetFraction());
    m.put("mask_forced_targets", s.maskForcedTargets());
    return m;
  }

  static String canonicalJson(Object value) {
    try {
      return new ObjectMapper().enable(SerializationFeature.ORDER_MAP_ENTRIES_BY_KEYS).writeValueAsString(value);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException(e);
    }
  }
}
