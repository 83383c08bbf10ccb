package org.aspd.teacher.llm.config;

import java.io.Serializable;

/**
 * The per-endpoint circuit breaker: after {@code failureThreshold} consecutive failed attempts the
 * endpoint is considered down and calls fail at once for {@code coolDownSeconds}; then one trial call
 * decides whether it closes again.
 */
public record BreakerSettings(Integer failureThreshold, Double coolDownSeconds) implements Serializable {
  public BreakerSettings {
    failureThreshold = failureThreshold == null ? 10 : failureThreshold;
    coolDownSeconds = coolDownSeconds == null ? 30.0 : coolDownSeconds;
    if (failureThreshold < 1 || coolDownSeconds < 0) {
      throw new IllegalArgumentException("circuitBreaker: failureThreshold >= 1, coolDownSeconds >= 0");
    }
  }

  public static BreakerSettings defaults() {
    return new BreakerSettings(null, null);
  }
}
