#include "numerics_kernels.h"

#if defined(__x86_64__) && (defined(__clang__) || defined(__GNUC__))
#include <immintrin.h>
#define NUMERICS_HAVE_X86 1
#endif

/* k is cut into blocks of at most this many elements (a multiple of 8): six rows of A (18 KB) stay in L1. */
#define NT_KC 768
/* Rows of W per block: 32 rows of one k block (96 KB) stay in L2 while every group of A rows passes by. */
#define NT_NB 32

/* The k blocks: as even as possible, each a multiple of 8 except the last. Every caller splits k the same way,
   so an output element's summation order depends only on k. */
static size_t nt_block_length(size_t k) {
    size_t blocks = (k + NT_KC - 1) / NT_KC;
    if (blocks <= 1) return k;
    size_t even = (k + blocks - 1) / blocks;
    return (even + 7) / 8 * 8;
}

static void sgemm_nt_portable(size_t m, size_t n, size_t k, float alpha, const float *a, size_t lda,
                              const float *w, size_t ldw, float *c, size_t ldc, int accumulate) {
    size_t kc_max = nt_block_length(k);
    for (size_t i = 0; i < m; i++) {
        for (size_t j = 0; j < n; j++) {
            const float *x = a + i * lda, *y = w + j * ldw;
            float *out = c + i * ldc + j;
            if (k == 0 && !accumulate) *out = 0;
            for (size_t kb = 0; kb < k; kb += kc_max) {
                size_t end = kb + kc_max < k ? kb + kc_max : k;
                float sum = 0;
                for (size_t t = kb; t < end; t++) sum += x[t] * y[t];
                *out = (kb > 0 || accumulate) ? *out + alpha * sum : alpha * sum;
            }
        }
    }
}

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
static int cpu_has_avx2_fma(void) {
    static int cached = -1;
    if (cached < 0) {
        __builtin_cpu_init();
        cached = (__builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma")) ? 1 : 0;
    }
    return cached;
}

__attribute__((target("avx2,fma")))
static inline float horizontal_sum(__m256 v) {
    __m128 s = _mm_add_ps(_mm256_castps256_ps128(v), _mm256_extractf128_ps(v, 1));
    s = _mm_add_ps(s, _mm_movehl_ps(s, s));
    s = _mm_add_ss(s, _mm_movehdup_ps(s));
    return _mm_cvtss_f32(s);
}

/* A tile of MR rows of A by NR rows of W: MR*NR dot products over kc, 8 lanes at a time, then a scalar tail.
   The sum is scaled by alpha and stored, or added to C when `accumulate`. */
#define DEFINE_NT_TILE(MR, NR)                                                                                 \
    __attribute__((target("avx2,fma"))) static void nt_tile_##MR##x##NR(                                      \
        size_t kc, const float *a, size_t lda, const float *w, size_t ldw, float *c, size_t ldc, float alpha,  \
        int accumulate) {                                                                                     \
        __m256 acc[MR][NR];                                                                                   \
        for (int i = 0; i < MR; i++)                                                                          \
            for (int j = 0; j < NR; j++) acc[i][j] = _mm256_setzero_ps();                                     \
        size_t t = 0;                                                                                         \
        for (; t + 8 <= kc; t += 8) {                                                                         \
            __m256 wv[NR];                                                                                    \
            for (int j = 0; j < NR; j++) wv[j] = _mm256_loadu_ps(w + j * ldw + t);                            \
            for (int i = 0; i < MR; i++) {                                                                    \
                __m256 av = _mm256_loadu_ps(a + i * lda + t);                                                 \
                for (int j = 0; j < NR; j++) acc[i][j] = _mm256_fmadd_ps(av, wv[j], acc[i][j]);               \
            }                                                                                                 \
        }                                                                                                     \
        for (int i = 0; i < MR; i++) {                                                                        \
            for (int j = 0; j < NR; j++) {                                                                    \
                float sum = horizontal_sum(acc[i][j]);                                                        \
                for (size_t u = t; u < kc; u++) sum += a[i * lda + u] * w[j * ldw + u];                        \
                float *out = c + i * ldc + j;                                                                 \
                *out = accumulate ? *out + alpha * sum : alpha * sum;                                         \
            }                                                                                                 \
        }                                                                                                     \
    }

