#include "numerics_products.h"

#include "kernel_support.h"

#include <stdlib.h>

/* ---- Products with a weight used as it is (`numerics_sgemm_nt`, its half-precision twin, and the many-row
   product that packs panels per call). ---- */

/* k is cut into blocks of at most this many elements (a multiple of 8): six rows of A (18 KB) stay in L1. */
#ifndef NT_KC
#define NT_KC 768
#endif
/* Rows of W per block: 32 rows of one k block (96 KB) stay in L2 while every group of A rows passes by. */
#ifndef NT_NB
#define NT_NB 32
#endif

/* The k blocks: as even as possible, each a multiple of 8 except the last. Every caller splits k the same way,
   so an output element's summation order depends only on k. */
static size_t nt_block_length(size_t k) {
    size_t blocks = (k + NT_KC - 1) / NT_KC;
    if (blocks <= 1) return k;
    size_t even = (k + blocks - 1) / blocks;
    return (even + 7) / 8 * 8;
}

#define DEFINE_NT_PORTABLE(NAME, WTYPE, WVALUE)                                                                \
    static void NAME(size_t m, size_t n, size_t k, float alpha, const float *a, size_t lda, const WTYPE *w,       \
                     size_t ldw, float *c, size_t ldc, int accumulate) {                                          \
        size_t kc_max = nt_block_length(k);                                                                     \
        for (size_t i = 0; i < m; i++) {                                                                        \
            for (size_t j = 0; j < n; j++) {                                                                    \
                const float *x = a + i * lda;                                                                   \
                const WTYPE *y = w + j * ldw;                                                                   \
                float *out = c + i * ldc + j;                                                                   \
                for (size_t kb = 0; kb < k; kb += kc_max) {                                                     \
                    size_t end = kb + kc_max < k ? kb + kc_max : k;                                             \
                    float sum = 0;                                                                              \
                    for (size_t t = kb; t < end; t++) sum += x[t] * WVALUE(y[t]);                               \
                    *out = (kb > 0 || accumulate) ? *out + alpha * sum : alpha * sum;                           \
                }                                                                                               \
            }                                                                                                   \
        }                                                                                                       \
    }

DEFINE_NT_PORTABLE(sgemm_nt_portable, float, F32_VALUE)
DEFINE_NT_PORTABLE(sgemm_nt_f16_portable, uint16_t, half_to_float)

#ifdef NUMERICS_HAVE_X86
/* The sums of the 8 lanes of v0..v3: lanes paired by hadd twice, then the two 128-bit halves added. */
__attribute__((target("avx2,fma")))
static inline __m128 reduce4(__m256 v0, __m256 v1, __m256 v2, __m256 v3) {
    __m256 t = _mm256_hadd_ps(_mm256_hadd_ps(v0, v1), _mm256_hadd_ps(v2, v3));
    return _mm_add_ps(_mm256_castps256_ps128(t), _mm256_extractf128_ps(t, 1));
}

/* A tile of MR rows of A by NR rows of W: MR*NR dot products over kc, 8 lanes at a time, then a scalar tail.
   The sum is scaled by alpha and stored, or added to C when `accumulate`. W holds WTYPE elements: LOADW reads
   8 of them as floats, WVALUE one. With `prefetch` (the first row group to meet a block of W, which comes from
   memory), the next two rows of W are requested line by line alongside the current ones. */
