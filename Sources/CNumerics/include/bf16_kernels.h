#ifndef BF16_KERNELS_H
#define BF16_KERNELS_H

#include <stddef.h>
#include <stdint.h>

/// The kernels of products over bfloat16 weights (`numerics_sgemm_packed_bf16`). Each computes the same sums in
/// the same order: per output and per k block, one float32 chain over the k pairs `(2t, 2t + 1)` starting from
/// zero, adding `a[2t+1]·w[2t+1]` then `a[2t]·w[2t]` (each product of two bfloat16 values is exact in float32, so
/// this is what `vdpbf16ps` computes), the block's sum then added to (or stored in) C. The kernels therefore agree
/// bit for bit, except where `vdpbf16ps` flushes subnormal inputs or results to zero.
enum {
    /// Plain C (any CPU).
    NUMERICS_BF16_PORTABLE = 0,
    /// AVX2 + FMA: bfloat16 widened to float32 in registers, float32 multiply-adds (8 lanes).
    NUMERICS_BF16_AVX2 = 1,
    /// AVX-512F: bfloat16 widened to float32 in registers, float32 multiply-adds (16 lanes).
    NUMERICS_BF16_AVX512 = 2,
    /// AVX512_BF16: `vdpbf16ps`, two bfloat16 products per float32 lane and instruction.
    NUMERICS_BF16_DPBF16 = 3,
};

/// The fastest kernel the CPU reports through CPUID (`avx512bf16`, then `avx512f`, then `avx2` + `fma`, else
/// portable): the one products use unless their caller chooses another.
int numerics_bf16_kernel_reported(void);

/// The faster of the kernels the CPU reports, measured once at first call: where CPUID reports AVX512_BF16, one
/// 48 × 256 × 512 product is timed on `vdpbf16ps` and on the widened AVX-512F tiles (under a millisecond) and the
/// faster one is kept — `vdpbf16ps` issues on one port on some CPUs, where the widened tiles' multiply-adds issue
/// on two, so neither is the faster everywhere. Elsewhere `numerics_bf16_kernel_reported`. The kernels give the
/// same results (see above), so the choice changes only the speed.
int numerics_bf16_kernel_fastest(void);

/// 1 when this CPU runs `kind`: CPUID reports its instructions, or (for `NUMERICS_BF16_DPBF16`) one `vdpbf16ps`
/// executed in a probe gave the right result without a fault — some hypervisors hide AVX512_BF16 from CPUID on
/// CPUs that have it. The probe installs a SIGILL handler for its duration; it runs once.
int numerics_bf16_kernel_runs(int kind);

/// A short name of `kind`: "vdpbf16ps (AVX512_BF16)", "AVX-512F, widened to float32", "AVX2+FMA, widened to
/// float32", "portable C".
const char *numerics_bf16_kernel_name(int kind);

/// Rounds `count` floats to bfloat16 as PyTorch does: to nearest, ties to even, subnormals kept, infinities kept,
/// every NaN to the quiet NaN 0x7FC0.
void numerics_f32_to_bf16(const float *src, uint16_t *dst, size_t count);

/// Widens `count` bfloat16 values to float (exact).
void numerics_bf16_to_f32(const uint16_t *src, float *dst, size_t count);

/// `k` rounded up to even: the pairs of a bfloat16 panel row or packed activation row.
size_t numerics_bf16_pair_length(size_t k);

/// bfloat16 elements of the panels of an `[n, k]` weight: `n` rounded up to 16, times `numerics_bf16_pair_length(k)`.
size_t numerics_bf16_packed_count(size_t n, size_t k);

/// Rounds the `[n, k]` row-major weight `w` (row stride `ldw`) to bfloat16 (`numerics_f32_to_bf16`) into panels
/// of 16 columns, k paired: with `kp = numerics_bf16_pair_length(k)`, panel `p` is `kp / 2` rows of 32 values,
/// `packed[p·16·kp + 32·s + 2·j + e] = W[16p + j][2s + e]` (`e` 0 or 1), zero beyond `n` and `k`. One panel row is
/// one 64-byte line: what `vdpbf16ps` multiplies against a broadcast pair of activations.
void numerics_pack_nt_bf16(size_t n, size_t k, const float *w, size_t ldw, uint16_t *packed);

/// The inverse of `numerics_pack_nt_bf16`: the bfloat16 values widened (exactly) back to an `[n, k]` float weight.
void numerics_unpack_nt_bf16(size_t n, size_t k, const uint16_t *packed, float *w, size_t ldw);

/// Bytes of the activations of an `m`-row, `k`-wide input packed for `kind` (`numerics_bf16_pack_rows`).
size_t numerics_bf16_rows_bytes(int kind, size_t m, size_t k);

/// Rounds `m` rows of `k` floats (row stride `lda`) to bfloat16 once per product, in the layout `kind` reads:
/// `m` rows of `numerics_bf16_pair_length(k)` values (zero past `k`), bfloat16 for `NUMERICS_BF16_DPBF16`,
/// float32 holding the bfloat16 values for the others (broadcast without widening).
void numerics_bf16_pack_rows(int kind, size_t m, size_t k, const float *a, size_t lda, void *rows);

/// `C[i][j] (+)= sum_t A[i][t] · W[j][t]` for `i < m`, `j < n` on `kind` (which must run on this CPU):
/// `rows` from `numerics_bf16_pack_rows(kind, m, k, …)`, `packed` the panels of `numerics_pack_nt_bf16` from the
/// first wanted column on (columns `16q ..< 16q + n`: `packed + 16·q·numerics_bf16_pair_length(k)`). Tiles of up
/// to 6 rows × 64 columns (vdpbf16ps; 8 × 32 widened on AVX-512F, 4 × 16 on AVX2), k in blocks of at most 256
/// pairs split evenly, so results depend only on `k` and `kind`, not on `m`, where a row sits or how callers split
/// the columns. With `accumulate` the product is added to C.
void numerics_sgemm_packed_bf16(int kind, size_t m, size_t n, size_t k, const void *rows, const uint16_t *packed,
                                float *c, size_t ldc, int accumulate);

#endif
