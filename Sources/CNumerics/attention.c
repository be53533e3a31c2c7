#include "numerics_attention.h"

#include "kernel_support.h"
#include "vector_math.h"

#include <math.h>

/* ---- probabilities · values: C = A · B, all row-major. ---- */

static void sgemm_nn_portable(size_t m, size_t n, size_t k, const float *a, size_t lda, const float *b, size_t ldb,
                              float *c, size_t ldc) {
    for (size_t i = 0; i < m; i++) {
        for (size_t j = 0; j < n; j++) {
            float sum = 0;
            for (size_t t = 0; t < k; t++) sum += a[i * lda + t] * b[t * ldb + j];
            c[i * ldc + j] = sum;
        }
    }
}

#ifdef NUMERICS_HAVE_X86
/* MR rows of C by 16 (W = 2) or 8 (W = 1) columns: broadcast A[i][t] times a row of B, over all of k. */
#define DEFINE_NN_TILE(MR, W)                                                                                  \
    __attribute__((target("avx2,fma"))) static void nn_tile_##MR##x##W(                                       \
        size_t k, const float *a, size_t lda, const float *b, size_t ldb, float *c, size_t ldc) {             \
        __m256 acc[MR][W];                                                                                    \
        for (int i = 0; i < MR; i++)                                                                          \
            for (int j = 0; j < W; j++) acc[i][j] = _mm256_setzero_ps();                                      \
        for (size_t t = 0; t < k; t++) {                                                                      \
            __m256 bv[W];                                                                                     \
            for (int j = 0; j < W; j++) bv[j] = _mm256_loadu_ps(b + t * ldb + 8 * j);                         \
            for (int i = 0; i < MR; i++) {                                                                    \
                __m256 av = _mm256_broadcast_ss(a + i * lda + t);                                             \
                for (int j = 0; j < W; j++) acc[i][j] = _mm256_fmadd_ps(av, bv[j], acc[i][j]);                \
            }                                                                                                 \
        }                                                                                                     \
        for (int i = 0; i < MR; i++)                                                                          \
            for (int j = 0; j < W; j++) _mm256_storeu_ps(c + i * ldc + 8 * j, acc[i][j]);                      \
    }

DEFINE_NN_TILE(6, 2)
DEFINE_NN_TILE(5, 2)
DEFINE_NN_TILE(4, 2)
DEFINE_NN_TILE(3, 2)
DEFINE_NN_TILE(2, 2)
DEFINE_NN_TILE(1, 2)
DEFINE_NN_TILE(6, 1)
DEFINE_NN_TILE(5, 1)
DEFINE_NN_TILE(4, 1)
DEFINE_NN_TILE(3, 1)
DEFINE_NN_TILE(2, 1)
DEFINE_NN_TILE(1, 1)

typedef void (*nn_tile_fn)(size_t, const float *, size_t, const float *, size_t, float *, size_t);

__attribute__((target("avx2,fma")))
static void sgemm_nn_avx2(size_t m, size_t n, size_t k, const float *a, size_t lda, const float *b, size_t ldb,
                          float *c, size_t ldc) {
    static const nn_tile_fn wide[7] = {0, nn_tile_1x2, nn_tile_2x2, nn_tile_3x2, nn_tile_4x2, nn_tile_5x2, nn_tile_6x2};
    static const nn_tile_fn narrow[7] = {0, nn_tile_1x1, nn_tile_2x1, nn_tile_3x1, nn_tile_4x1, nn_tile_5x1, nn_tile_6x1};
    for (size_t i = 0; i < m; i += 6) {
        size_t rows = m - i < 6 ? m - i : 6;
        size_t j = 0;
        for (; j + 16 <= n; j += 16) wide[rows](k, a + i * lda, lda, b + j, ldb, c + i * ldc + j, ldc);
        for (; j + 8 <= n; j += 8) narrow[rows](k, a + i * lda, lda, b + j, ldb, c + i * ldc + j, ldc);
        if (j < n) sgemm_nn_portable(rows, n - j, k, a + i * lda, lda, b + j, ldb, c + i * ldc + j, ldc);
    }
}
#endif

