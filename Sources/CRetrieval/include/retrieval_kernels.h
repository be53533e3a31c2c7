#ifndef RETRIEVAL_KERNELS_H
#define RETRIEVAL_KERNELS_H

#include <stddef.h>
#include <stdint.h>

/// Approximate scores of int8 rows against an int16 query: out[r] = scales[r] * sum_j codes[r*dim+j] * query[j].
/// `dim` must be a multiple of 16; |query[j]| <= 8191 keeps the int32 sums exact for dim <= 2048.
/// Uses AVX2 when the CPU has it (checked at run time), portable C otherwise.
void retrieval_int8_scores(const int8_t *codes, const float *scales, size_t rows, size_t dim,
                           const int16_t *query, float *out);

/// Converts `n` IEEE half-precision values (host byte order) to single precision: F16C when the CPU has
/// it (checked at run time), portable C otherwise. Exact for every input (NaN payloads kept).
void retrieval_half_to_float(const uint16_t *in, float *out, size_t n);

/// 1 when the AVX2 kernel is in use.
int retrieval_kernels_use_avx2(void);

#endif
