#include "numerics_conversions.h"

#include "kernel_support.h"

/* IEEE binary32 -> binary16, round to nearest even (what F16C's vcvtps2ph does with rounding mode 0). */
static uint16_t float_to_half(float f) {
    uint32_t bits;
    memcpy(&bits, &f, 4);
    uint16_t sign = (uint16_t)((bits >> 16) & 0x8000);
    uint32_t exponent = (bits >> 23) & 0xff, mantissa = bits & 0x7fffff;
    if (exponent == 0xff) return sign | 0x7c00 | (mantissa ? 0x200 | (uint16_t)(mantissa >> 13) : 0);
    int e = (int)exponent - 127 + 15;
    if (e >= 31) return sign | 0x7c00;
    if (e <= 0) { /* subnormal or zero */
        if (e < -10) return sign;
        mantissa |= 0x800000;
        int shift = 14 - e;
        uint32_t half = mantissa >> shift, rest = mantissa & ((1u << shift) - 1), halfway = 1u << (shift - 1);
        if (rest > halfway || (rest == halfway && (half & 1))) half++;
        return sign | (uint16_t)half;
    }
    uint32_t half = ((uint32_t)e << 10) | (mantissa >> 13), rest = mantissa & 0x1fff;
    if (rest > 0x1000 || (rest == 0x1000 && (half & 1))) half++; /* may carry into the exponent: still right */
    return sign | (uint16_t)half;
}

#ifdef NUMERICS_HAVE_X86
__attribute__((target("avx2,f16c")))
static void f32_to_f16_avx2(const float *src, uint16_t *dst, size_t count) {
    size_t i = 0;
    for (; i + 8 <= count; i += 8)
        _mm_storeu_si128((__m128i *)(dst + i), _mm256_cvtps_ph(_mm256_loadu_ps(src + i), _MM_FROUND_TO_NEAREST_INT));
    for (; i < count; i++) dst[i] = float_to_half(src[i]);
}

__attribute__((target("avx2,f16c")))
static void f16_to_f32_avx2(const uint16_t *src, float *dst, size_t count) {
    size_t i = 0;
    for (; i + 8 <= count; i += 8) _mm256_storeu_ps(dst + i, _mm256_cvtph_ps(_mm_loadu_si128((const __m128i *)(src + i))));
    for (; i < count; i++) dst[i] = half_to_float(src[i]);
}
#endif

void numerics_f32_to_f16(const float *src, uint16_t *dst, size_t count) {
#ifdef NUMERICS_HAVE_X86
    if (USE_AVX2) {
        f32_to_f16_avx2(src, dst, count);
        return;
    }
#endif
    for (size_t i = 0; i < count; i++) dst[i] = float_to_half(src[i]);
}

void numerics_f16_to_f32(const uint16_t *src, float *dst, size_t count) {
#ifdef NUMERICS_HAVE_X86
    if (USE_AVX2) {
        f16_to_f32_avx2(src, dst, count);
        return;
    }
#endif
    for (size_t i = 0; i < count; i++) dst[i] = half_to_float(src[i]);
}
