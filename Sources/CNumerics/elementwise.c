#include "numerics_elementwise.h"

#include "kernel_support.h"
#include "vector_math.h"

#include <math.h>

/* ---- Bias + activation: 16 lanes (AVX-512, masked tail) or 8 lanes (AVX2, the tail through the same code on
   masked lanes) at a time, with the formulas of Numerics' VectorKernels. ---- */

#ifdef NUMERICS_HAVE_X86
__attribute__((target("avx2,fma"))) static inline __m256 quick_gelu8(__m256 x) {
    __m256 e = exp8(_mm256_mul_ps(x, _mm256_set1_ps(-1.702f)));
    return _mm256_div_ps(x, _mm256_add_ps(_mm256_set1_ps(1), e));
}

/* 0.5 x (1 + erf(x / sqrt 2)) with erfc(|z|) from Abramowitz-Stegun 7.1.26 (absolute error <= 1.5e-7). */
__attribute__((target("avx2,fma"))) static inline __m256 gelu8(__m256 x) {
    __m256 z = _mm256_mul_ps(x, _mm256_set1_ps(0.7071067811865475f));
    __m256 negative = _mm256_cmp_ps(z, _mm256_setzero_ps(), _CMP_LT_OQ);
    __m256 a = _mm256_andnot_ps(_mm256_set1_ps(-0.0f), z);
    __m256 t = _mm256_div_ps(_mm256_set1_ps(1), _mm256_add_ps(_mm256_set1_ps(1), _mm256_mul_ps(_mm256_set1_ps(0.3275911f), a)));
    __m256 p = _mm256_set1_ps(1.061405429f);
    p = _mm256_fmadd_ps(p, t, _mm256_set1_ps(-1.453152027f));
    p = _mm256_fmadd_ps(p, t, _mm256_set1_ps(1.421413741f));
    p = _mm256_fmadd_ps(p, t, _mm256_set1_ps(-0.284496736f));
    p = _mm256_fmadd_ps(p, t, _mm256_set1_ps(0.254829592f));
    __m256 c = _mm256_mul_ps(_mm256_mul_ps(p, t), exp8(_mm256_sub_ps(_mm256_setzero_ps(), _mm256_mul_ps(a, a))));
    __m256 one_plus_erf = _mm256_blendv_ps(_mm256_sub_ps(_mm256_set1_ps(2), c), c, negative);
    return _mm256_mul_ps(_mm256_mul_ps(_mm256_set1_ps(0.5f), x), one_plus_erf);
}

__attribute__((target("avx2,fma")))
static void activation_avx2(float *x, size_t count, const float *bias, int kind) {
    size_t i = 0;
    for (; i + 8 <= count; i += 8) {
        __m256 v = _mm256_loadu_ps(x + i);
        if (bias) v = _mm256_add_ps(v, _mm256_loadu_ps(bias + i));
        _mm256_storeu_ps(x + i, kind ? gelu8(v) : quick_gelu8(v));
    }
    if (i < count) {
        __m256i mask = tail_mask(count - i);
        __m256 v = _mm256_maskload_ps(x + i, mask);
        if (bias) v = _mm256_add_ps(v, _mm256_maskload_ps(bias + i, mask));
        _mm256_maskstore_ps(x + i, mask, kind ? gelu8(v) : quick_gelu8(v));
    }
}

/* The same formulas on 16 lanes (AVX-512): lane for lane the values of quick_gelu8 and gelu8. */
Z_TARGET static inline __m512 quick_gelu16(__m512 x) {
    __m512 e = exp16(_mm512_mul_ps(x, _mm512_set1_ps(-1.702f)));
    return _mm512_div_ps(x, _mm512_add_ps(_mm512_set1_ps(1), e));
}

Z_TARGET static inline __m512 gelu16(__m512 x) {
    __m512 z = _mm512_mul_ps(x, _mm512_set1_ps(0.7071067811865475f));
    __mmask16 negative = _mm512_cmp_ps_mask(z, _mm512_setzero_ps(), _CMP_LT_OQ);
    __m512 a = _mm512_andnot_ps(_mm512_set1_ps(-0.0f), z);
    __m512 t = _mm512_div_ps(_mm512_set1_ps(1), _mm512_add_ps(_mm512_set1_ps(1), _mm512_mul_ps(_mm512_set1_ps(0.3275911f), a)));
    __m512 p = _mm512_set1_ps(1.061405429f);
    p = _mm512_fmadd_ps(p, t, _mm512_set1_ps(-1.453152027f));
    p = _mm512_fmadd_ps(p, t, _mm512_set1_ps(1.421413741f));
    p = _mm512_fmadd_ps(p, t, _mm512_set1_ps(-0.284496736f));
    p = _mm512_fmadd_ps(p, t, _mm512_set1_ps(0.254829592f));
    __m512 c = _mm512_mul_ps(_mm512_mul_ps(p, t), exp16(_mm512_sub_ps(_mm512_setzero_ps(), _mm512_mul_ps(a, a))));
    __m512 one_plus_erf = _mm512_mask_blend_ps(negative, _mm512_sub_ps(_mm512_set1_ps(2), c), c);
    return _mm512_mul_ps(_mm512_mul_ps(_mm512_set1_ps(0.5f), x), one_plus_erf);
}

Z_TARGET static void activation_avx512(float *x, size_t count, const float *bias, int kind) {
    for (size_t i = 0; i < count; i += 16) {
        __mmask16 mask = count - i >= 16 ? (__mmask16)0xFFFF : (__mmask16)((1u << (count - i)) - 1);
        __m512 v = _mm512_maskz_loadu_ps(mask, x + i);
        if (bias) v = _mm512_add_ps(v, _mm512_maskz_loadu_ps(mask, bias + i));
        _mm512_mask_storeu_ps(x + i, mask, kind ? gelu16(v) : quick_gelu16(v));
    }
}
#endif

static float quick_gelu1(float x) { return x / (1 + expf(-1.702f * x)); }
static float gelu1(float x) { return 0.5f * x * (1 + erff(x * 0.7071067811865475f)); }

void numerics_activation(float *x, size_t count, const float *bias, int kind) {
#ifdef NUMERICS_HAVE_X86
    if (USE_AVX512) {
        activation_avx512(x, count, bias, kind);
        return;
    }
    if (USE_AVX2) {
        activation_avx2(x, count, bias, kind);
        return;
    }
#endif
    for (size_t i = 0; i < count; i++) {
        float v = bias ? x[i] + bias[i] : x[i];
        x[i] = kind ? gelu1(v) : quick_gelu1(v);
    }
}