#define DEFINE_NT_TILE(PREFIX, WTYPE, LOADW, WVALUE, MR, NR)                                                   \
    __attribute__((target("avx2,fma,f16c"))) static void PREFIX##_##MR##x##NR(                                \
        size_t kc, const float *a, size_t lda, const WTYPE *w, size_t ldw, float *c, size_t ldc, float alpha,  \
        int accumulate, int prefetch) {                                                                       \
        __m256 acc[MR][NR];                                                                                   \
        for (int i = 0; i < MR; i++)                                                                          \
            for (int j = 0; j < NR; j++) acc[i][j] = _mm256_setzero_ps();                                     \
        size_t t = 0;                                                                                         \
        for (; t + 8 <= kc; t += 8) {                                                                         \
            __m256 wv[NR];                                                                                    \
            for (int j = 0; j < NR; j++) wv[j] = LOADW(w + j * ldw + t);                                      \
            if (prefetch && !(t & 15)) {                                                                      \
                _mm_prefetch((const char *)(w + NR * ldw + t), _MM_HINT_T0);                                  \
                _mm_prefetch((const char *)(w + (NR + 1) * ldw + t), _MM_HINT_T0);                            \
            }                                                                                                 \
            for (int i = 0; i < MR; i++) {                                                                    \
                __m256 av = _mm256_loadu_ps(a + i * lda + t);                                                 \
                for (int j = 0; j < NR; j++) acc[i][j] = _mm256_fmadd_ps(av, wv[j], acc[i][j]);               \
            }                                                                                                 \
        }                                                                                                     \
        /* Four accumulators reduced at once (each by the same tree, whatever its neighbours). */            \
        float sums[(MR * NR + 3) / 4 * 4];                                                                    \
        const __m256 *flat = &acc[0][0];                                                                      \
        for (int q = 0; q + 4 <= MR * NR; q += 4)                                                             \
            _mm_storeu_ps(sums + q, reduce4(flat[q], flat[q + 1], flat[q + 2], flat[q + 3]));                 \
        if ((MR * NR) % 4) {                                                                                  \
            int q = MR * NR / 4 * 4;                                                                          \
            __m256 rest[4] = {_mm256_setzero_ps(), _mm256_setzero_ps(), _mm256_setzero_ps(), _mm256_setzero_ps()}; \
            for (int r = q; r < MR * NR; r++) rest[r - q] = flat[r];                                          \
            _mm_storeu_ps(sums + q, reduce4(rest[0], rest[1], rest[2], rest[3]));                             \
        }                                                                                                     \
        for (int i = 0; i < MR; i++) {                                                                        \
            for (int j = 0; j < NR; j++) {                                                                    \
                float sum = sums[i * NR + j];                                                                 \
                for (size_t u = t; u < kc; u++) sum += a[i * lda + u] * WVALUE(w[j * ldw + u]);               \
                float *out = c + i * ldc + j;                                                                 \
                *out = accumulate ? *out + alpha * sum : alpha * sum;                                         \
            }                                                                                                 \
        }                                                                                                     \
    }

