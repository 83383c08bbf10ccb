// §8(d) for any engine (CPU or GPU backend): whatever the weights and the sampler, every output
// parses under §1, and the engine's positions and labels equal the layout's.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "core/layout.h"
#include "engine/engine.h"
#include "mini_test.h"

namespace aspd::testing {

struct GenerateTally {
  int with_groups = 0, eos_stops = 0, budget_stops = 0;
};

// 40 runs from the prompt {12, 13, 14}, at most 60 new tokens, over greedy and T = 0.7, 1, 3,
// top-k 0 / 8 and top-p 1 / 0.9; `vocab` is the layout's vocabulary. `each` adds checks per run.
template <typename Each>
GenerateTally check_generated_outputs_parse(Engine& e, const SpecialTokens& st, int64_t vocab, Each each) {
  const std::vector<int32_t> prompt = {12, 13, 14};
  const float temperatures[] = {0.f, 0.7f, 1.f, 3.f};
  GenerateTally tally;
  std::string err;
  for (uint64_t seed = 0; seed < 40; ++seed) {
    const SamplerConfig sampling{temperatures[seed % 4], seed % 3 == 0 ? 0 : 8, seed % 2 == 0 ? 1.f : 0.9f, seed};
    DecodeRun run;
    CHECK_MSG(engine_generate(e, prompt.data(), 3, sampling, 60, &run, &err), err);
    const std::vector<int32_t> response(run.ids.begin() + 3, run.ids.end());
    SampleLayout lay;
    LayoutError lerr;
    CHECK_MSG(compute_layout(response.data(), response.size(), st, vocab, &lay, &lerr),
              "seed " << seed << ": " << lerr.message);
    for (size_t t = 0; t < response.size(); ++t) {
      CHECK_EQ(run.position[3 + t], 3 + lay.positions[0][t]);
      CHECK_EQ(run.group[3 + t], lay.group_id[t]);
      CHECK_EQ(run.branch[3 + t], lay.branch_id[t]);
    }
    CHECK(run.stop == StopReason::kEos || run.stop == StopReason::kBudget);
    tally.with_groups += lay.groups.empty() ? 0 : 1;
    tally.eos_stops += run.stop == StopReason::kEos;
    tally.budget_stops += run.stop == StopReason::kBudget;
    each(run, lay);
  }
  return tally;
}

inline GenerateTally check_generated_outputs_parse(Engine& e, const SpecialTokens& st, int64_t vocab) {
  return check_generated_outputs_parse(e, st, vocab, [](const DecodeRun&, const SampleLayout&) {});
}

}  // namespace aspd::testing
