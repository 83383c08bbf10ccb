// A CPU emulation of the CUDA thread machine for kernel tests that need no GPU: one std::thread
// per CUDA thread, blocks and warps as shared barriers, and the warp primitives (ldmatrix,
// mma.sync m16n8k16, cp.async, shuffles) implemented from their PTX ISA definitions. A kernel
// written against these names (prefill_mma_kernel.cu, decode_mega_body.cuh) runs unchanged.
//
// What it makes visible: fragment layouts; cp.async read before its wait (the destination holds
// 0xFF, NaN in bf16 and fp16, until the issuing thread waits); shared-memory and cp.async source
// bounds and alignment; divergence (a collective or barrier that not every thread reaches times
// out and fails).
#pragma once

#include <cuda_bf16.h>
#include <cuda_fp16.h>

#include <chrono>
#include <cmath>
#include <condition_variable>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <deque>
#include <mutex>
#include <string>
#include <thread>
#include <type_traits>
#include <vector>

namespace aspd::emu {

// ---- emulated machine --------------------------------------------------------------------------

[[noreturn]] inline void emu_fail(const std::string& what) {
  std::fprintf(stderr, "EMULATION FAILURE: %s\n", what.c_str());
  std::abort();
}

// Reusable barrier; a wait longer than the timeout means some thread never arrives (divergence).
class Barrier {
 public:
  explicit Barrier(int count) : count_(count) {}
  void wait(const char* what) {
    std::unique_lock<std::mutex> lock(mu_);
    const uint64_t gen = generation_;
    if (++waiting_ == count_) {
      waiting_ = 0;
      ++generation_;
      cv_.notify_all();
      return;
    }
    if (!cv_.wait_for(lock, std::chrono::seconds(60), [&] { return generation_ != gen; }))
      emu_fail(std::string("deadlock in ") + what + ": not every thread arrived");
  }

