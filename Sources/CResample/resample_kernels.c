#include "resample_kernels.h"
#include "numerics_runtime.h"

#include <stdlib.h>
#include <string.h>

#if defined(__x86_64__) && (defined(__clang__) || defined(__GNUC__))
#include <immintrin.h>
#define RESAMPLE_HAVE_X86 1
#endif

static const int32_t half_unit = 1 << (RESAMPLE_PRECISION_BITS - 1);

static inline uint8_t clip8(int32_t sum) {
    int32_t v = sum >> RESAMPLE_PRECISION_BITS;
    return v <= 0 ? 0 : (v >= 255 ? 255 : (uint8_t)v);
}

/* ---- portable C (also the reference for the SIMD kernels) ---- */

static void horizontal_column_portable(const uint8_t *row, size_t srcWidth, size_t start, const int32_t *k,
                                       size_t pairs, uint8_t *out) {
    int32_t s0 = half_unit, s1 = half_unit, s2 = half_unit;
    for (size_t j = 0; j < 2 * pairs; j++) {
        size_t x = start + j;
        if (x >= srcWidth) break;
        int32_t w = k[(j / 2) * 8 + (j % 2) * 4];
        const uint8_t *p = row + x * 3;
        s0 += (int32_t)p[0] * w;
        s1 += (int32_t)p[1] * w;
        s2 += (int32_t)p[2] * w;
    }
    out[0] = clip8(s0);
    out[1] = clip8(s1);
    out[2] = clip8(s2);
}

static void horizontal_portable(const uint8_t *src, size_t srcStride, size_t srcWidth, size_t rows,
                                const int32_t *starts, const int32_t *coeffs, size_t pairs, size_t outWidth,
                                uint8_t *dst, size_t dstStride) {
    for (size_t y = 0; y < rows; y++) {
        const uint8_t *row = src + y * srcStride;
        uint8_t *out = dst + y * dstStride;
        for (size_t c = 0; c < outWidth; c++) {
            horizontal_column_portable(row, srcWidth, (size_t)starts[c], coeffs + c * pairs * 8, pairs, out + c * 3);
        }
    }
}

static void vertical_portable(const uint8_t *src, size_t srcStride, size_t lineBytes, const int32_t *starts,
                              const int32_t *counts, const int32_t *coeffs, size_t stride, size_t outRows,
                              uint8_t *dst, size_t dstStride, size_t firstByte) {
    for (size_t r = 0; r < outRows; r++) {
        const int32_t *k = coeffs + r * stride;
        const uint8_t *base = src + (size_t)starts[r] * srcStride;
        uint8_t *out = dst + r * dstStride;
        for (size_t i = firstByte; i < lineBytes; i++) {
            int32_t s = half_unit;
            for (int32_t j = 0; j < counts[r]; j++) s += (int32_t)base[(size_t)j * srcStride + i] * k[j];
            out[i] = clip8(s);
        }
    }
}

/* ---- AVX2 ---- */

#ifdef RESAMPLE_HAVE_X86
/* The AVX2 kernels run where the calling thread's kernel level allows them (CNumerics: the CPU's CPUID capped by the
   thread's ceiling, so `--kernels portable` keeps the resampling in C too). */
static int avx2_allowed(void) { return numerics_kernels_level() >= NUMERICS_KERNELS_AVX2; }

/* Two source pixels (6 bytes at p, 8 bytes read) -> [r0 g0 b0 0 r1 g1 b1 0] as int32. */
__attribute__((target("avx2")))
static inline __m256i load_pixel_pair(const uint8_t *p, __m256i shuffle) {
    int64_t bytes;
    memcpy(&bytes, p, 8);
    return _mm256_shuffle_epi8(_mm256_set1_epi64x(bytes), shuffle);
}

