#include "retrieval_kernels.h"

#include <string.h>

#if defined(__x86_64__) && (defined(__clang__) || defined(__GNUC__))
#include <immintrin.h>
#define RETRIEVAL_HAVE_X86 1
#endif

static void int8_scores_portable(const int8_t *codes, const float *scales, size_t rows, size_t dim,
                                 const int16_t *query, float *out) {
    for (size_t r = 0; r < rows; r++) {
        const int8_t *row = codes + r * dim;
        int32_t sum = 0;
        for (size_t j = 0; j < dim; j++) sum += (int32_t)row[j] * (int32_t)query[j];
        out[r] = (float)sum * scales[r];
    }
}

#ifdef RETRIEVAL_HAVE_X86
__attribute__((target("avx2")))
static void int8_scores_avx2(const int8_t *codes, const float *scales, size_t rows, size_t dim,
                             const int16_t *query, float *out) {
    for (size_t r = 0; r < rows; r++) {
        const int8_t *row = codes + r * dim;
        __m256i acc0 = _mm256_setzero_si256();
        __m256i acc1 = _mm256_setzero_si256();
        size_t j = 0;
        for (; j + 32 <= dim; j += 32) {
            __m256i a0 = _mm256_cvtepi8_epi16(_mm_loadu_si128((const __m128i *)(row + j)));
            __m256i a1 = _mm256_cvtepi8_epi16(_mm_loadu_si128((const __m128i *)(row + j + 16)));
            __m256i q0 = _mm256_loadu_si256((const __m256i *)(query + j));
            __m256i q1 = _mm256_loadu_si256((const __m256i *)(query + j + 16));
            acc0 = _mm256_add_epi32(acc0, _mm256_madd_epi16(a0, q0));
            acc1 = _mm256_add_epi32(acc1, _mm256_madd_epi16(a1, q1));
        }
        for (; j < dim; j += 16) {
            __m256i a0 = _mm256_cvtepi8_epi16(_mm_loadu_si128((const __m128i *)(row + j)));
            __m256i q0 = _mm256_loadu_si256((const __m256i *)(query + j));
            acc0 = _mm256_add_epi32(acc0, _mm256_madd_epi16(a0, q0));
        }
        __m256i acc = _mm256_add_epi32(acc0, acc1);
        __m128i s = _mm_add_epi32(_mm256_castsi256_si128(acc), _mm256_extracti128_si256(acc, 1));
        s = _mm_add_epi32(s, _mm_shuffle_epi32(s, 0x4E));
        s = _mm_add_epi32(s, _mm_shuffle_epi32(s, 0xB1));
        out[r] = (float)_mm_cvtsi128_si32(s) * scales[r];
    }
}
#endif

int retrieval_kernels_use_avx2(void) {
#ifdef RETRIEVAL_HAVE_X86
    static int cached = -1;
    if (cached < 0) {
        __builtin_cpu_init();
        cached = __builtin_cpu_supports("avx2") ? 1 : 0;
    }
    return cached;
#else
    return 0;
#endif
}

void retrieval_int8_scores(const int8_t *codes, const float *scales, size_t rows, size_t dim,
                           const int16_t *query, float *out) {
#ifdef RETRIEVAL_HAVE_X86
    if (retrieval_kernels_use_avx2() && dim % 16 == 0) {
        int8_scores_avx2(codes, scales, rows, dim, query, out);
        return;
    }
#endif
    int8_scores_portable(codes, scales, rows, dim, query, out);
}

static void half_to_float_portable(const uint16_t *in, float *out, size_t n) {
    for (size_t i = 0; i < n; i++) {
        uint32_t h = in[i];
        uint32_t sign = (h & 0x8000u) << 16, exp = (h >> 10) & 0x1Fu, mant = h & 0x3FFu, bits;
        if (exp == 0) {
            if (mant == 0) {
                bits = sign;
            } else {  // subnormal: normalise
                exp = 127 - 15 + 1;
                while ((mant & 0x400u) == 0) { mant <<= 1; exp--; }
                bits = sign | (exp << 23) | ((mant & 0x3FFu) << 13);
            }
        } else if (exp == 0x1F) {
            bits = sign | 0x7F800000u | (mant << 13);
        } else {
            bits = sign | ((exp + 127 - 15) << 23) | (mant << 13);
        }
        memcpy(out + i, &bits, 4);
    }
}

#ifdef RETRIEVAL_HAVE_X86
__attribute__((target("avx,f16c")))
static void half_to_float_f16c(const uint16_t *in, float *out, size_t n) {
    size_t i = 0;
    for (; i + 8 <= n; i += 8) {
        __m128i h = _mm_loadu_si128((const __m128i *)(in + i));
        _mm256_storeu_ps(out + i, _mm256_cvtph_ps(h));
    }
    if (i < n) half_to_float_portable(in + i, out + i, n - i);
}

static int use_f16c(void) {
    static int cached = -1;
    if (cached < 0) {
        __builtin_cpu_init();
        cached = __builtin_cpu_supports("f16c") && __builtin_cpu_supports("avx") ? 1 : 0;
    }
    return cached;
}
#endif

void retrieval_half_to_float(const uint16_t *in, float *out, size_t n) {
#ifdef RETRIEVAL_HAVE_X86
    if (use_f16c()) {
        half_to_float_f16c(in, out, n);
        return;
    }
#endif
    half_to_float_portable(in, out, n);
}
