// Hopper warpgroup matrix multiply (wgmma.mma_async, PTX ISA 8.0, sm_90a) for the prefill kernel:
// A from registers, B from shared memory through a matrix descriptor, fp32 accumulators.
//
// Register layouts (per warp w of the warpgroup, g = lane / 4, t = lane % 4) are those of
// mma.sync m16n8k16 stacked over the warpgroup's 64 rows: warp w owns rows 16w..16w+15;
// A (m64k16, 16-bit): a0 = (g, 2t..2t+1), a1 = (g + 8, 2t..), a2 = (g, 2t + 8..), a3 = (g + 8, 2t + 8..);
// D (m64nN, f32): d[4j + 0..1] = (g, 8j + 2t..+1), d[4j + 2..3] = (g + 8, same columns).
//
// B in shared memory, no swizzle: 8 x 16-byte "core matrices" (128 contiguous bytes, 8 rows of
// 8 elements). K-major B (N rows, K contiguous): LBO = bytes between core matrices adjacent in K,
// SBO = between core matrices adjacent in N. MN-major B (transposed, kTransB = 1; K rows, N
// contiguous): core matrix = 8 K rows of 8 N elements; SBO steps N, LBO steps K.
//
// Only the sm_90a compilation has the instructions (ASPD_HAS_WGMMA); every other compilation traps,
// and the host launcher never picks this path there (prefill_wgmma_usable).
#pragma once

#include <cuda_bf16.h>
#include <cuda_fp16.h>

#include <cstdint>
#include <type_traits>

#if defined(__CUDA_ARCH_FEAT_SM90_ALL)
#define ASPD_HAS_WGMMA 1
#else
#define ASPD_HAS_WGMMA 0
#endif

#define ASPD_WGMMA_DEV __device__ __forceinline__