/* One output pixel; reads 2 bytes past the last pair (callers guarantee they exist). */
__attribute__((target("avx2")))
static inline __m128i horizontal_column_avx2(const uint8_t *p, const int32_t *k, size_t pairs, __m256i shuffle) {
    __m256i acc0 = _mm256_setzero_si256(), acc1 = _mm256_setzero_si256();
    size_t q = 0;
    for (; q + 2 <= pairs; q += 2) {
        __m256i v0 = load_pixel_pair(p, shuffle);
        __m256i v1 = load_pixel_pair(p + 6, shuffle);
        acc0 = _mm256_add_epi32(acc0, _mm256_mullo_epi32(v0, _mm256_loadu_si256((const __m256i *)k)));
        acc1 = _mm256_add_epi32(acc1, _mm256_mullo_epi32(v1, _mm256_loadu_si256((const __m256i *)(k + 8))));
        p += 12;
        k += 16;
    }
    if (q < pairs) {
        __m256i v0 = load_pixel_pair(p, shuffle);
        acc0 = _mm256_add_epi32(acc0, _mm256_mullo_epi32(v0, _mm256_loadu_si256((const __m256i *)k)));
    }
    __m256i acc = _mm256_add_epi32(acc0, acc1);
    __m128i sum = _mm_add_epi32(_mm256_castsi256_si128(acc), _mm256_extracti128_si256(acc, 1));
    sum = _mm_srai_epi32(_mm_add_epi32(sum, _mm_set1_epi32(half_unit)), RESAMPLE_PRECISION_BITS);
    sum = _mm_packs_epi32(sum, sum);     /* int32 -> int16, saturating */
    return _mm_packus_epi16(sum, sum);   /* int16 -> uint8, saturating: clip to 0...255 */
}

__attribute__((target("avx2")))
static void horizontal_avx2(const uint8_t *src, size_t srcStride, size_t srcWidth, size_t rows,
                            const int32_t *starts, const int32_t *coeffs, size_t pairs, size_t outWidth,
                            uint8_t *dst, size_t dstStride) {
    const __m256i shuffle = _mm256_setr_epi8(0, -1, -1, -1, 1, -1, -1, -1, 2, -1, -1, -1, -1, -1, -1, -1,
                                             3, -1, -1, -1, 4, -1, -1, -1, 5, -1, -1, -1, -1, -1, -1, -1);
    /* The last row is copied into a padded buffer so that 8-byte loads never leave the caller's memory. */
    uint8_t *padded = NULL;
    for (size_t y = 0; y < rows; y++) {
        const uint8_t *row = src + y * srcStride;
        if (y + 1 == rows) {
            padded = malloc(srcWidth * 3 + 8);
            if (padded == NULL) {
                horizontal_portable(row, srcStride, srcWidth, 1, starts, coeffs, pairs, outWidth,
                                    dst + y * dstStride, dstStride);
                return;
            }
            memcpy(padded, row, srcWidth * 3);
            memset(padded + srcWidth * 3, 0, 8);
            row = padded;
        }
        uint8_t *out = dst + y * dstStride;
        for (size_t c = 0; c < outWidth; c++) {
            size_t start = (size_t)starts[c];
            const int32_t *k = coeffs + c * pairs * 8;
            if (start + 2 * pairs > srcWidth) {
                horizontal_column_portable(row, srcWidth, start, k, pairs, out + c * 3);
                continue;
            }
            __m128i pixel = horizontal_column_avx2(row + start * 3, k, pairs, shuffle);
            int32_t bytes = _mm_cvtsi128_si32(pixel);
            memcpy(out + c * 3, &bytes, 3);
        }
    }
    free(padded);
}

