package org.aspd.teacher.llm;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.aspd.teacher.llm.config.LlmTeacherConfig;
import org.aspd.teacher.llm.config.Provider;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The endpoint limit holds for the teacher as a whole, on simulated time. */
class RateLimitedTeacherTest {
  @TempDir Path cache;

  @Test
  void sixtyRequestsPerMinuteMeansOneRequestPerSimulatedSecond() throws Exception {
    FakeTime time = new FakeTime();
    List<Double> arrivals = new CopyOnWriteArrayList<>();
    try (FakeLlmServer server = FakeLlmServer.openAi((r, s) -> {
      arrivals.add(time.seconds());
      return s.verdict("pass", "ok");
    })) {
      LlmTeacherConfig config = Fixtures.config(server, cache, Provider.OPENAI).mapStages(m -> m.withLimits(60, 0));
      try (LlmTeacher t = Fixtures.teacher(config, time, new UsageLedger())) {
        for (int vote = 0; vote < 4; vote++) {
          t.judgeFormat(Fixtures.sample(), Fixtures.ANSWER, vote);
        }
        // Stages share the endpoint's bucket: the next stage waits its turn too.
        t.judgeAnswer(Fixtures.sample(), Fixtures.ANSWER, 0);
      }
      assertEquals(List.of(0.0, 1.0, 2.0, 3.0, 4.0), arrivals);
    }
  }
}