DEFINE_NT_TILE(6, 2)
DEFINE_NT_TILE(5, 2)
DEFINE_NT_TILE(4, 2)
DEFINE_NT_TILE(3, 2)
DEFINE_NT_TILE(2, 2)
DEFINE_NT_TILE(1, 2)
DEFINE_NT_TILE(6, 1)
DEFINE_NT_TILE(5, 1)
DEFINE_NT_TILE(4, 1)
DEFINE_NT_TILE(3, 1)
DEFINE_NT_TILE(2, 1)
DEFINE_NT_TILE(1, 1)

typedef void (*nt_tile_fn)(size_t, const float *, size_t, const float *, size_t, float *, size_t, float, int);

__attribute__((target("avx2,fma")))
static void sgemm_nt_avx2(size_t m, size_t n, size_t k, float alpha, const float *a, size_t lda, const float *w,
                          size_t ldw, float *c, size_t ldc, int accumulate) {
    static const nt_tile_fn pair[7] = {0, nt_tile_1x2, nt_tile_2x2, nt_tile_3x2, nt_tile_4x2, nt_tile_5x2, nt_tile_6x2};
    static const nt_tile_fn single[7] = {0, nt_tile_1x1, nt_tile_2x1, nt_tile_3x1, nt_tile_4x1, nt_tile_5x1, nt_tile_6x1};
    size_t kc_max = nt_block_length(k);
    for (size_t kb = 0; kb < k; kb += kc_max) {
        size_t kc = k - kb < kc_max ? k - kb : kc_max;
        int add = kb > 0 || accumulate;
        /* A block of W rows stays in L2 while every 6-row group of A (in L1) meets each pair of its rows. */
        for (size_t jb = 0; jb < n; jb += NT_NB) {
            size_t je = jb + NT_NB < n ? jb + NT_NB : n;
            for (size_t i = 0; i < m; i += 6) {
                size_t rows = m - i < 6 ? m - i : 6;
                const float *ai = a + i * lda + kb;
                float *ci = c + i * ldc;
                size_t j = jb;
                for (; j + 2 <= je; j += 2) pair[rows](kc, ai, lda, w + j * ldw + kb, ldw, ci + j, ldc, alpha, add);
                if (j < je) single[rows](kc, ai, lda, w + j * ldw + kb, ldw, ci + j, ldc, alpha, add);
            }
        }
    }
}

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

int numerics_kernels_use_avx2(void) {
#ifdef NUMERICS_HAVE_X86
    return cpu_has_avx2_fma();
#else
    return 0;
#endif
}

void numerics_sgemm_nt(size_t m, size_t n, size_t k, float alpha, const float *a, size_t lda, const float *w,
                       size_t ldw, float *c, size_t ldc, int accumulate) {
    if (m == 0 || n == 0) return;
    if (k == 0) {
        if (!accumulate)
            for (size_t i = 0; i < m; i++)
                for (size_t j = 0; j < n; j++) c[i * ldc + j] = 0;
        return;
    }
#ifdef NUMERICS_HAVE_X86
    if (cpu_has_avx2_fma()) {
        sgemm_nt_avx2(m, n, k, alpha, a, lda, w, ldw, c, ldc, accumulate);
        return;
    }
#endif
    sgemm_nt_portable(m, n, k, alpha, a, lda, w, ldw, c, ldc, accumulate);
}

void numerics_sgemm_nn(size_t m, size_t n, size_t k, const float *a, size_t lda, const float *b, size_t ldb, float *c,
                       size_t ldc) {
    if (m == 0 || n == 0) return;
#ifdef NUMERICS_HAVE_X86
    if (cpu_has_avx2_fma()) {
        sgemm_nn_avx2(m, n, k, a, lda, b, ldb, c, ldc);
        return;
    }
#endif
    sgemm_nn_portable(m, n, k, a, lda, b, ldb, c, ldc);
}
