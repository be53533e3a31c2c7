#ifndef NUMERICS_KERNELS_H
#define NUMERICS_KERNELS_H

#include <stddef.h>

/// `C[i][j] (+)= sum_k A[i][k] * W[j][k]` for `i < m`, `j < n`: a product with a `[n, k]` row-major weight
/// used as is (no packing), for few rows `m`. Row strides `lda`, `ldw`, `ldc` in elements. With
/// `accumulate` the product is added to `C`, otherwise it replaces it. Each output is one dot product over
/// `k` in a fixed order, so results do not depend on how callers split `n` across threads.
/// Uses AVX2 + FMA when the CPU has them, portable C otherwise.
void numerics_sgemm_nt(size_t m, size_t n, size_t k, const float *a, size_t lda, const float *w, size_t ldw,
                       float *c, size_t ldc, int accumulate);

/// 1 when the AVX2 + FMA kernel is in use.
int numerics_kernels_use_avx2(void);

#endif
