package org.aspd.model;

import java.io.Serializable;

/**
 * One LLM call a row's verdicts rest on (method §3.5: request hashes of all LLM calls). The key is
 * the call's cache key, so {@code CACHE/ab/abcd….json} holds its recorded reply and
 * {@code --llm-replay} answers it again; re-asks after an unreadable reply are calls of their own.
 *
 * @param stage {@code rewrite}, {@code independence}, {@code format} or {@code answer}
 * @param candidate the candidate it judged; -1 for rewrite calls, whose {@code index} is the
 *     candidate they wrote (a greedy rewriter makes one call, index 0, for every candidate)
 * @param group the group it judged (independence), else -1
 * @param index the request index in the key: the candidate for rewrite, the vote for judges
 * @param key SHA-256 of the request (model settings, prompt version, messages, stage, index)
 */
public record LlmCall(String stage, int candidate, int group, int index, String key) implements Serializable {}
