// Float64 reference attention: the oracle every faster path is checked against.
// Plain two-pass softmax over the visible keys, accumulated in double. Layouts: attention_dims.h.
#pragma once

#include "attention_dims.h"

namespace aspd {

// One output row: token i, query head h -> out [D] (double).
void prefill_reference_row(const float* q, const float* k, const float* v, const int32_t* group,
                           const int32_t* branch, const PrefillDims& dims, double scale, int64_t i,
                           int32_t h, double* out);

// All rows: out [T, H, D].
void prefill_reference(const float* q, const float* k, const float* v, const int32_t* group,
                       const int32_t* branch, const PrefillDims& dims, double scale, double* out);

// Decode step: out [A, H, D] for queries Q [A, H, D] against the tagged cache K/V [N, Hkv, D].
void decode_reference(const float* q, const float* k, const float* v, TokenTags query,
                      TokenTags entry, const DecodeDims& dims, double scale, double* out);

}  // namespace aspd
