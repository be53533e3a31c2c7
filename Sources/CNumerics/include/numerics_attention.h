#ifndef NUMERICS_ATTENTION_H
#define NUMERICS_ATTENTION_H

/* The attention's own kernels: the softmax of a row of scores and the `probabilities · values` product. */

#include <stddef.h>

/// `C[i][j] = sum_t A[i][t] * B[t][j]` for `i < m`, `j < n` (all row-major, strides in elements): the
/// attention's `probabilities · values` product. With AVX-512, 6 rows by 64 columns at a time (masked at the
/// edge); with AVX2 + FMA, columns in groups of 16 and 8, the rest in C.
void numerics_sgemm_nn(size_t m, size_t n, size_t k, const float *a, size_t lda, const float *b, size_t ldb, float *c,
                       size_t ldc);

/// In-place softmax of one row: `exp(p - max) / Σ exp(p - max)`. Nothing for `count` 0.
void numerics_softmax_row(float *p, size_t count);

#endif