/* The blocked driver over the tiles PREFIX_MRxNR. */
#define DEFINE_NT_DRIVER(NAME, PREFIX, WTYPE, LOADW, WVALUE)                                                   \
    DEFINE_NT_TILE(PREFIX, WTYPE, LOADW, WVALUE, 6, 2)                                                        \
    DEFINE_NT_TILE(PREFIX, WTYPE, LOADW, WVALUE, 5, 2)                                                        \
    DEFINE_NT_TILE(PREFIX, WTYPE, LOADW, WVALUE, 4, 2)                                                        \
    DEFINE_NT_TILE(PREFIX, WTYPE, LOADW, WVALUE, 3, 2)                                                        \
    DEFINE_NT_TILE(PREFIX, WTYPE, LOADW, WVALUE, 2, 2)                                                        \
    DEFINE_NT_TILE(PREFIX, WTYPE, LOADW, WVALUE, 1, 2)                                                        \
    DEFINE_NT_TILE(PREFIX, WTYPE, LOADW, WVALUE, 6, 1)                                                        \
    DEFINE_NT_TILE(PREFIX, WTYPE, LOADW, WVALUE, 5, 1)                                                        \
    DEFINE_NT_TILE(PREFIX, WTYPE, LOADW, WVALUE, 4, 1)                                                        \
    DEFINE_NT_TILE(PREFIX, WTYPE, LOADW, WVALUE, 3, 1)                                                        \
    DEFINE_NT_TILE(PREFIX, WTYPE, LOADW, WVALUE, 2, 1)                                                        \
    DEFINE_NT_TILE(PREFIX, WTYPE, LOADW, WVALUE, 1, 1)                                                        \
    __attribute__((target("avx2,fma,f16c"))) static void NAME(                                                \
        size_t m, size_t n, size_t k, float alpha, const float *a, size_t lda, const WTYPE *w, size_t ldw,     \
        float *c, size_t ldc, int accumulate) {                                                               \
        typedef void (*tile_fn)(size_t, const float *, size_t, const WTYPE *, size_t, float *, size_t, float, int, int); \
        static const tile_fn pair[7] = {0,           PREFIX##_1x2, PREFIX##_2x2, PREFIX##_3x2,                 \
                                        PREFIX##_4x2, PREFIX##_5x2, PREFIX##_6x2};                             \
        static const tile_fn single[7] = {0,           PREFIX##_1x1, PREFIX##_2x1, PREFIX##_3x1,               \
                                          PREFIX##_4x1, PREFIX##_5x1, PREFIX##_6x1};                           \
        size_t kc_max = nt_block_length(k);                                                                   \
        for (size_t kb = 0; kb < k; kb += kc_max) {                                                           \
            size_t kc = k - kb < kc_max ? k - kb : kc_max;                                                    \
            int add = kb > 0 || accumulate;                                                                   \
            /* A block of W rows stays in L2 while every 6-row group of A (in L1) meets each pair of them. */ \
            for (size_t jb = 0; jb < n; jb += NT_NB) {                                                        \
                size_t je = jb + NT_NB < n ? jb + NT_NB : n;                                                  \
                for (size_t i = 0; i < m; i += 6) {                                                           \
                    size_t rows = m - i < 6 ? m - i : 6;                                                      \
                    const float *ai = a + i * lda + kb;                                                       \
                    float *ci = c + i * ldc;                                                                  \
                    size_t j = jb;                                                                            \
                    int first = i == 0;                                                                       \
                    for (; j + 2 <= je; j += 2)                                                               \
                        pair[rows](kc, ai, lda, w + j * ldw + kb, ldw, ci + j, ldc, alpha, add,               \
                                   first && j + 4 <= n);                                                      \
                    if (j < je) single[rows](kc, ai, lda, w + j * ldw + kb, ldw, ci + j, ldc, alpha, add, 0); \
                }                                                                                             \
            }                                                                                                 \
        }                                                                                                     \
    }

#define LOAD_F32(p) _mm256_loadu_ps(p)
#define LOAD_F16(p) _mm256_cvtph_ps(_mm_loadu_si128((const __m128i *)(p)))
#define F16_VALUE(x) _cvtsh_ss(x)
DEFINE_NT_DRIVER(sgemm_nt_avx2, nt_tile, float, LOAD_F32, F32_VALUE)
DEFINE_NT_DRIVER(sgemm_nt_f16_avx2, nt_f16_tile, uint16_t, LOAD_F16, F16_VALUE)
#endif

#ifdef NUMERICS_HAVE_X86
/* ---- Many rows: weights packed per call, broadcast-A micro-kernel (the classic 6x16 GEMM tile). ---- */

/* k block of the packed path: 16 packed weight columns (16 KB) and six rows of A (6 KB) stay in L1. */
#define PK_KC 256
/* Output columns packed at a time: 8 panels of 16 (128 KB in L2), met by every row of A. */
#define PK_NC 128

/* rows (<= 6) x 16 columns of C (+)= alpha * A[rows x kc] . panel, panel[t*16 + j] = W[j][t]. */
__attribute__((target("avx2,fma")))
static void pk_tile(size_t kc, const float *a, size_t lda, const float *panel, float *c, size_t ldc, size_t rows,
                    size_t cols, float alpha, int add) {
    __m256 acc[6][2];
    for (int i = 0; i < 6; i++) acc[i][0] = acc[i][1] = _mm256_setzero_ps();
    if (rows == 6) {
        for (size_t t = 0; t < kc; t++) {
            __m256 b0 = _mm256_load_ps(panel + 16 * t), b1 = _mm256_load_ps(panel + 16 * t + 8);
            for (int i = 0; i < 6; i++) {
                __m256 av = _mm256_broadcast_ss(a + i * lda + t);
                acc[i][0] = _mm256_fmadd_ps(av, b0, acc[i][0]);
                acc[i][1] = _mm256_fmadd_ps(av, b1, acc[i][1]);
            }
        }
    } else {
        for (size_t t = 0; t < kc; t++) {
            __m256 b0 = _mm256_load_ps(panel + 16 * t), b1 = _mm256_load_ps(panel + 16 * t + 8);
            for (size_t i = 0; i < rows; i++) {
                __m256 av = _mm256_broadcast_ss(a + i * lda + t);
                acc[i][0] = _mm256_fmadd_ps(av, b0, acc[i][0]);
                acc[i][1] = _mm256_fmadd_ps(av, b1, acc[i][1]);
            }
        }
    }
    __m256 scale = _mm256_set1_ps(alpha);
    for (size_t i = 0; i < rows; i++) {
        float *out = c + i * ldc;
        if (cols == 16) {
            for (int h = 0; h < 2; h++) {
                __m256 v = _mm256_mul_ps(acc[i][h], scale);
                if (add) v = _mm256_add_ps(_mm256_loadu_ps(out + 8 * h), v);
                _mm256_storeu_ps(out + 8 * h, v);
            }
        } else {
            float lanes[16];
            _mm256_storeu_ps(lanes, acc[i][0]);
            _mm256_storeu_ps(lanes + 8, acc[i][1]);
            for (size_t j = 0; j < cols; j++) out[j] = add ? out[j] + alpha * lanes[j] : alpha * lanes[j];
        }
    }
}

__attribute__((target("avx2,fma")))
static void sgemm_nt_packed_avx2(size_t m, size_t n, size_t k, float alpha, const float *a, size_t lda,
                                 const float *w, size_t ldw, float *c, size_t ldc, int accumulate, float *panels) {
    for (size_t kb = 0; kb < k; kb += PK_KC) {
        size_t kc = k - kb < PK_KC ? k - kb : PK_KC;
        int add = kb > 0 || accumulate;
        for (size_t jb = 0; jb < n; jb += PK_NC) {
            size_t nc = n - jb < PK_NC ? n - jb : PK_NC;
            size_t panel_count = (nc + 15) / 16;
            /* Pack: panel p holds columns jb + 16p ... as [t][16], zero beyond n. */
            for (size_t p = 0; p < panel_count; p++) {
                float *panel = panels + p * 16 * PK_KC;
                for (size_t jj = 0; jj < 16; jj++) {
                    size_t j = jb + 16 * p + jj;
                    if (j < n) {
                        const float *src = w + j * ldw + kb;
                        for (size_t t = 0; t < kc; t++) panel[16 * t + jj] = src[t];
                    } else {
                        for (size_t t = 0; t < kc; t++) panel[16 * t + jj] = 0;
                    }
                }
            }
            for (size_t i = 0; i < m; i += 6) {
                size_t rows = m - i < 6 ? m - i : 6;
                for (size_t p = 0; p < panel_count; p++) {
                    size_t col = jb + 16 * p, cols = n - col < 16 ? n - col : 16;
                    pk_tile(kc, a + i * lda + kb, lda, panels + p * 16 * PK_KC, c + i * ldc + col, ldc, rows, cols,
                            alpha, add);
                }
            }
        }
    }
}
#endif

void numerics_sgemm_nt_many_rows(size_t m, size_t n, size_t k, float alpha, const float *a, size_t lda,
                                 const float *w, size_t ldw, float *c, size_t ldc, int accumulate) {
#ifdef NUMERICS_HAVE_X86
    if (m > 0 && n > 0 && k > 0 && USE_AVX2) {
        float *panels = aligned_alloc(64, (PK_NC / 16) * 16 * PK_KC * sizeof(float));
        if (panels) {
            sgemm_nt_packed_avx2(m, n, k, alpha, a, lda, w, ldw, c, ldc, accumulate, panels);
            free(panels);
            return;
        }
    }
#endif
    numerics_sgemm_nt(m, n, k, alpha, a, lda, w, ldw, c, ldc, accumulate);
}

/* A public entry point over row-major WTYPE weights: nothing for an empty output, the empty product for k = 0,
   then the AVX2 driver where the level allows it, the portable loop otherwise. */
#ifdef NUMERICS_HAVE_X86
#define NT_AVX2_CALL(DRIVER)                                                                                  \
    if (USE_AVX2) {                                                                                           \
        DRIVER(m, n, k, alpha, a, lda, w, ldw, c, ldc, accumulate);                                           \
        return;                                                                                               \
    }
#else
#define NT_AVX2_CALL(DRIVER)
#endif
#define DEFINE_NT_ENTRY(NAME, WTYPE, AVX2, PORTABLE)                                                          \
    void NAME(size_t m, size_t n, size_t k, float alpha, const float *a, size_t lda, const WTYPE *w, size_t ldw, \
              float *c, size_t ldc, int accumulate) {                                                         \
        if (m == 0 || n == 0) return;                                                                         \
        if (k == 0) {                                                                                         \
            empty_product(m, n, c, ldc, accumulate);                                                          \
            return;                                                                                           \
        }                                                                                                     \
        NT_AVX2_CALL(AVX2)                                                                                    \
        PORTABLE(m, n, k, alpha, a, lda, w, ldw, c, ldc, accumulate);                                         \
    }

DEFINE_NT_ENTRY(numerics_sgemm_nt, float, sgemm_nt_avx2, sgemm_nt_portable)
DEFINE_NT_ENTRY(numerics_sgemm_nt_f16, uint16_t, sgemm_nt_f16_avx2, sgemm_nt_f16_portable)
