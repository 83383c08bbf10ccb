package org.aspd.teacher.llm;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.aspd.format.Branch;
import org.aspd.format.Group;
import org.aspd.model.Sample;
import org.aspd.model.Turn;
import org.aspd.teacher.IndependenceQuery;
import org.aspd.teacher.llm.call.EndpointGuards;
import org.aspd.teacher.llm.config.BreakerSettings;
import org.aspd.teacher.llm.config.CacheSettings;
import org.aspd.teacher.llm.config.LlmTeacherConfig;
import org.aspd.teacher.llm.config.ModelSettings;
import org.aspd.teacher.llm.config.Provider;
import org.aspd.teacher.llm.config.RetrySettings;

/** Samples and teacher wiring shared by the teacher-level tests. */
final class Fixtures {
  static final String SECRET = "sk-test-DO-NOT-LEAK-7f3a9c";
  static final String ANSWER = "Two options:\n\n1. **Tea**: steep for 3 minutes.\n\n2. **Coffee**: brew for 4 minutes.\n\nEnjoy!";
  static final String ANNOTATED = "Two options:\n\n<branchgroup><branch title=\"Tea\">1. **Tea**: steep for 3 minutes.</branch>\n\n"
      + "<branch title=\"Coffee\">2. **Coffee**: brew for 4 minutes.</branch></branchgroup>\n\nEnjoy!";

  private Fixtures() {}

  static Sample sample() {
    return new Sample("s1", "test.jsonl", "gpt", "generic", "Be brief.",
        List.of(new Turn("user", "Hi"), new Turn("assistant", "Hello!")), "Tea or coffee?", ANSWER);
  }

  static IndependenceQuery query() {
    Group g = new Group(List.of(new Branch("Tea", "1. **Tea**: steep for 3 minutes.\n\n"),
        new Branch("Coffee", "2. **Coffee**: brew for 4 minutes.\n\n")));
    return new IndependenceQuery(sample(), "Two options:\n\n", g, "Enjoy!");
  }

  /** One endpoint for every stage, quick settings for tests: short timeout, fake-time back-off. */
  static LlmTeacherConfig config(FakeLlmServer server, Path cacheDir, Provider provider) {
    ModelSettings m = ModelSettings.of(provider, server.baseUrl(), "test-model")
        .withTemperature(0.7).withTimeoutSeconds(2);
    return LlmTeacherConfig.single(m)
        .withCache(new CacheSettings(cacheDir.toString(), true, false))
        .withRetry(new RetrySettings(3, 100L, 10_000L))
        .withBreaker(new BreakerSettings(50, 30.0));
  }

  static LlmTeacher teacher(LlmTeacherConfig config, FakeTime time, UsageLedger ledger) {
    return LlmTeacher.builder(config)
        .secrets(new Secrets(name -> Map.of("OPENAI_API_KEY", SECRET, "ANTHROPIC_API_KEY", SECRET).get(name)))
        .guards(new EndpointGuards(time))
        .ledger(ledger)
        .build();
  }
}
