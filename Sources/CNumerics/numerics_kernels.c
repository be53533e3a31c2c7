#include "numerics_kernels.h"

#if defined(__x86_64__) && (defined(__clang__) || defined(__GNUC__))
#include <immintrin.h>
#define NUMERICS_HAVE_X86 1
#endif

static void sgemm_nt_portable(size_t m, size_t n, size_t k, const float *a, size_t lda, const float *w,
                              size_t ldw, float *c, size_t ldc, int accumulate) {
    for (size_t i = 0; i < m; i++) {
        for (size_t j = 0; j < n; j++) {
            const float *x = a + i * lda, *y = w + j * ldw;
            float sum = 0;
            for (size_t t = 0; t < k; t++) sum += x[t] * y[t];
            c[i * ldc + j] = accumulate ? c[i * ldc + j] + sum : sum;
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
static inline float horizontal_sum(__m256i unused, __m256 v) {
    (void)unused;
    __m128 s = _mm_add_ps(_mm256_castps256_ps128(v), _mm256_extractf128_ps(v, 1));
    s = _mm_add_ps(s, _mm_movehl_ps(s, s));
    s = _mm_add_ss(s, _mm_movehdup_ps(s));
    return _mm_cvtss_f32(s);
}

/* A tile of MR rows of A by NR rows of W: MR*NR dot products over k, 8 lanes at a time, then a scalar tail. */
#define DEFINE_TILE(MR, NR)                                                                                    \
    __attribute__((target("avx2,fma"))) static void tile_##MR##x##NR(                                        \
        size_t k, const float *a, size_t lda, const float *w, size_t ldw, float *c, size_t ldc, int accumulate) { \
        __m256 acc[MR][NR];                                                                                   \
        for (int i = 0; i < MR; i++)                                                                          \
            for (int j = 0; j < NR; j++) acc[i][j] = _mm256_setzero_ps();                                     \
        size_t t = 0;                                                                                         \
        for (; t + 8 <= k; t += 8) {                                                                          \
            __m256 wv[NR];                                                                                    \
            for (int j = 0; j < NR; j++) wv[j] = _mm256_loadu_ps(w + j * ldw + t);                            \
            for (int i = 0; i < MR; i++) {                                                                    \
                __m256 av = _mm256_loadu_ps(a + i * lda + t);                                                 \
                for (int j = 0; j < NR; j++) acc[i][j] = _mm256_fmadd_ps(av, wv[j], acc[i][j]);               \
            }                                                                                                 \
        }                                                                                                     \
        for (int i = 0; i < MR; i++) {                                                                        \
            for (int j = 0; j < NR; j++) {                                                                    \
                float sum = horizontal_sum(_mm256_setzero_si256(), acc[i][j]);                                \
                for (size_t u = t; u < k; u++) sum += a[i * lda + u] * w[j * ldw + u];                         \
                float *out = c + i * ldc + j;                                                                 \
                *out = accumulate ? *out + sum : sum;                                                         \
            }                                                                                                 \
        }                                                                                                     \
    }

DEFINE_TILE(3, 4)
DEFINE_TILE(2, 4)
DEFINE_TILE(1, 4)
DEFINE_TILE(3, 1)
DEFINE_TILE(2, 1)
DEFINE_TILE(1, 1)

typedef void (*tile_fn)(size_t, const float *, size_t, const float *, size_t, float *, size_t, int);

__attribute__((target("avx2,fma")))
static void sgemm_nt_avx2(size_t m, size_t n, size_t k, const float *a, size_t lda, const float *w, size_t ldw,
                          float *c, size_t ldc, int accumulate) {
    static const tile_fn wide[4] = {0, tile_1x4, tile_2x4, tile_3x4};
    static const tile_fn narrow[4] = {0, tile_1x1, tile_2x1, tile_3x1};
    /* Columns of C (rows of W) outermost: a 4-row slice of W stays in L1 while every row of A passes by. */
    size_t j = 0;
    for (; j + 4 <= n; j += 4) {
        for (size_t i = 0; i < m; i += 3) {
            size_t rows = m - i < 3 ? m - i : 3;
            wide[rows](k, a + i * lda, lda, w + j * ldw, ldw, c + i * ldc + j, ldc, accumulate);
        }
    }
    for (; j < n; j++) {
        for (size_t i = 0; i < m; i += 3) {
            size_t rows = m - i < 3 ? m - i : 3;
            narrow[rows](k, a + i * lda, lda, w + j * ldw, ldw, c + i * ldc + j, ldc, accumulate);
        }
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

void numerics_sgemm_nt(size_t m, size_t n, size_t k, const float *a, size_t lda, const float *w, size_t ldw,
                       float *c, size_t ldc, int accumulate) {
    if (m == 0 || n == 0) return;
#ifdef NUMERICS_HAVE_X86
    if (cpu_has_avx2_fma()) {
        sgemm_nt_avx2(m, n, k, a, lda, w, ldw, c, ldc, accumulate);
        return;
    }
#endif
    sgemm_nt_portable(m, n, k, a, lda, w, ldw, c, ldc, accumulate);
}
