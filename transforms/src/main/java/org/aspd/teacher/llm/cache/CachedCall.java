package org.aspd.teacher.llm.cache;

/**
 * One recorded call as stored on disk. It holds what is needed to answer again and to account for
 * it, plus a little provenance; never the key, the base URL or the messages.
 */
public record CachedCall(
    String key,
    String stage,
    String model,
    String promptVersion,
    int index,
    String text,
    String finishReason,
    long inputTokens,
    long outputTokens) {}
