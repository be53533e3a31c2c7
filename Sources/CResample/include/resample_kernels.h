#ifndef RESAMPLE_KERNELS_H
#define RESAMPLE_KERNELS_H

#include <stddef.h>
#include <stdint.h>

/// Fixed-point precision of Pillow's 8-bit resampling coefficients (`PRECISION_BITS` in Resample.c).
#define RESAMPLE_PRECISION_BITS 22

/// Horizontal pass of Pillow's 8-bit separable resampling over interleaved RGB rows.
///
/// Output pixel `c` of row `y` is, for each channel, `clip8((half + sum_j src[y][starts[c] + j] * w[c][j]) >> 22)`
/// over `j < 2 * pairs`, where the weights of column `c` are stored as `pairs` groups of 8 int32
/// `[w0, w0, w0, 0, w1, w1, w1, 0]` at `coeffs + c * pairs * 8`. Padding weights are zero.
/// `src` rows are `srcStride` bytes apart and hold `srcWidth` pixels; `starts[c] >= 0`.
/// Columns whose window `starts[c] + 2 * pairs` exceeds `srcWidth` are computed without reading past `srcWidth`.
/// Uses AVX2 when `allowSIMD` is non-zero and the calling thread's kernel level (CNumerics' `numerics_kernels_level`)
/// allows it; the results are identical either way.
void resample_rgb_horizontal(const uint8_t *src, size_t srcStride, size_t srcWidth, size_t rows,
                             const int32_t *starts, const int32_t *coeffs, size_t pairs, size_t outWidth,
                             uint8_t *dst, size_t dstStride, int allowSIMD);

/// Vertical pass: output row `r` is `clip8((half + sum_{j < counts[r]} src[starts[r] + j] * coeffs[r * stride + j]) >> 22)`
/// for each of the `lineBytes` bytes of a row. `src` rows are `srcStride` bytes apart.
void resample_vertical(const uint8_t *src, size_t srcStride, size_t lineBytes, const int32_t *starts,
                       const int32_t *counts, const int32_t *coeffs, size_t stride, size_t outRows,
                       uint8_t *dst, size_t dstStride, int allowSIMD);

/// 1 when the AVX2 kernels are in use for `allowSIMD != 0` on the calling thread.
int resample_kernels_use_avx2(void);

#endif
