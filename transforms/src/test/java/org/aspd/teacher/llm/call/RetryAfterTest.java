package org.aspd.teacher.llm.call;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.time.Duration;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class RetryAfterTest {
  private static final long NOW = 1_767_225_600_000L; // Thu, 01 Jan 2026 00:00:00 GMT

  @Test
  void readsSecondsAndHttpDates() {
    assertEquals(Optional.of(Duration.ofSeconds(7)), RetryAfter.parse("7", NOW));
    assertEquals(Optional.of(Duration.ofMillis(1500)), RetryAfter.parse(" 1.5 ", NOW));
    assertEquals(Optional.of(Duration.ofSeconds(90)), RetryAfter.parse("Thu, 01 Jan 2026 00:01:30 GMT", NOW));
    assertEquals(Optional.of(Duration.ZERO), RetryAfter.parse("Wed, 31 Dec 2025 23:59:00 GMT", NOW), "past dates mean now");
  }

  @Test
  void ignoresWhatItCannotRead() {
    assertEquals(Optional.empty(), RetryAfter.parse(null, NOW));
    assertEquals(Optional.empty(), RetryAfter.parse("soon", NOW));
    assertEquals(Optional.empty(), RetryAfter.parse("-3", NOW));
  }
}