#ifdef NUMERICS_HAVE_X86
/* MR rows of C by up to 64 columns (four 16-lane groups, masked beyond `cols`): broadcast A[i][t] times a row of
   B, over all of k — per output the same FMA chain as the AVX2 tiles. */
#define DEFINE_NNZ_TILE(MR)                                                                                    \
    __attribute__((target("avx512f,avx512bw,avx512vl,avx512dq,avx2,fma"))) static void nnz_tile_##MR(         \
        size_t k, const float *a, size_t lda, const float *b, size_t ldb, float *c, size_t ldc, size_t cols) { \
        __mmask16 mask[4];                                                                                    \
        for (int j = 0; j < 4; j++) {                                                                         \
            size_t left = cols > 16 * (size_t)j ? cols - 16 * (size_t)j : 0;                                  \
            mask[j] = left >= 16 ? (__mmask16)0xFFFF : (__mmask16)((1u << left) - 1);                          \
        }                                                                                                     \
        __m512 acc[MR][4];                                                                                    \
        for (int i = 0; i < MR; i++)                                                                          \
            for (int j = 0; j < 4; j++) acc[i][j] = _mm512_setzero_ps();                                      \
        for (size_t t = 0; t < k; t++) {                                                                      \
            __m512 bv[4];                                                                                     \
            for (int j = 0; j < 4; j++) bv[j] = _mm512_maskz_loadu_ps(mask[j], b + t * ldb + 16 * j);         \
            for (int i = 0; i < MR; i++) {                                                                    \
                __m512 av = _mm512_set1_ps(a[i * lda + t]);                                                   \
                for (int j = 0; j < 4; j++) acc[i][j] = _mm512_fmadd_ps(av, bv[j], acc[i][j]);                \
            }                                                                                                 \
        }                                                                                                     \
        for (int i = 0; i < MR; i++)                                                                          \
            for (int j = 0; j < 4; j++) _mm512_mask_storeu_ps(c + i * ldc + 16 * j, mask[j], acc[i][j]);      \
    }

DEFINE_NNZ_TILE(1)
DEFINE_NNZ_TILE(2)
DEFINE_NNZ_TILE(3)
DEFINE_NNZ_TILE(4)
DEFINE_NNZ_TILE(5)
DEFINE_NNZ_TILE(6)

typedef void (*nnz_tile_fn)(size_t, const float *, size_t, const float *, size_t, float *, size_t, size_t);

/* Rows in groups of at most 6, columns in blocks of 64 (24 accumulators). */
static void sgemm_nn_avx512(size_t m, size_t n, size_t k, const float *a, size_t lda, const float *b, size_t ldb,
                            float *c, size_t ldc) {
    static const nnz_tile_fn tiles[7] = {0, nnz_tile_1, nnz_tile_2, nnz_tile_3, nnz_tile_4, nnz_tile_5, nnz_tile_6};
    for (size_t i = 0; i < m; i += 6) {
        size_t rows = m - i < 6 ? m - i : 6;
        for (size_t j = 0; j < n; j += 64)
            tiles[rows](k, a + i * lda, lda, b + j, ldb, c + i * ldc + j, ldc, n - j < 64 ? n - j : 64);
    }
}
#endif

void numerics_sgemm_nn(size_t m, size_t n, size_t k, const float *a, size_t lda, const float *b, size_t ldb, float *c,
                       size_t ldc) {
    if (m == 0 || n == 0) return;
#ifdef NUMERICS_HAVE_X86
    if (USE_AVX512) {
        sgemm_nn_avx512(m, n, k, a, lda, b, ldb, c, ldc);
        return;
    }
    if (USE_AVX2) {
        sgemm_nn_avx2(m, n, k, a, lda, b, ldb, c, ldc);
        return;
    }
#endif
    sgemm_nn_portable(m, n, k, a, lda, b, ldb, c, ldc);
}

/* ---- The softmax of a row of attention scores: 16 lanes (AVX-512, masked tail) or 8 lanes (AVX2, the tail through
   the same code on masked lanes) at a time, with the formulas of Numerics' VectorKernels. ---- */