namespace aspd {
namespace wgmma {

// Descriptor of a no-swizzle operand at smem_ptr (16-byte aligned); offsets in bytes, multiples of 16.
ASPD_WGMMA_DEV uint64_t smem_descriptor(const void* smem_ptr, uint32_t lbo_bytes, uint32_t sbo_bytes) {
  const uint32_t addr = static_cast<uint32_t>(__cvta_generic_to_shared(smem_ptr));
  uint64_t desc = (addr & 0x3FFFFu) >> 4;                              // bits 0-13: start address
  desc |= static_cast<uint64_t>((lbo_bytes >> 4) & 0x3FFFu) << 16;    // bits 16-29: leading offset
  desc |= static_cast<uint64_t>((sbo_bytes >> 4) & 0x3FFFu) << 32;    // bits 32-45: stride offset
  return desc;  // base offset 0 (bits 49-51), swizzle none (bits 62-63)
}

// Descriptor of an operand in the 128-byte-swizzle layout (what TMA writes with
// CU_TENSOR_MAP_SWIZZLE_128B): 8-row x 128-byte atoms, 1024-byte aligned. K-major: SBO = bytes
// between 8-row groups, LBO unused; steps along K inside an atom add 32 bytes per 16 elements to the
// start address. MN-major: LBO = bytes between 64-element atoms along N, SBO = between 8-row groups
// along K.
ASPD_WGMMA_DEV uint64_t smem_descriptor_sw128(const void* smem_ptr, uint32_t lbo_bytes, uint32_t sbo_bytes) {
  return smem_descriptor(smem_ptr, lbo_bytes, sbo_bytes) | (uint64_t{1} << 62);
}

// ---- TMA and mbarriers (sm_90) --------------------------------------------------------------------

ASPD_WGMMA_DEV uint32_t shared_address(const void* p) {
  return static_cast<uint32_t>(__cvta_generic_to_shared(p));
}

ASPD_WGMMA_DEV void mbarrier_init(uint64_t* bar, uint32_t count) {
#if ASPD_HAS_WGMMA
  asm volatile("mbarrier.init.shared::cta.b64 [%0], %1;\n" ::"r"(shared_address(bar)), "r"(count) : "memory");
#endif
}

// Makes initialized mbarriers visible to the async proxy (TMA) and the other threads (then a barrier).
ASPD_WGMMA_DEV void mbarrier_init_fence() {
#if ASPD_HAS_WGMMA
  asm volatile("fence.mbarrier_init.release.cluster;\n" ::: "memory");
#endif
}

// One arrival that also expects `bytes` of TMA transactions before the phase can complete.
ASPD_WGMMA_DEV void mbarrier_arrive_expect_tx(uint64_t* bar, uint32_t bytes) {
#if ASPD_HAS_WGMMA
  asm volatile("mbarrier.arrive.expect_tx.shared::cta.b64 _, [%0], %1;\n" ::"r"(shared_address(bar)), "r"(bytes)
               : "memory");
#endif
}

// Waits for the phase with the given parity to complete; traps (a launch error, not a hang) if it
// never does.
ASPD_WGMMA_DEV void mbarrier_wait(uint64_t* bar, uint32_t parity) {
#if ASPD_HAS_WGMMA
  const uint32_t addr = shared_address(bar);
  for (uint32_t tries = 0;; ++tries) {
    uint32_t done;
    asm volatile(
        "{\n.reg .pred p;\n"
        "mbarrier.try_wait.parity.shared::cta.b64 p, [%1], %2;\n"
        "selp.u32 %0, 1, 0, p;\n}\n"
        : "=r"(done)
        : "r"(addr), "r"(parity)
        : "memory");
    if (done) return;
    if (tries > (1u << 24)) __trap();
  }
#endif
}

// 2-D tensor copy global -> shared of one box at (x = innermost element, y = row), completing
// `bytes` on bar. tensor_map: the address of a __grid_constant__ CUtensorMap parameter.
ASPD_WGMMA_DEV void tma_load_2d(void* dst, const void* tensor_map, int32_t x, int32_t y, uint64_t* bar) {
#if ASPD_HAS_WGMMA
  asm volatile(
      "cp.async.bulk.tensor.2d.shared::cluster.global.mbarrier::complete_tx::bytes [%0], [%1, {%2, %3}], [%4];\n" ::
          "r"(shared_address(dst)),
      "l"(reinterpret_cast<uint64_t>(tensor_map)), "r"(x), "r"(y), "r"(shared_address(bar))
      : "memory");
#endif
}

// Orders this thread's register writes (accumulators, A fragments) before the next wgmma.
ASPD_WGMMA_DEV void fence() {
#if ASPD_HAS_WGMMA
  asm volatile("wgmma.fence.sync.aligned;\n" ::: "memory");
#endif
}

ASPD_WGMMA_DEV void commit_group() {
#if ASPD_HAS_WGMMA
  asm volatile("wgmma.commit_group.sync.aligned;\n" ::: "memory");
#endif
}

template <int kPending>
ASPD_WGMMA_DEV void wait_group() {
#if ASPD_HAS_WGMMA
  asm volatile("wgmma.wait_group.sync.aligned %0;\n" ::"n"(kPending) : "memory");
#endif
}

// Shared-memory writes of the generic proxy (st.shared, cp.async) made visible to wgmma, which
// reads through the async proxy; each writing thread runs it before the barrier.
ASPD_WGMMA_DEV void fence_proxy_async() {
#if ASPD_HAS_WGMMA
  asm volatile("fence.proxy.async.shared::cta;\n" ::: "memory");
#endif
}

// Keeps the compiler from moving reads or writes of accumulator registers across a wgmma
// issue/wait pair (they are in flight in between).
template <int N>
ASPD_WGMMA_DEV void pin(float (&r)[N]) {
#pragma unroll
  for (int i = 0; i < N; ++i) asm volatile("" : "+f"(r[i])::"memory");
}

// The four instructions used (n64 and n128, bf16 and fp16), generated from one text per shape.
#if ASPD_HAS_WGMMA
#define ASPD_WGMMA_ONLY(...) __VA_ARGS__
#else
#define ASPD_WGMMA_ONLY(...) __trap();
#endif

#define ASPD_WGMMA_M64N64K16(NAME, TYPE)                                                                           \
  template <int kTransB>                                                                                           \
  ASPD_WGMMA_DEV void NAME(float (&d)[32], const uint32_t (&a)[4], uint64_t b_desc, int accumulate) {              \
    ASPD_WGMMA_ONLY(asm volatile(                                                                                  \
        "{\n.reg .pred p;\n"                                                                                       \
        "setp.ne.b32 p, %37, 0;\n"                                                                                 \
        "wgmma.mma_async.sync.aligned.m64n64k16.f32." TYPE "." TYPE " "                                            \
        "{"                                                                                                        \
        "%0, %1, %2, %3, %4, %5, %6, %7, %8, %9, %10, %11, %12, %13, %14, %15, "                                   \
        "%16, %17, %18, %19, %20, %21, %22, %23, %24, %25, %26, %27, %28, %29, %30, %31"                           \
        "}, {%32, %33, %34, %35}, %36, p, 1, 1, %38;\n}\n"                                                         \
        : "+f"(d[0]), "+f"(d[1]), "+f"(d[2]), "+f"(d[3]), "+f"(d[4]), "+f"(d[5]), "+f"(d[6]), "+f"(d[7]),          \
          "+f"(d[8]), "+f"(d[9]), "+f"(d[10]), "+f"(d[11]), "+f"(d[12]), "+f"(d[13]), "+f"(d[14]), "+f"(d[15]),    \
          "+f"(d[16]), "+f"(d[17]), "+f"(d[18]), "+f"(d[19]), "+f"(d[20]), "+f"(d[21]), "+f"(d[22]), "+f"(d[23]),  \
          "+f"(d[24]), "+f"(d[25]), "+f"(d[26]), "+f"(d[27]), "+f"(d[28]), "+f"(d[29]), "+f"(d[30]), "+f"(d[31])   \
        : "r"(a[0]), "r"(a[1]), "r"(a[2]), "r"(a[3]), "l"(b_desc), "r"(accumulate), "n"(kTransB));)                \
  }

#define ASPD_WGMMA_M64N128K16(NAME, TYPE)                                                                          \
  template <int kTransB>                                                                                           \
  ASPD_WGMMA_DEV void NAME(float (&d)[64], const uint32_t (&a)[4], uint64_t b_desc, int accumulate) {              \
    ASPD_WGMMA_ONLY(asm volatile(                                                                                  \
        "{\n.reg .pred p;\n"                                                                                       \
        "setp.ne.b32 p, %69, 0;\n"                                                                                 \
        "wgmma.mma_async.sync.aligned.m64n128k16.f32." TYPE "." TYPE " "                                           \
        "{"                                                                                                        \
        "%0, %1, %2, %3, %4, %5, %6, %7, %8, %9, %10, %11, %12, %13, %14, %15, "                                   \
        "%16, %17, %18, %19, %20, %21, %22, %23, %24, %25, %26, %27, %28, %29, %30, %31, "                         \
        "%32, %33, %34, %35, %36, %37, %38, %39, %40, %41, %42, %43, %44, %45, %46, %47, "                         \
        "%48, %49, %50, %51, %52, %53, %54, %55, %56, %57, %58, %59, %60, %61, %62, %63"                           \
        "}, {%64, %65, %66, %67}, %68, p, 1, 1, %70;\n}\n"                                                         \
        : "+f"(d[0]), "+f"(d[1]), "+f"(d[2]), "+f"(d[3]), "+f"(d[4]), "+f"(d[5]), "+f"(d[6]), "+f"(d[7]),          \
          "+f"(d[8]), "+f"(d[9]), "+f"(d[10]), "+f"(d[11]), "+f"(d[12]), "+f"(d[13]), "+f"(d[14]), "+f"(d[15]),    \
          "+f"(d[16]), "+f"(d[17]), "+f"(d[18]), "+f"(d[19]), "+f"(d[20]), "+f"(d[21]), "+f"(d[22]), "+f"(d[23]),  \
          "+f"(d[24]), "+f"(d[25]), "+f"(d[26]), "+f"(d[27]), "+f"(d[28]), "+f"(d[29]), "+f"(d[30]), "+f"(d[31]),  \
          "+f"(d[32]), "+f"(d[33]), "+f"(d[34]), "+f"(d[35]), "+f"(d[36]), "+f"(d[37]), "+f"(d[38]), "+f"(d[39]),  \
          "+f"(d[40]), "+f"(d[41]), "+f"(d[42]), "+f"(d[43]), "+f"(d[44]), "+f"(d[45]), "+f"(d[46]), "+f"(d[47]),  \
          "+f"(d[48]), "+f"(d[49]), "+f"(d[50]), "+f"(d[51]), "+f"(d[52]), "+f"(d[53]), "+f"(d[54]), "+f"(d[55]),  \
          "+f"(d[56]), "+f"(d[57]), "+f"(d[58]), "+f"(d[59]), "+f"(d[60]), "+f"(d[61]), "+f"(d[62]), "+f"(d[63])   \
        : "r"(a[0]), "r"(a[1]), "r"(a[2]), "r"(a[3]), "l"(b_desc), "r"(accumulate), "n"(kTransB));)                \
  }

ASPD_WGMMA_M64N64K16(wgmma_m64n64k16_bf16, "bf16")
ASPD_WGMMA_M64N64K16(wgmma_m64n64k16_f16, "f16")
ASPD_WGMMA_M64N128K16(wgmma_m64n128k16_bf16, "bf16")
ASPD_WGMMA_M64N128K16(wgmma_m64n128k16_f16, "f16")
#undef ASPD_WGMMA_M64N64K16
#undef ASPD_WGMMA_M64N128K16
#undef ASPD_WGMMA_ONLY

// d (+)= a b for the 64 x N x 16 step; accumulate = 0 overwrites d. T: __nv_bfloat16 or __half.
template <typename T, int N, int kTransB>
ASPD_WGMMA_DEV void mma_m64k16(float (&d)[N / 2], const uint32_t (&a)[4], uint64_t b_desc, int accumulate) {
  static_assert(N == 64 || N == 128, "n64 or n128");
  constexpr bool kBf16 = std::is_same<T, __nv_bfloat16>::value;
  static_assert(kBf16 || std::is_same<T, __half>::value, "bf16 or fp16");
  if constexpr (N == 64) {
    if constexpr (kBf16) wgmma_m64n64k16_bf16<kTransB>(d, a, b_desc, accumulate);
    else wgmma_m64n64k16_f16<kTransB>(d, a, b_desc, accumulate);
  } else {
    if constexpr (kBf16) wgmma_m64n128k16_bf16<kTransB>(d, a, b_desc, accumulate);
    else wgmma_m64n128k16_f16<kTransB>(d, a, b_desc, accumulate);
  }
}

}  // namespace wgmma
}  // namespace aspd
