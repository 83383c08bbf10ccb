package org.aspd.teacher.llm.call;

/**
 * Requests-per-minute and tokens-per-minute limits of one endpoint (either may be off). Token use is
 * reserved from an estimate before the call and settled with the provider's count afterwards.
 */
final class RateLimiter {
  private final TokenBucket requests;
  private final TokenBucket tokens;
  private final TimeSource time;

  RateLimiter(int requestsPerMinute, int tokensPerMinute, TimeSource time) {
    this.requests = requestsPerMinute > 0 ? new TokenBucket(requestsPerMinute, time) : null;
    this.tokens = tokensPerMinute > 0 ? new TokenBucket(tokensPerMinute, time) : null;
    this.time = time;
  }

  void acquire(int estimatedTokens) throws InterruptedException {
    long wait = 0;
    if (requests != null) {
      wait = Math.max(wait, requests.reserve(1));
    }
    if (tokens != null) {
      wait = Math.max(wait, tokens.reserve(estimatedTokens));
    }
    time.sleepNanos(wait);
  }

  void settle(int estimatedTokens, long actualTokens) {
    if (tokens != null && actualTokens > 0) {
      tokens.adjust(actualTokens - estimatedTokens);
    }
  }
}