 private:
  std::mutex mu_;
  std::condition_variable cv_;
  int count_, waiting_ = 0;
  uint64_t generation_ = 0;
};

struct WarpExchange {
  Barrier barrier{32};
  const void* ptr[32];
  uint32_t a[32][4], b[32][2];
  float f[32];
  int32_t i[32];
};

struct BlockEmu {
  BlockEmu(int threads, unsigned char* smem_, size_t bytes)
      : barrier(threads), warps(threads / 32), smem(smem_), smem_bytes(bytes) {}
  Barrier barrier;
  std::deque<WarpExchange> warps;
  unsigned char* smem;
  size_t smem_bytes;
};

struct PendingCopy {
  unsigned char* dst;
  unsigned char data[16];
  int bytes;
};

struct GlobalRange {
  const unsigned char* begin;
  size_t bytes;
};

inline std::vector<GlobalRange> g_readable;  // what cp.async may read (set by the test before a run)
inline std::mutex g_atomic_mu;  // emulated atomics

inline thread_local BlockEmu* tl_block = nullptr;
inline thread_local int tl_tid = 0;
inline thread_local std::vector<PendingCopy> tl_uncommitted;
inline thread_local std::deque<std::vector<PendingCopy>> tl_groups;

inline int lane_id() { return tl_tid % 32; }
inline WarpExchange& warp_exchange() { return tl_block->warps[tl_tid / 32]; }

inline void check_shared(const void* p, size_t bytes, size_t align, const char* what) {
  const auto* c = static_cast<const unsigned char*>(p);
  if (c < tl_block->smem || c + bytes > tl_block->smem + tl_block->smem_bytes)
    emu_fail(std::string(what) + ": shared address out of range");
  if (static_cast<size_t>(c - tl_block->smem) % align != 0)
    emu_fail(std::string(what) + ": misaligned shared address");
}

inline void check_global(const void* p, size_t bytes, const char* what) {
  const auto* c = static_cast<const unsigned char*>(p);
  if (reinterpret_cast<uintptr_t>(c) % bytes != 0) emu_fail(std::string(what) + ": misaligned source");
  for (const GlobalRange& r : g_readable)
    if (c >= r.begin && c + bytes <= r.begin + r.bytes) return;
  emu_fail(std::string(what) + ": global source out of range");
}

// ---- primitives (the names prefill_mma_kernel.cu calls) -----------------------------------------

// ldmatrix.x4: lane l gives row l % 8 of matrix l / 8; register m of lane l = matrix m's
// (row l / 4, cols 2(l % 4), 2(l % 4) + 1); .trans: (rows 2(l % 4), 2(l % 4) + 1, col l / 4).
inline void ldmatrix_any(uint32_t (&r)[4], const void* row, bool trans) {
  check_shared(row, 16, 16, "ldmatrix");
  WarpExchange& x = warp_exchange();
  const int l = lane_id();
  x.ptr[l] = row;
  x.barrier.wait("ldmatrix");
  for (int m = 0; m < 4; ++m) {
    uint16_t lo, hi;
    if (!trans) {
      const auto* src = static_cast<const uint16_t*>(x.ptr[8 * m + l / 4]);
      lo = src[2 * (l % 4)];
      hi = src[2 * (l % 4) + 1];
    } else {
      lo = static_cast<const uint16_t*>(x.ptr[8 * m + 2 * (l % 4)])[l / 4];
      hi = static_cast<const uint16_t*>(x.ptr[8 * m + 2 * (l % 4) + 1])[l / 4];
    }
    r[m] = static_cast<uint32_t>(lo) | (static_cast<uint32_t>(hi) << 16);
  }
  x.barrier.wait("ldmatrix");
}

inline void ldmatrix_x4(uint32_t (&r)[4], const void* row) { ldmatrix_any(r, row, false); }
inline void ldmatrix_x4_trans(uint32_t (&r)[4], const void* row) { ldmatrix_any(r, row, true); }

template <typename T>
float half_bits_to_float(uint16_t bits) {
  if constexpr (std::is_same_v<T, __nv_bfloat16>) return __bfloat162float(__ushort_as_bfloat16(bits));
  else return __half2float(__ushort_as_half(bits));
}

// m16n8k16, A row-major 16x16: a0a1 (g, 2t..), a2a3 (g+8, 2t..), a4a5 (g, 2t+8..), a6a7 (g+8, 2t+8..);
// B 16x8: b0b1 (k 2t.., n g), b2b3 (k 2t+8.., n g); C: c0c1 (g, 2t..), c2c3 (g+8, 2t..).
template <typename T>
void mma_16816(float (&c)[4], const uint32_t (&a)[4], uint32_t b0, uint32_t b1) {
  WarpExchange& x = warp_exchange();
  const int l = lane_id();
  for (int e = 0; e < 4; ++e) x.a[l][e] = a[e];
  x.b[l][0] = b0;
  x.b[l][1] = b1;
  x.barrier.wait("mma");
  auto A = [&](int row, int k) {
    const uint32_t w = x.a[(row % 8) * 4 + (k % 8) / 2][(row >= 8 ? 1 : 0) + (k >= 8 ? 2 : 0)];
    return half_bits_to_float<T>(static_cast<uint16_t>(k % 2 ? w >> 16 : w & 0xffffu));
  };
  auto B = [&](int k, int n) {
    const uint32_t w = x.b[n * 4 + (k % 8) / 2][k >= 8 ? 1 : 0];
    return half_bits_to_float<T>(static_cast<uint16_t>(k % 2 ? w >> 16 : w & 0xffffu));
  };
  float d[4];
  for (int e = 0; e < 4; ++e) {
    const int row = l / 4 + 8 * (e >> 1), col = 2 * (l % 4) + (e & 1);
    double acc = c[e];
    for (int k = 0; k < 16; ++k) acc += static_cast<double>(A(row, k)) * B(k, col);
    d[e] = static_cast<float>(acc);
  }
  x.barrier.wait("mma");
  for (int e = 0; e < 4; ++e) c[e] = d[e];
}

inline void cp_async_any(void* dst, const void* src, bool fill, int bytes, const char* what) {
  check_shared(dst, bytes, bytes, what);
  PendingCopy copy;
  copy.dst = static_cast<unsigned char*>(dst);
  copy.bytes = bytes;
  std::memset(copy.data, 0, sizeof(copy.data));
  if (fill) {
    check_global(src, bytes, what);
    std::memcpy(copy.data, src, bytes);
  }
  std::memset(dst, 0xFF, bytes);  // in flight: the destination holds garbage until the wait
  tl_uncommitted.push_back(copy);
}

inline void cp_async_16(void* dst, const void* src, bool fill) { cp_async_any(dst, src, fill, 16, "cp.async 16"); }
inline void cp_async_4(void* dst, const void* src, bool fill) { cp_async_any(dst, src, fill, 4, "cp.async 4"); }

inline void cp_async_commit() {
  tl_groups.push_back(std::move(tl_uncommitted));
  tl_uncommitted.clear();
}

template <int kPending>
void cp_async_wait() {
  while (static_cast<int>(tl_groups.size()) > kPending) {
    for (const PendingCopy& c : tl_groups.front()) std::memcpy(c.dst, c.data, c.bytes);
    tl_groups.pop_front();
  }
}

template <typename V>
V shfl_any(V v, int mask, V (&slot)[32]) {
  WarpExchange& x = warp_exchange();
  const int l = lane_id();
  slot[l] = v;
  x.barrier.wait("shfl");
  const V other = slot[l ^ mask];
  x.barrier.wait("shfl");
  return other;
}

inline float shfl_xor(float v, int mask) { return shfl_any(v, mask, warp_exchange().f); }
inline int32_t shfl_xor(int32_t v, int mask) { return shfl_any(v, mask, warp_exchange().i); }

inline bool warp_all(bool pred) {  // a butterfly AND over the 32 lanes
  int32_t all = pred ? 1 : 0;
  for (int mask = 16; mask > 0; mask >>= 1) all &= shfl_xor(all, mask);
  return all != 0;
}

inline void block_sync() { tl_block->barrier.wait("__syncthreads"); }

// Butterfly reductions over the 32 lanes (warp_reduce.cuh's, from the emulated shuffle).
inline float warp_sum(float x) {
  for (int mask = 16; mask > 0; mask >>= 1) x += shfl_xor(x, mask);
  return x;
}
inline float warp_max(float x) {
  for (int mask = 16; mask > 0; mask >>= 1) x = std::fmax(x, shfl_xor(x, mask));
  return x;
}

// Thread-block clusters: each cluster's barrier, each rank's dynamic shared memory, and the rank that
// arrives late at every cluster barrier (so that a peer's shared memory read before its block wrote
// it shows up). The test points each thread at its cluster and rank before running the block.
struct ClusterEmu {
  explicit ClusterEmu(int threads) : barrier(threads) {}
  Barrier barrier;
  std::vector<unsigned char*> smem;
  int late_rank = 0;
};
inline thread_local ClusterEmu* tl_cluster = nullptr;
inline thread_local int tl_cluster_rank = 0;

inline void cluster_barrier() {
  if (tl_cluster_rank == tl_cluster->late_rank) std::this_thread::sleep_for(std::chrono::milliseconds(3));
  tl_cluster->barrier.wait("cluster barrier");
}

// The same dynamic shared-memory address in the cluster's block of that rank.
template <typename T>
const T* cluster_peer(T* p, int rank) {
  const auto offset = reinterpret_cast<unsigned char*>(p) - tl_block->smem;
  if (offset < 0 || static_cast<size_t>(offset) >= tl_block->smem_bytes)
    emu_fail("cluster_peer: not a dynamic shared memory address");
  if (rank < 0 || rank >= static_cast<int>(tl_cluster->smem.size())) emu_fail("cluster_peer: no such rank");
  return reinterpret_cast<const T*>(tl_cluster->smem[rank] + offset);
}

// Programmatic dependent launch (pdl.cuh) has nothing to wait for on the emulation: one launch.
inline void pdl_wait() {}
inline void pdl_launch_dependents() {}

}  // namespace aspd::emu
