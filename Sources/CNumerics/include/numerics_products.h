#ifndef NUMERICS_PRODUCTS_H
#define NUMERICS_PRODUCTS_H

/* The linear layers' products `C (+)= alpha · A · Wᵀ` over float32 or half-precision weights: with the weight used
   as it is (products_direct.c), or packed once into 16-column panels (products_packed.c). The bfloat16 products are
   in bf16_kernels.h. */

#include <stddef.h>
#include <stdint.h>

/// `C[i][j] (+)= alpha * sum_k A[i][k] * W[j][k]` for `i < m`, `j < n`: a product with a `[n, k]` row-major weight
/// used as is (no packing). Row strides `lda`, `ldw`, `ldc` in elements. With `accumulate` the product is added to
/// `C`, otherwise it replaces it. `k` is cut into blocks of at most 768 (split evenly); each output is a fixed
/// sequence of 8-lane dot products, one per block, so results depend only on `k` — not on `m`, on where a row
/// sits, or on how callers split `n` across threads. Blocked for the caches: 6 rows of A against 32 rows of W
/// at a time. Uses AVX2 + FMA when the CPU has them, portable C otherwise.
void numerics_sgemm_nt(size_t m, size_t n, size_t k, float alpha, const float *a, size_t lda, const float *w,
                       size_t ldw, float *c, size_t ldc, int accumulate);

/// The same product as `numerics_sgemm_nt` for many rows (a batch of images): 128 columns of W at a time are
/// copied into 16-column panels (k blocks of 256) that every row of A then meets in 6x16 tiles, A broadcast
/// element by element. Faster than `numerics_sgemm_nt` from a few hundred rows on; sums in a different order
/// (k blocks of 256, one FMA chain each), so results differ from it at float rounding level — but still not with
/// the split of `n` or where a row sits.
void numerics_sgemm_nt_many_rows(size_t m, size_t n, size_t k, float alpha, const float *a, size_t lda,
                                 const float *w, size_t ldw, float *c, size_t ldc, int accumulate);
/// `numerics_sgemm_nt` with a weight stored as IEEE half precision (binary16), widened to float on load:
/// float32 inputs, products and sums; half the bytes to stream for the weights.
void numerics_sgemm_nt_f16(size_t m, size_t n, size_t k, float alpha, const float *a, size_t lda, const uint16_t *w,
                           size_t ldw, float *c, size_t ldc, int accumulate);

/// `numerics_pack_nt` into half precision (each weight rounded to nearest, ties to even, as `numerics_f32_to_f16`):
/// the same panel layout with 2-byte elements; `packed` holds `numerics_packed_count(n, k)` of them.
void numerics_pack_nt_f16(size_t n, size_t k, const float *w, size_t ldw, uint16_t *packed);

/// The inverse of `numerics_pack_nt_f16`: the half values widened (exactly) back to an `[n, k]` float weight.
void numerics_unpack_nt_f16(size_t n, size_t k, const uint16_t *packed, float *w, size_t ldw);

/// `numerics_sgemm_packed` over half-precision panels: each weight widened to float on load (F16C), products and
/// sums float32 in the same order — half the bytes to stream per product.
void numerics_sgemm_packed_f16(size_t m, size_t n, size_t k, float alpha, const float *a, size_t lda,
                               const uint16_t *packed, float *c, size_t ldc, int accumulate);

/// `numerics_sgemm_packed_prefetching` over half-precision panels.
void numerics_sgemm_packed_f16_prefetching(size_t m, size_t n, size_t k, float alpha, const float *a, size_t lda,
                                           const uint16_t *packed, float *c, size_t ldc, int accumulate,
                                           const uint16_t *following, size_t following_n);
/// Floats needed by `numerics_pack_nt` for an `[n, k]` weight: `n` rounded up to 16, times `k`.
size_t numerics_packed_count(size_t n, size_t k);

/// Copies the `[n, k]` row-major weight `w` (row stride `ldw`) into the panel layout `numerics_sgemm_packed` reads:
/// panel `p` holds columns `16p ..< 16p + 16` as `k` rows of 16 floats (`packed[p·16·k + 16·t + j] = W[16p + j][t]`),
/// zero beyond `n`. `packed` must hold `numerics_packed_count(n, k)` floats (64-byte alignment is fastest).
void numerics_pack_nt(size_t n, size_t k, const float *w, size_t ldw, float *packed);

/// The inverse of `numerics_pack_nt`: writes the `[n, k]` weight back to `w` (row stride `ldw`).
void numerics_unpack_nt(size_t n, size_t k, const float *packed, float *w, size_t ldw);

/// `C[i][j] (+)= alpha * sum_t A[i][t] * W[j][t]` with `W` packed by `numerics_pack_nt` (`packed` points at panel 0 of
/// the columns wanted: to compute columns `16q ..< 16q + n` of a packed weight, pass `packed + 16·q·k`). A 6x16 tile
/// broadcasts A element by element against a panel row (no horizontal sums); rows go in groups of at most 6, as
/// even as possible. `k` is cut into blocks of at most 768 (split evenly); each output is one FMA chain per block
/// started from zero, scaled by alpha and added to (or stored in) C — so results depend only on `k`, not on `m`,
/// on where a row sits, or on how callers split the panels across threads — nor on the kernel level: with AVX-512,
/// up to 16 rows go through the few-row tiles and more rows through 10-row by 2-panel tiles (rows in blocks of 320
/// that stay in L2), both bit for bit the AVX2 tiles' outputs, which are the portable loop's.
void numerics_sgemm_packed(size_t m, size_t n, size_t k, float alpha, const float *a, size_t lda,
                           const float *packed, float *c, size_t ldc, int accumulate);

/// `numerics_sgemm_packed` for one piece of a larger product: while it works on its last panels from cache it also
/// asks for the first panels of `following` (`following_n` columns of a packed weight with the same `k`: the piece
/// the calling thread runs next, or NULL / 0) to be brought into cache, so that piece does not start from memory.
/// Same results.
void numerics_sgemm_packed_prefetching(size_t m, size_t n, size_t k, float alpha, const float *a, size_t lda,
                                       const float *packed, float *c, size_t ldc, int accumulate,
                                       const float *following, size_t following_n);
#endif
