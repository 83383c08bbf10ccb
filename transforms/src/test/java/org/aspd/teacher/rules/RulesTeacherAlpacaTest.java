package org.aspd.teacher.rules;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;
import org.aspd.format.AnnotationCodec;
import org.aspd.format.AnnotationException;
import org.aspd.format.Response;
import org.aspd.format.TagEscaper;
import org.aspd.model.Sample;
import org.junit.jupiter.api.Test;
import org.aspd.testing.SharedDatasets;

/**
 * Robustness over every alpaca-eval answer: each candidate parses back onto its answer and obeys
 * the structure rules. Also prints the single-thread rewrite throughput (median of three passes);
 * the number is informational, not asserted.
 */
class RulesTeacherAlpacaTest {
  @Test
  void everyCandidateParsesBackAndObeysTheStructureRules() throws Exception {
    Optional<Path> folder = SharedDatasets.resolve("alpaca-eval/model_outputs");
    assumeTrue(folder.isPresent(), "shared datasets absent");
    List<Sample> samples = read(folder.get());
    assumeTrue(!samples.isEmpty(), "no alpaca-eval answers");
    List<String> escaped = new ArrayList<>();
    samples.forEach(s -> escaped.add(TagEscaper.escape(s.answer())));
    RulesTeacher teacher = new RulesTeacher();
    int parallel = 0;
    List<String> failures = new ArrayList<>();
    for (int i = 0; i < samples.size(); i++) {
      Sample s = samples.get(i);
      List<String> candidates = teacher.rewrite(s, escaped.get(i), 3);
      parallel += candidates.isEmpty() ? 0 : 1;
      for (String c : candidates) {
        try {
          Response r = AnnotationCodec.parse(c, s.answer());
          if (!r.isParallel() || !StructureRules.problems(r).isEmpty()) {
            failures.add(s.id() + ": " + StructureRules.problems(r));
          }
        } catch (AnnotationException e) {
          failures.add(s.id() + ": " + e.code() + " " + e.getMessage());
        }
      }
    }
    assertEquals(List.of(), failures.subList(0, Math.min(5, failures.size())));
    double share = parallel / (double) samples.size();
    assertTrue(share > 0.1 && share < 0.9, "parallel share " + share);
    double[] rates = new double[3];
    for (int pass = 0; pass < rates.length; pass++) {
      long start = System.nanoTime();
      for (int i = 0; i < samples.size(); i++) {
        teacher.rewrite(samples.get(i), escaped.get(i), 3);
      }
      rates[pass] = samples.size() / ((System.nanoTime() - start) / 1e9);
    }
    Arrays.sort(rates);
    System.out.printf("RulesTeacher on %d alpaca-eval answers: %.1f%% parallel; %.0f answers/s single thread "
        + "(median of 3 passes: %.0f, %.0f, %.0f)%n", samples.size(), 100 * share, rates[1], rates[0], rates[1],
        rates[2]);
  }

  private static List<Sample> read(Path folder) throws Exception {
    ObjectMapper json = new ObjectMapper();
    List<Sample> out = new ArrayList<>();
    try (Stream<Path> files = Files.list(folder)) {
      for (Path f : files.filter(p -> p.toString().endsWith(".json")).sorted().toList()) {
        int i = 0;
        for (JsonNode n : json.readTree(f.toFile())) {
          out.add(new Sample(f.getFileName() + "#" + i++, f.toString(), n.path("generator").asText(),
              n.path("dataset").asText(), "", List.of(), n.path("instruction").asText(), n.path("output").asText()));
        }
      }
    }
    return out;
  }
}
