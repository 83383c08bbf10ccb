package org.aspd.teacher.llm;

import java.util.Optional;
import org.aspd.teacher.CallTrail;
import org.aspd.teacher.ReplayMissException;
import org.aspd.teacher.TeacherException;
import org.aspd.teacher.llm.cache.CachedCall;
import org.aspd.teacher.llm.cache.CallCache;
import org.aspd.teacher.llm.call.LlmReply;
import org.aspd.teacher.llm.call.LlmRequest;
import org.aspd.teacher.llm.call.ResilientCaller;

/**
 * Answers a request from the cache when it can, from the provider otherwise, and records every
 * completed provider call before returning it, so a rerun after a crash pays for no completed call.
 * Failed calls are never recorded: a rerun tries them again. In replay mode the provider is never
 * asked and a miss is an error naming the stage and key.
 */
final class CallRunner {
  /** Where the answer came from, for callers that report it. */
  record Answer(LlmReply reply, String key, boolean cached) {}

  private final ResilientCaller caller;
  private final CallCache cache; // null: --noCache
  private final boolean replay;
  private final UsageLedger ledger;

  CallRunner(ResilientCaller caller, CallCache cache, boolean replay, UsageLedger ledger) {
    this.caller = caller;
    this.cache = cache;
    this.replay = replay;
    this.ledger = ledger;
  }

  Answer run(LlmRequest request) throws TeacherException {
    String key = request.cacheKey();
    if (cache != null) {
      Optional<CachedCall> hit = cache.get(key);
      if (hit.isPresent()) {
        ledger.cacheHit(request.stage(), request.settings());
        CachedCall c = hit.get();
        CallTrail.record(request.stage().id(), request.index(), key);
        return new Answer(new LlmReply(c.text(), c.finishReason(), c.inputTokens(), c.outputTokens()), key, true);
      }
    }
    if (replay) {
      throw new ReplayMissException("replay miss: no recorded " + request.stage().id() + " call with key " + key
          + " (index " + request.index() + ") in " + cache.dir() + "; run without replay to record it");
    }
    LlmReply reply = caller.call(request);
    ledger.paidCall(request.stage(), request.settings(), reply.inputTokens(), reply.outputTokens());
    CallTrail.record(request.stage().id(), request.index(), key);
    if (cache != null) {
      cache.put(new CachedCall(key, request.stage().id(), request.settings().label(), request.promptVersion(),
          request.index(), reply.text(), reply.finishReason(), reply.inputTokens(), reply.outputTokens()));
    }
    return new Answer(reply, key, false);
  }
}
