// Attention of a decode step (M <= 16 new rows) against the KV cache under the tag rule.
//
// One block per (query head, split of the cache entries), covering every step row; the
// kDecodeAttentionSplits blocks of a head form a thread-block cluster (Hopper). Each block copies
// its entries' K and V rows into shared memory once for all rows (cp.async), scores them on tensor
// cores (the step rows as one m16 tile: 8 rows cost what 1 does), keeps an online-softmax state per
// row in its shared memory (P.V in fp32); after a cluster barrier every block of the
// head reads all the splits' states through distributed shared memory and writes its share of the
// output, summing the splits in split order (deterministic). No global scratch, no atomics, one
// launch per layer. Each split's range follows the cache length read on the device, so one
// captured CUDA graph serves every length.
//
// The step rows' q, k and v come either from the cache and a q buffer (the fused products leave
// them there), or straight from the QKV product (DecodeQkv::qkv): then each block adds the bias and
// rotates (RoPE) what it needs itself, and the first query head of each KV group appends the new
// entries to the cache: the separate bias + RoPE + append kernel is not needed.
#pragma once

#include <cstdint>

#include "model_kernels.h"

namespace aspd {

constexpr int32_t kDecodeAttentionSplits = 8;  // the cluster size (8: portable on every Hopper part)
constexpr int32_t kDecodeAttentionMaxRows = 16;

struct DecodeQkv {
  // bf16 [M, H, D], the new entries already in the cache (when qkv == nullptr).
  const bf16* q = nullptr;
  // Or the fp32 QKV product [M, (H + 2 Hkv) D] (+ bias [(H + 2 Hkv) D] when not null), rotated as
  // qkv_rope_append does by the step's RoPE table rope [M, D / 2] of float2 (cos, sin)
  // (launch_decode_prologue), the new k and v appended to the cache.
  const float* qkv = nullptr;
  const float* bias = nullptr;
  const float* rope = nullptr;
};

// Head dims the kernel takes: multiples of 16 (the k of its tensor-core steps) up to 256.
inline bool decode_attention_supports(int32_t D) { return D >= 16 && D % 16 == 0 && D <= 256; }

// Whether a launch's arguments are ones the kernel can run on; launch_decode_attention refuses
// others with cudaErrorInvalidValue before anything runs: 1 to 16 rows, a supported head dim, H a
// positive multiple of Hkv, the step inputs and tags present, 16-byte aligned caches, and either
// the QKV product (whose mode wins when both are set) with its RoPE table, or a 16-byte aligned q.
inline bool decode_attention_args_ok(const DecodeQkv& in, const bf16* k_cache, const bf16* v_cache,
                                     const EntryTags& tags, const StepIoView& io, int32_t H, int32_t Hkv, int32_t D,
                                     const bf16* out) {
  auto aligned = [](const void* p, uintptr_t bytes) { return reinterpret_cast<uintptr_t>(p) % bytes == 0; };
  if (io.base == nullptr || io.M < 1 || io.M > kDecodeAttentionMaxRows || !decode_attention_supports(D)) return false;
  if (H <= 0 || Hkv <= 0 || H % Hkv != 0) return false;
  if (tags.position == nullptr || tags.group == nullptr || tags.branch == nullptr) return false;
  if (k_cache == nullptr || v_cache == nullptr || out == nullptr || !aligned(k_cache, 16) || !aligned(v_cache, 16) ||
      !aligned(out, 2))
    return false;
  if (in.qkv != nullptr)
    return in.rope != nullptr && aligned(in.rope, 8) && aligned(in.qkv, 4) && (in.bias == nullptr || aligned(in.bias, 4));
  return in.q != nullptr && aligned(in.q, 16);
}

// out bf16 [M, H * D]; decode_attention_args_ok. pdl: programmatic dependent launch (pdl.cuh).
cudaError_t launch_decode_attention(DecodeQkv in, bf16* k_cache, bf16* v_cache, EntryTags tags, StepIoView io,
                                    int32_t H, int32_t Hkv, int32_t D, float scale, bf16* out, cudaStream_t s,
                                    bool pdl = false);

}  // namespace aspd