__attribute__((target("avx2")))
static void vertical_avx2(const uint8_t *src, size_t srcStride, size_t lineBytes, const int32_t *starts,
                          const int32_t *counts, const int32_t *coeffs, size_t stride, size_t outRows,
                          uint8_t *dst, size_t dstStride) {
    const __m256i half = _mm256_set1_epi32(half_unit);
    size_t vectorBytes = lineBytes / 32 * 32;
    for (size_t r = 0; r < outRows; r++) {
        const int32_t *k = coeffs + r * stride;
        const uint8_t *base = src + (size_t)starts[r] * srcStride;
        uint8_t *out = dst + r * dstStride;
        for (size_t i = 0; i < vectorBytes; i += 32) {
            __m256i a0 = half, a1 = half, a2 = half, a3 = half;
            const uint8_t *p = base + i;
            for (int32_t j = 0; j < counts[r]; j++, p += srcStride) {
                __m256i w = _mm256_set1_epi32(k[j]);
                __m128i lo = _mm_loadu_si128((const __m128i *)p);
                __m128i hi = _mm_loadu_si128((const __m128i *)(p + 16));
                a0 = _mm256_add_epi32(a0, _mm256_mullo_epi32(_mm256_cvtepu8_epi32(lo), w));
                a1 = _mm256_add_epi32(a1, _mm256_mullo_epi32(_mm256_cvtepu8_epi32(_mm_srli_si128(lo, 8)), w));
                a2 = _mm256_add_epi32(a2, _mm256_mullo_epi32(_mm256_cvtepu8_epi32(hi), w));
                a3 = _mm256_add_epi32(a3, _mm256_mullo_epi32(_mm256_cvtepu8_epi32(_mm_srli_si128(hi, 8)), w));
            }
            a0 = _mm256_srai_epi32(a0, RESAMPLE_PRECISION_BITS);
            a1 = _mm256_srai_epi32(a1, RESAMPLE_PRECISION_BITS);
            a2 = _mm256_srai_epi32(a2, RESAMPLE_PRECISION_BITS);
            a3 = _mm256_srai_epi32(a3, RESAMPLE_PRECISION_BITS);
            /* packs/packus work within 128-bit lanes: fix the order with a final permute. */
            __m256i w01 = _mm256_packs_epi32(a0, a1);   /* a0l a1l | a0h a1h (int16) */
            __m256i w23 = _mm256_packs_epi32(a2, a3);
            __m256i bytes = _mm256_packus_epi16(w01, w23); /* a0l a1l a2l a3l | a0h a1h a2h a3h */
            bytes = _mm256_permutevar8x32_epi32(bytes, _mm256_setr_epi32(0, 4, 1, 5, 2, 6, 3, 7));
            _mm256_storeu_si256((__m256i *)(out + i), bytes);
        }
    }
    if (vectorBytes < lineBytes) {
        vertical_portable(src, srcStride, lineBytes, starts, counts, coeffs, stride, outRows, dst, dstStride,
                          vectorBytes);
    }
}
#endif

/* ---- dispatch ---- */

int resample_kernels_use_avx2(void) {
#ifdef RESAMPLE_HAVE_X86
    return avx2_allowed();
#else
    return 0;
#endif
}

void resample_rgb_horizontal(const uint8_t *src, size_t srcStride, size_t srcWidth, size_t rows,
                             const int32_t *starts, const int32_t *coeffs, size_t pairs, size_t outWidth,
                             uint8_t *dst, size_t dstStride, int allowSIMD) {
    if (rows == 0 || outWidth == 0) return;
#ifdef RESAMPLE_HAVE_X86
    if (allowSIMD && avx2_allowed()) {
        horizontal_avx2(src, srcStride, srcWidth, rows, starts, coeffs, pairs, outWidth, dst, dstStride);
        return;
    }
#endif
    (void)allowSIMD;
    horizontal_portable(src, srcStride, srcWidth, rows, starts, coeffs, pairs, outWidth, dst, dstStride);
}

void resample_vertical(const uint8_t *src, size_t srcStride, size_t lineBytes, const int32_t *starts,
                       const int32_t *counts, const int32_t *coeffs, size_t stride, size_t outRows,
                       uint8_t *dst, size_t dstStride, int allowSIMD) {
    if (outRows == 0 || lineBytes == 0) return;
#ifdef RESAMPLE_HAVE_X86
    if (allowSIMD && avx2_allowed()) {
        vertical_avx2(src, srcStride, lineBytes, starts, counts, coeffs, stride, outRows, dst, dstStride);
        return;
    }
#endif
    (void)allowSIMD;
    vertical_portable(src, srcStride, lineBytes, starts, counts, coeffs, stride, outRows, dst, dstStride, 0);
}
