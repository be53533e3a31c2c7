#ifndef RETRIEVAL_KERNELS_H
#define RETRIEVAL_KERNELS_H

#include <stddef.h>
#include <stdint.h>

/// The int8 scan kernels, lowest first. Every kernel returns the same int32 sums (hence the same scores,
/// bit for bit) for every input; they differ only in speed.
enum {
    /// Portable C, any CPU.
    RETRIEVAL_INT8_PORTABLE = 0,
    /// AVX2: int8 widened to int16, `vpmaddwd`.
    RETRIEVAL_INT8_AVX2 = 1,
    /// `vpdpbusd` on 256-bit registers: AVX-VNNI (VEX) where the CPU has it, else AVX512_VNNI + AVX512VL (EVEX).
    RETRIEVAL_INT8_VNNI256 = 2,
    /// `vpdpbusd` on 512-bit registers (AVX512_VNNI + AVX512BW).
    RETRIEVAL_INT8_VNNI512 = 3,
    RETRIEVAL_INT8_KERNEL_COUNT = 4,
};

/// Largest `dim` the VNNI kernels take (their query split lives on the stack); longer rows use AVX2.
#define RETRIEVAL_INT8_VNNI_MAX_DIM 4096

/// Approximate scores of int8 rows against an int16 query: out[r] = scales[r] * (float)sum_j codes[r*dim+j] * query[j],
/// the sum taken exactly in int32 (|query[j]| <= 8191 keeps it exact for dim <= 2048). Any `dim`. The sums are
/// `retrieval_int8_sums_with(kernel, …)`'s.
void retrieval_int8_scores(int kernel, const int8_t *codes, const float *scales, size_t rows, size_t dim,
                           const int16_t *query, float *out);

/// The int32 sums sums[r] = sum_j codes[r*dim+j] * query[j] computed by `kernel`;
/// a kernel the CPU cannot run falls back to the portable code, and the VNNI kernels to AVX2 beyond
/// `RETRIEVAL_INT8_VNNI_MAX_DIM`.
void retrieval_int8_sums_with(int kernel, const int8_t *codes, size_t rows, size_t dim, const int16_t *query,
                              int32_t *sums);

/// 1 when this CPU (and its operating system) can run `kernel`, checked once at run time with CPUID.
int retrieval_int8_kernel_supported(int kernel);

/// The fastest supported kernel.
int retrieval_int8_kernel_best(void);

/// Short name of `kernel` ("avx512-vnni", "vnni-256", "avx2", "portable"); "unknown" out of range.
const char *retrieval_int8_kernel_name(int kernel);

#endif
