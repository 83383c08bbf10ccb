// The §5 visibility rule, shared by the CPU paths and the CUDA kernels (host + device).
//
// Packed prefill: token i may attend to j iff j <= i and not (group[i] == group[j] >= 0 and
// branch[i] != branch[j]).
// Decode against a tagged KV cache: a query tagged (pos, g, b) may attend to an entry tagged
// (pos_e, g_e, b_e) iff pos_e <= pos and the same label rule holds. Under Same-Seq positions
// (our single convention, §6) this equals the packed rule: main positions are packed indices and
// branch positions are compressed below them, so "earlier position" = "earlier token" for every
// pair that is not a sibling pair (tested in attention tests).
#pragma once

#include <cstdint>

#if defined(__CUDACC__)
#define ASPD_HD __host__ __device__ __forceinline__
#else
#define ASPD_HD inline
#endif

namespace aspd {

// Label part of the rule: siblings (same group, different branch) never see each other.
ASPD_HD bool label_visible(int32_t g_query, int32_t b_query, int32_t g_key, int32_t b_key) {
  return !(g_query >= 0 && g_query == g_key && b_query != b_key);
}

ASPD_HD bool packed_visible(int64_t i, int64_t j, int32_t gi, int32_t bi, int32_t gj, int32_t bj) {
  return j <= i && label_visible(gi, bi, gj, bj);
}

ASPD_HD bool tagged_visible(int32_t pos_q, int32_t g_q, int32_t b_q, int32_t pos_e, int32_t g_e,
                            int32_t b_e) {
  return pos_e <= pos_q && label_visible(g_q, b_q, g_e, b_e);
}

// Label ranges of a tile of consecutive tokens; used to skip whole tiles without looking at pairs.
struct TileLabels {
  int32_t g_min, g_max, b_min, b_max;
};

ASPD_HD TileLabels summarize_tile(const int32_t* group, const int32_t* branch, int64_t begin,
                                  int64_t end) {
  TileLabels t{group[begin], group[begin], branch[begin], branch[begin]};
  for (int64_t i = begin + 1; i < end; ++i) {
    t.g_min = group[i] < t.g_min ? group[i] : t.g_min;
    t.g_max = group[i] > t.g_max ? group[i] : t.g_max;
    t.b_min = branch[i] < t.b_min ? branch[i] : t.b_min;
    t.b_max = branch[i] > t.b_max ? branch[i] : t.b_max;
  }
  return t;
}

// True only when no pair (query in q, key in k) is visible by labels: every query lies in one
// branch b of group g >= 0, every key lies in group g (hence in a branch), and b is outside the
// keys' branch-id range. Conservative: false means "look at the pairs".
ASPD_HD bool tile_pair_invisible(const TileLabels& q, const TileLabels& k) {
  const bool query_in_one_branch = q.g_min >= 0 && q.g_min == q.g_max && q.b_min == q.b_max;
  const bool keys_in_that_group = k.g_min == q.g_min && k.g_max == q.g_min;
  return query_in_one_branch && keys_in_that_group && (k.b_max < q.b_min || k.b_min > q.b_min);
}

// True only when every pair (query in q, key in k) is visible by labels: all queries or all keys
// are main, the queries' groups (>= 0) and the keys' groups cannot meet, or queries and keys all
// lie in one branch. Causality (j <= i) is not part of it. Conservative: false means "look at the
// pairs". Lets a kernel drop the per-element mask on tiles wholly below the diagonal.
ASPD_HD bool tile_pair_all_visible(const TileLabels& q, const TileLabels& k) {
  if (q.g_max < 0 || k.g_max < 0) return true;
  const int32_t q_group_lo = q.g_min < 0 ? 0 : q.g_min;  // main queries (-1) see every key
  if (k.g_max < q_group_lo || k.g_min > q.g_max) return true;
  return q.g_min == q.g_max && k.g_min == q.g_min && k.g_max == q.g_min && q.b_min == q.b_max &&
         k.b_min == q.b_min && k.b_max == q.b_min;
}

}  // namespace aspd