#ifdef NUMERICS_HAVE_X86
__attribute__((target("avx2,fma")))
static void softmax_avx2(float *p, size_t count) {
    __m256 m = _mm256_set1_ps(-INFINITY);
    size_t i = 0;
    for (; i + 8 <= count; i += 8) m = _mm256_max_ps(m, _mm256_loadu_ps(p + i));
    __m256i mask = tail_mask(count - i);
    if (i < count) m = _mm256_max_ps(m, _mm256_blendv_ps(_mm256_set1_ps(-INFINITY), _mm256_maskload_ps(p + i, mask),
                                                         _mm256_castsi256_ps(mask)));
    __m128 h = _mm_max_ps(_mm256_castps256_ps128(m), _mm256_extractf128_ps(m, 1));
    h = _mm_max_ps(h, _mm_movehl_ps(h, h));
    h = _mm_max_ss(h, _mm_shuffle_ps(h, h, 1));
    __m256 max = _mm256_set1_ps(_mm_cvtss_f32(h)), total = _mm256_setzero_ps();
    for (i = 0; i + 8 <= count; i += 8) {
        __m256 e = exp8(_mm256_sub_ps(_mm256_loadu_ps(p + i), max));
        _mm256_storeu_ps(p + i, e);
        total = _mm256_add_ps(total, e);
    }
    if (i < count) {
        __m256 e = _mm256_and_ps(exp8(_mm256_sub_ps(_mm256_maskload_ps(p + i, mask), max)), _mm256_castsi256_ps(mask));
        _mm256_maskstore_ps(p + i, mask, e);
        total = _mm256_add_ps(total, e);
    }
    __m128 s = _mm_add_ps(_mm256_castps256_ps128(total), _mm256_extractf128_ps(total, 1));
    s = _mm_add_ps(s, _mm_movehl_ps(s, s));
    s = _mm_add_ss(s, _mm_shuffle_ps(s, s, 1));
    __m256 inverse = _mm256_set1_ps(1.0f / _mm_cvtss_f32(s));
    for (i = 0; i + 8 <= count; i += 8) _mm256_storeu_ps(p + i, _mm256_mul_ps(_mm256_loadu_ps(p + i), inverse));
    for (; i < count; i++) p[i] *= _mm256_cvtss_f32(inverse);
}

Z_TARGET static void softmax_avx512(float *p, size_t count) {
    __m512 m = _mm512_set1_ps(-INFINITY);
    for (size_t i = 0; i < count; i += 16) {
        __mmask16 mask = count - i >= 16 ? (__mmask16)0xFFFF : (__mmask16)((1u << (count - i)) - 1);
        m = _mm512_max_ps(m, _mm512_mask_loadu_ps(_mm512_set1_ps(-INFINITY), mask, p + i));
    }
    __m512 max = _mm512_set1_ps(_mm512_reduce_max_ps(m)), total = _mm512_setzero_ps();
    for (size_t i = 0; i < count; i += 16) {
        __mmask16 mask = count - i >= 16 ? (__mmask16)0xFFFF : (__mmask16)((1u << (count - i)) - 1);
        __m512 e = _mm512_maskz_mov_ps(mask, exp16(_mm512_sub_ps(_mm512_maskz_loadu_ps(mask, p + i), max)));
        _mm512_mask_storeu_ps(p + i, mask, e);
        total = _mm512_add_ps(total, e);
    }
    __m512 inverse = _mm512_set1_ps(1.0f / _mm512_reduce_add_ps(total));
    for (size_t i = 0; i < count; i += 16) {
        __mmask16 mask = count - i >= 16 ? (__mmask16)0xFFFF : (__mmask16)((1u << (count - i)) - 1);
        _mm512_mask_storeu_ps(p + i, mask, _mm512_mul_ps(_mm512_maskz_loadu_ps(mask, p + i), inverse));
    }
}
#endif

void numerics_softmax_row(float *p, size_t count) {
    if (count == 0) return;
#ifdef NUMERICS_HAVE_X86
    if (USE_AVX512) {
        softmax_avx512(p, count);
        return;
    }
    if (USE_AVX2) {
        softmax_avx2(p, count);
        return;
    }
#endif
    float max = p[0], total = 0;
    for (size_t i = 1; i < count; i++) max = p[i] > max ? p[i] : max;
    for (size_t i = 0; i < count; i++) total += (p[i] = expf(p[i] - max));
    for (size_t i = 0; i < count; i++) p[i] /= total;
}
