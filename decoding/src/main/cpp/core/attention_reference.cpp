#include "attention_reference.h"

#include <cmath>
#include <limits>
#include <vector>

#include "visibility.h"

namespace aspd {

namespace {

// Softmax-weighted sum over the keys for which visible(j) holds; q_row [D], K/V rows at stride.
template <typename Visible>
void attend_row(const float* q_row, const float* k, const float* v, int64_t num_keys,
                int64_t kv_stride, int32_t D, double scale, Visible visible, double* out) {
  std::vector<double> scores(num_keys, -std::numeric_limits<double>::infinity());
  double max_score = -std::numeric_limits<double>::infinity();
  for (int64_t j = 0; j < num_keys; ++j) {
    if (!visible(j)) continue;
    const float* k_row = k + j * kv_stride;
    double s = 0.0;
    for (int32_t d = 0; d < D; ++d) s += static_cast<double>(q_row[d]) * k_row[d];
    scores[j] = s * scale;
    if (std::isnan(scores[j])) {  // std::max would drop it; a NaN input makes a NaN row
      for (int32_t d = 0; d < D; ++d) out[d] = std::numeric_limits<double>::quiet_NaN();
      return;
    }
    max_score = std::max(max_score, scores[j]);
  }
  for (int32_t d = 0; d < D; ++d) out[d] = 0.0;
  if (max_score == -std::numeric_limits<double>::infinity()) return;  // nothing visible
  double denom = 0.0;
  for (int64_t j = 0; j < num_keys; ++j) {
    if (!visible(j)) continue;
    const double p = std::exp(scores[j] - max_score);
    denom += p;
    const float* v_row = v + j * kv_stride;
    for (int32_t d = 0; d < D; ++d) out[d] += p * v_row[d];
  }
  for (int32_t d = 0; d < D; ++d) out[d] /= denom;
}

}  // namespace

void prefill_reference_row(const float* q, const float* k, const float* v, const int32_t* group,
                           const int32_t* branch, const PrefillDims& dims, double scale, int64_t i,
                           int32_t h, double* out) {
  const int32_t kv_head = h / (dims.H / dims.Hkv);
  const int64_t kv_stride = static_cast<int64_t>(dims.Hkv) * dims.D;
  const float* q_row = q + (i * dims.H + h) * dims.D;
  auto visible = [&](int64_t j) {
    return packed_visible(i, j, group[i], branch[i], group[j], branch[j]);
  };
  attend_row(q_row, k + kv_head * dims.D, v + kv_head * dims.D, i + 1, kv_stride, dims.D, scale,
             visible, out);
}

void prefill_reference(const float* q, const float* k, const float* v, const int32_t* group,
                       const int32_t* branch, const PrefillDims& dims, double scale, double* out) {
  for (int64_t i = 0; i < dims.T; ++i)
    for (int32_t h = 0; h < dims.H; ++h)
      prefill_reference_row(q, k, v, group, branch, dims, scale, i, h,
                            out + (i * dims.H + h) * dims.D);
}

void decode_reference(const float* q, const float* k, const float* v, TokenTags query,
                      TokenTags entry, const DecodeDims& dims, double scale, double* out) {
  const int64_t kv_stride = static_cast<int64_t>(dims.Hkv) * dims.D;
  for (int64_t a = 0; a < dims.A; ++a) {
    auto visible = [&](int64_t e) {
      return tagged_visible(query.position[a], query.group[a], query.branch[a], entry.position[e],
                            entry.group[e], entry.branch[e]);
    };
    for (int32_t h = 0; h < dims.H; ++h) {
      const int32_t kv_head = h / (dims.H / dims.Hkv);
      attend_row(q + (a * dims.H + h) * dims.D, k + kv_head * dims.D, v + kv_head * dims.D, dims.N,
                 kv_stride, dims.D, scale, visible, out + (a * dims.H + h) * dims.D);
    }
  }
}

}  // namespace aspd
