#include "attention_cpu.h"

#include <algorithm>
#include <atomic>
#include <cmath>
#include <limits>
#include <thread>
#include <vector>

#include "cpu_util.h"
#include "visibility.h"

namespace aspd {

namespace {

constexpr float kNegInf = -std::numeric_limits<float>::infinity();

// Online-softmax state of one query row: running max m, running denominator l, acc [D].
struct RowState {
  float m = kNegInf;
  float l = 0.f;
  float* acc;
  bool nan = false;  // a visible score was NaN: the row's softmax is undefined
};

// Folds the visible keys of one key tile into a row: scores first (so the max is known), then
// one rescale of acc and the weighted sum of V rows.
template <typename Visible>
void fold_tile(RowState& row, const float* q_row, const float* k, const float* v, int64_t k0,
               int64_t k1, int64_t kv_stride, int32_t D, float scale, Visible visible,
               float* scores) {
  if (row.nan) return;
  float tile_max = kNegInf;
  for (int64_t j = k0; j < k1; ++j) {
    scores[j - k0] = visible(j) ? dot(q_row, k + j * kv_stride, D) * scale : kNegInf;
    // std::max drops a NaN, so a tile of NaN scores would read as "nothing visible" and the row
    // as zeros; a NaN input must come out as NaN, as it does from a softmax.
    if (std::isnan(scores[j - k0])) {
      row.nan = true;
      return;
    }
    tile_max = std::max(tile_max, scores[j - k0]);
  }
  if (tile_max == kNegInf) return;
  const float m_new = std::max(row.m, tile_max);
  const float alpha = std::exp(row.m - m_new);  // exp(-inf) = 0 on the first visible tile
  row.l *= alpha;
  for (int32_t d = 0; d < D; ++d) row.acc[d] *= alpha;
  for (int64_t j = k0; j < k1; ++j) {
    if (scores[j - k0] == kNegInf) continue;
    const float p = std::exp(scores[j - k0] - m_new);
    row.l += p;
    const float* v_row = v + j * kv_stride;
    for (int32_t d = 0; d < D; ++d) row.acc[d] += p * v_row[d];
  }
  row.m = m_new;
}

void finish_row(const RowState& row, int32_t D, float* out) {
  if (row.nan) {
    std::fill(out, out + D, std::numeric_limits<float>::quiet_NaN());
    return;
  }
  const float inv = row.l > 0.f ? 1.f / row.l : 0.f;
  for (int32_t d = 0; d < D; ++d) out[d] = row.acc[d] * inv;
}

}  // namespace

CpuAttention* create_cpu_attention(int32_t threads) {
  if (threads <= 0) threads = static_cast<int32_t>(std::max(1u, std::thread::hardware_concurrency()));
  return new CpuAttention{threads};
}

void free_cpu_attention(CpuAttention* ctx) { delete ctx; }

void prefill_cpu(const CpuAttention* ctx, const float* q, const float* k, const float* v,
                 const int32_t* group, const int32_t* branch, const PrefillDims& dims, float scale,
                 float* out, TileStats* stats) {
  const int64_t T = dims.T;
  const int32_t D = dims.D;
  const int64_t q_tiles = (T + kCpuQueryTile - 1) / kCpuQueryTile;
  const int64_t k_tiles = (T + kCpuKeyTile - 1) / kCpuKeyTile;
  std::vector<TileLabels> q_sum(q_tiles), k_sum(k_tiles);
  for (int64_t t = 0; t < q_tiles; ++t)
    q_sum[t] = summarize_tile(group, branch, t * kCpuQueryTile, std::min(T, (t + 1) * kCpuQueryTile));
  for (int64_t t = 0; t < k_tiles; ++t)
    k_sum[t] = summarize_tile(group, branch, t * kCpuKeyTile, std::min(T, (t + 1) * kCpuKeyTile));

  const int64_t kv_stride = static_cast<int64_t>(dims.Hkv) * D;
  const int32_t heads_per_kv = dims.H / dims.Hkv;
  std::atomic<int64_t> visited{0}, skipped{0};
  parallel_for(ctx->threads, q_tiles * dims.H, [&](int64_t task) {
    const int32_t h = static_cast<int32_t>(task % dims.H);
    const int64_t qt = task / dims.H;
    const int64_t q0 = qt * kCpuQueryTile, q1 = std::min(T, q0 + kCpuQueryTile);
    const float* k_head = k + (h / heads_per_kv) * D;
    const float* v_head = v + (h / heads_per_kv) * D;
    std::vector<float> acc((q1 - q0) * D, 0.f), scores(kCpuKeyTile);
    std::vector<RowState> rows(q1 - q0);
    for (int64_t r = 0; r < q1 - q0; ++r) rows[r].acc = acc.data() + r * D;
    int64_t my_visited = 0, my_skipped = 0;
    for (int64_t kt = 0; kt * kCpuKeyTile < q1; ++kt) {
      ++my_visited;
      if (tile_pair_invisible(q_sum[qt], k_sum[kt])) {
        ++my_skipped;
        continue;
      }
      const int64_t k0 = kt * kCpuKeyTile;
      for (int64_t i = q0; i < q1; ++i) {
        const int64_t k1 = std::min(i + 1, std::min(T, k0 + kCpuKeyTile));  // causal bound
        if (k1 <= k0) continue;
        auto visible = [&](int64_t j) { return label_visible(group[i], branch[i], group[j], branch[j]); };
        fold_tile(rows[i - q0], q + (i * dims.H + h) * D, k_head, v_head, k0, k1, kv_stride, D,
                  scale, visible, scores.data());
      }
    }
    for (int64_t i = q0; i < q1; ++i) finish_row(rows[i - q0], D, out + (i * dims.H + h) * D);
    visited += my_visited;
    skipped += my_skipped;
  });
  if (stats != nullptr) {
    stats->visited = visited;
    stats->skipped = skipped;
  }
}

void decode_cpu(const CpuAttention* ctx, const float* q, const float* k, const float* v,
                TokenTags query, TokenTags entry, const DecodeDims& dims, float scale, float* out) {
  const int32_t D = dims.D;
  const int64_t kv_stride = static_cast<int64_t>(dims.Hkv) * D;
  const int32_t heads_per_kv = dims.H / dims.Hkv;
  parallel_for(ctx->threads, dims.A * dims.H, [&](int64_t task) {
    const int64_t a = task / dims.H;
    const int32_t h = static_cast<int32_t>(task % dims.H);
    std::vector<float> acc(D, 0.f), scores(kCpuKeyTile);
    RowState row;
    row.acc = acc.data();
    auto visible = [&](int64_t e) {
      return tagged_visible(query.position[a], query.group[a], query.branch[a], entry.position[e],
                            entry.group[e], entry.branch[e]);
    };
    for (int64_t e0 = 0; e0 < dims.N; e0 += kCpuKeyTile)
      fold_tile(row, q + (a * dims.H + h) * D, k + (h / heads_per_kv) * D,
                v + (h / heads_per_kv) * D, e0, std::min(dims.N, e0 + kCpuKeyTile), kv_stride, D,
                scale, visible, scores.data());
    finish_row(row, D, out + (a * dims.H + h) * D);
  });
}

}  // namespace aspd
