#include "numerics_kernels.h"

#include <math.h>
#if defined(__GLIBC__)
#include <malloc.h>
#endif
#include <stdlib.h>
#include <string.h>

#if defined(__x86_64__) && (defined(__clang__) || defined(__GNUC__))
#include <immintrin.h>
#define NUMERICS_HAVE_X86 1
#endif

/* ---- Kernel level: the best the CPU has (CPUID, detected once), capped by the calling thread's ceiling. Every
   entry point reads it when called, so the same binary runs AVX-512, AVX2 + FMA or portable code by machine. ---- */

static int detected_level(void) {
    static int cached = -1;
    int level = __atomic_load_n(&cached, __ATOMIC_RELAXED);
    if (level < 0) {
        level = NUMERICS_KERNELS_PORTABLE;
#if defined(__x86_64__) && (defined(__clang__) || defined(__GNUC__))
        __builtin_cpu_init();
        if (__builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma") && __builtin_cpu_supports("f16c")) {
            level = NUMERICS_KERNELS_AVX2;
            if (__builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512bw") &&
                __builtin_cpu_supports("avx512vl") && __builtin_cpu_supports("avx512dq"))
                level = NUMERICS_KERNELS_AVX512;
        }
#endif
        __atomic_store_n(&cached, level, __ATOMIC_RELAXED);
    }
    return level;
}

static _Thread_local int thread_ceiling = NUMERICS_KERNELS_AVX512;

static inline int kernel_level(void) {
    int detected = detected_level();
    return thread_ceiling < detected ? thread_ceiling : detected;
}

int numerics_kernels_detected(void) { return detected_level(); }
int numerics_kernels_ceiling(void) { return thread_ceiling; }
void numerics_kernels_set_ceiling(int level) {
    thread_ceiling = level < NUMERICS_KERNELS_PORTABLE ? NUMERICS_KERNELS_PORTABLE
                     : level > NUMERICS_KERNELS_AVX512 ? NUMERICS_KERNELS_AVX512 : level;
}
int numerics_kernels_level(void) { return kernel_level(); }

#define USE_AVX2 (kernel_level() >= NUMERICS_KERNELS_AVX2)
#define USE_AVX512 (kernel_level() >= NUMERICS_KERNELS_AVX512)

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

/* IEEE binary16 <-> binary32, round to nearest even (what F16C's vcvtps2ph does with rounding mode 0). */
static float half_to_float(uint16_t h) {
    uint32_t sign = (uint32_t)(h & 0x8000) << 16, exponent = (h >> 10) & 0x1f, mantissa = h & 0x3ff, bits;
    if (exponent == 0) {
        if (mantissa == 0) {
            bits = sign;
        } else { /* subnormal: normalise */
            exponent = 113;
            while (!(mantissa & 0x400)) { mantissa <<= 1; exponent--; }
            bits = sign | (exponent << 23) | ((mantissa & 0x3ff) << 13);
        }
    } else if (exponent == 31) {
        bits = sign | 0x7f800000 | (mantissa << 13);
    } else {
        bits = sign | ((exponent + 112) << 23) | (mantissa << 13);
    }
    float f;
    memcpy(&f, &bits, 4);
    return f;
}

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

#define F32_VALUE(x) (x)
DEFINE_NT_PORTABLE(sgemm_nt_portable, float, F32_VALUE)
DEFINE_NT_PORTABLE(sgemm_nt_f16_portable, uint16_t, half_to_float)

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

/* A product over k = 0 terms: zero, or (accumulating) the output unchanged. */
static void empty_product(size_t m, size_t n, float *c, size_t ldc, int accumulate) {
    if (accumulate) return;
    for (size_t i = 0; i < m; i++)
        for (size_t j = 0; j < n; j++) c[i * ldc + j] = 0;
}

void numerics_sgemm_nt(size_t m, size_t n, size_t k, float alpha, const float *a, size_t lda, const float *w,
                       size_t ldw, float *c, size_t ldc, int accumulate) {
    if (m == 0 || n == 0) return;
    if (k == 0) {
        empty_product(m, n, c, ldc, accumulate);
        return;
    }
#ifdef NUMERICS_HAVE_X86
    if (USE_AVX2) {
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

void numerics_sgemm_nt_f16(size_t m, size_t n, size_t k, float alpha, const float *a, size_t lda, const uint16_t *w,
                           size_t ldw, float *c, size_t ldc, int accumulate) {
    if (m == 0 || n == 0) return;
    if (k == 0) {
        empty_product(m, n, c, ldc, accumulate);
        return;
    }
#ifdef NUMERICS_HAVE_X86
    if (USE_AVX2) {
        sgemm_nt_f16_avx2(m, n, k, alpha, a, lda, w, ldw, c, ldc, accumulate);
        return;
    }
#endif
    sgemm_nt_f16_portable(m, n, k, alpha, a, lda, w, ldw, c, ldc, accumulate);
}

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

/* ---- Weights packed once (at load) into 16-column panels: panel p = columns 16p ..< 16p + 16 as [k][16]. ---- */

#define PP_W 16
/* k block of the prepacked product: one panel slice (48 KB) streams from L2 while six rows of A (18 KB) sit in
   L1. Every caller with the same k cuts it the same way (as even as possible), so results depend only on k. */
#ifndef PP_KC
#define PP_KC 768
#endif
/* Panels met by every row group before moving on: 4 panels of one k block (192 KB) stay in L2. */
#ifndef PP_NP
#define PP_NP 4
#endif
#ifndef PP_PREFETCH
#define PP_PREFETCH 1
#endif

static size_t pp_block_length(size_t k) {
    size_t blocks = (k + PP_KC - 1) / PP_KC;
    return blocks <= 1 ? k : (k + blocks - 1) / blocks;
}

size_t numerics_packed_count(size_t n, size_t k) { return (n + PP_W - 1) / PP_W * PP_W * k; }

void numerics_pack_nt(size_t n, size_t k, const float *w, size_t ldw, float *packed) {
    size_t panels = (n + PP_W - 1) / PP_W;
    for (size_t p = 0; p < panels; p++) {
        float *panel = packed + p * PP_W * k;
        for (size_t jj = 0; jj < PP_W; jj++) {
            size_t j = p * PP_W + jj;
            if (j < n) {
                const float *src = w + j * ldw;
                for (size_t t = 0; t < k; t++) panel[PP_W * t + jj] = src[t];
            } else {
                for (size_t t = 0; t < k; t++) panel[PP_W * t + jj] = 0;
            }
        }
    }
}

void numerics_unpack_nt(size_t n, size_t k, const float *packed, float *w, size_t ldw) {
    for (size_t j = 0; j < n; j++) {
        const float *panel = packed + (j / PP_W) * PP_W * k + j % PP_W;
        for (size_t t = 0; t < k; t++) w[j * ldw + t] = panel[PP_W * t];
    }
}

/* Portable: the same operations in the same order as the AVX2 tile (one FMA chain per output over a k block),
   each weight read through WVALUE. */
#define DEFINE_PP_PORTABLE(NAME, WTYPE, WVALUE)                                                                       \
static void NAME(size_t m, size_t n, size_t k, float alpha, const float *a, size_t lda, const WTYPE *packed,          \
                        float *c, size_t ldc, int accumulate) {                                                       \
    size_t kc_max = pp_block_length(k);                                                                               \
    for (size_t i = 0; i < m; i++) {                                                                                  \
        for (size_t j = 0; j < n; j++) {                                                                              \
            const WTYPE *panel = packed + (j / PP_W) * PP_W * k + j % PP_W;                                           \
            float *out = c + i * ldc + j;                                                                             \
            for (size_t kb = 0; kb < k; kb += kc_max) {                                                               \
                size_t end = kb + kc_max < k ? kb + kc_max : k;                                                       \
                float sum = 0;                                                                                        \
                for (size_t t = kb; t < end; t++) sum = fmaf(a[i * lda + t], WVALUE(panel[PP_W * t]), sum);           \
                *out = (kb > 0 || accumulate) ? *out + alpha * sum : alpha * sum;                                     \
            }                                                                                                         \
        }                                                                                                             \
    }                                                                                                                 \
}

DEFINE_PP_PORTABLE(pp_portable, float, F32_VALUE)
DEFINE_PP_PORTABLE(pph_portable, uint16_t, half_to_float)

#ifdef NUMERICS_HAVE_X86
/* MR rows x 16 columns: C (+)= alpha * A[MR x kc] . panel[kc x 16], A broadcast element by element; LOAD_PANEL
   reads 8 panel values (WTYPE) as floats. */
#define DEFINE_PP_TILE(PREFIX, WTYPE, TARGET, LOAD_PANEL, MR)                                                         \
    __attribute__((target(TARGET))) static void PREFIX##_tile_##MR(size_t kc, const float *a, size_t lda,             \
                                                                  const WTYPE *panel, float *c, size_t ldc,           \
                                                                  size_t cols, float alpha, int add,                  \
                                                                  const char *ahead, size_t ahead_step) {             \
        __m256 acc[MR][2];                                                                                            \
        for (int i = 0; i < MR; i++) acc[i][0] = acc[i][1] = _mm256_setzero_ps();                                     \
        for (size_t t = 0; t < kc; t++) {                                                                             \
            if (ahead && !(t & 7)) {                                                                                  \
                _mm_prefetch(ahead, _MM_HINT_T1);                                                                     \
                ahead += ahead_step;                                                                                  \
            }                                                                                                         \
            __m256 b0 = LOAD_PANEL(panel + PP_W * t), b1 = LOAD_PANEL(panel + PP_W * t + 8);                          \
            for (int i = 0; i < MR; i++) {                                                                            \
                __m256 av = _mm256_broadcast_ss(a + i * lda + t);                                                     \
                acc[i][0] = _mm256_fmadd_ps(av, b0, acc[i][0]);                                                       \
                acc[i][1] = _mm256_fmadd_ps(av, b1, acc[i][1]);                                                       \
            }                                                                                                         \
        }                                                                                                             \
        __m256 scale = _mm256_set1_ps(alpha);                                                                         \
        for (int i = 0; i < MR; i++) {                                                                                \
            float *out = c + i * ldc;                                                                                 \
            __m256 v0 = _mm256_mul_ps(acc[i][0], scale), v1 = _mm256_mul_ps(acc[i][1], scale);                        \
            if (cols == PP_W) {                                                                                       \
                if (add) {                                                                                            \
                    v0 = _mm256_add_ps(_mm256_loadu_ps(out), v0);                                                     \
                    v1 = _mm256_add_ps(_mm256_loadu_ps(out + 8), v1);                                                 \
                }                                                                                                     \
                _mm256_storeu_ps(out, v0);                                                                            \
                _mm256_storeu_ps(out + 8, v1);                                                                        \
            } else {                                                                                                  \
                float lanes[PP_W];                                                                                    \
                _mm256_storeu_ps(lanes, v0);                                                                          \
                _mm256_storeu_ps(lanes + 8, v1);                                                                      \
                for (size_t j = 0; j < cols; j++) out[j] = add ? out[j] + lanes[j] : lanes[j];                        \
            }                                                                                                         \
        }                                                                                                             \
    }

/* The driver over PREFIX_tile_1 ... PREFIX_tile_6: k blocks, chunks of PP_NP panels, even row groups, prefetch. */
#define DEFINE_PP_DRIVER(PREFIX, WTYPE, TARGET, LOAD_PANEL)                                                                    \
DEFINE_PP_TILE(PREFIX, WTYPE, TARGET, LOAD_PANEL, 1)                                                                           \
DEFINE_PP_TILE(PREFIX, WTYPE, TARGET, LOAD_PANEL, 2)                                                                           \
DEFINE_PP_TILE(PREFIX, WTYPE, TARGET, LOAD_PANEL, 3)                                                                           \
DEFINE_PP_TILE(PREFIX, WTYPE, TARGET, LOAD_PANEL, 4)                                                                           \
DEFINE_PP_TILE(PREFIX, WTYPE, TARGET, LOAD_PANEL, 5)                                                                           \
DEFINE_PP_TILE(PREFIX, WTYPE, TARGET, LOAD_PANEL, 6)                                                                           \
typedef void (*PREFIX##_tile_fn)(size_t, const float *, size_t, const WTYPE *, float *, size_t, size_t, float, int,            \
                                 const char *, size_t);                                                                        \
__attribute__((target(TARGET)))                                                                                                \
static void PREFIX##_avx2(size_t m, size_t n, size_t k, float alpha, const float *a, size_t lda, const WTYPE *packed,          \
                    float *c, size_t ldc, int accumulate, const WTYPE *following, size_t following_n) {                        \
    static const PREFIX##_tile_fn tiles[7] = {0,              PREFIX##_tile_1, PREFIX##_tile_2, PREFIX##_tile_3,               \
                                               PREFIX##_tile_4, PREFIX##_tile_5, PREFIX##_tile_6};                             \
    size_t kc_max = pp_block_length(k);                                                                                        \
    size_t panels = (n + PP_W - 1) / PP_W;                                                                                     \
    /* Row groups of at most 6, as even as possible (50 rows: 6,6,6,6,6,5,5,5,5). */                                           \
    size_t groups = (m + 5) / 6, base = m / groups, extra = m % groups;                                                        \
    for (size_t kb = 0; kb < k; kb += kc_max) {                                                                                \
        size_t kc = k - kb < kc_max ? k - kb : kc_max;                                                                         \
        int add = kb > 0 || accumulate;                                                                                        \
        for (size_t pb = 0; pb < panels; pb += PP_NP) {                                                                        \
            size_t pe = pb + PP_NP < panels ? pb + PP_NP : panels;                                                             \
            /* The next chunk of panels (or the next k block's first chunk) comes from memory: while the second and            \
               later row groups work on this chunk out of L2, they ask for it into L2 a few lines per tile, spread             \
               over their tiles (each tile issues one request per 8 k steps). */                                               \
            const WTYPE *next_base = packed;                                                                                   \
            size_t next_pb = pe < panels ? pe : 0, next_kb = pe < panels ? kb : kb + kc_max;                                   \
            size_t next_pe = next_pb + PP_NP < panels ? next_pb + PP_NP : panels;                                              \
            if (next_kb >= k && following && following_n) {                                                                    \
                /* The last chunk of the call: ask for the first chunk of `following` (the piece this thread runs               \
                   next, handed over by the caller). */                                                                         \
                next_base = following;                                                                                         \
                next_pb = 0;                                                                                                   \
                next_kb = 0;                                                                                                   \
                next_pe = (following_n + PP_W - 1) / PP_W < PP_NP ? (following_n + PP_W - 1) / PP_W : PP_NP;                   \
            }                                                                                                                  \
            size_t next_kc = next_kb < k ? (k - next_kb < kc_max ? k - next_kb : kc_max) : 0;                                  \
            size_t later_tiles = (groups - 1) * (pe - pb);                                                                     \
            size_t lines_per_panel = next_kc * PP_W * sizeof(WTYPE) / 64, requests_per_tile = (kc + 7) / 8;                    \
            size_t total_lines = lines_per_panel * (next_pe - next_pb);                                                        \
            /* Lines between requests so that the later tiles' requests cover the next chunk. */                               \
            size_t step_lines = PP_PREFETCH && next_kc && later_tiles                                                          \
                                    ? (total_lines + later_tiles * requests_per_tile - 1) / (later_tiles * requests_per_tile)  \
                                    : 0;                                                                                       \
            size_t tile_index = 0;                                                                                             \
            size_t i = 0;                                                                                                      \
            for (size_t g = 0; g < groups; g++) {                                                                              \
                size_t rows = base + (g < extra);                                                                              \
                for (size_t p = pb; p < pe; p++) {                                                                             \
                    size_t cols = n - p * PP_W < PP_W ? n - p * PP_W : PP_W;                                                   \
                    const char *ahead = 0;                                                                                     \
                    if (g > 0 && step_lines) {                                                                                 \
                        size_t line = tile_index * requests_per_tile * step_lines;                                             \
                        if (line < total_lines) {                                                                              \
                            size_t panel = next_pb + line / lines_per_panel, within = line % lines_per_panel;                  \
                            ahead = (const char *)(next_base + panel * PP_W * k + next_kb * PP_W) + 64 * within;               \
                        }                                                                                                      \
                        tile_index++;                                                                                          \
                    }                                                                                                          \
                    tiles[rows](kc, a + i * lda + kb, lda, packed + p * PP_W * k + kb * PP_W, c + i * ldc + p * PP_W,          \
                                ldc, cols, alpha, add, ahead, 64 * step_lines);                                                \
                }                                                                                                              \
                i += rows;                                                                                                     \
            }                                                                                                                  \
        }                                                                                                                      \
    }                                                                                                                          \
}

#define LOAD_PANEL_F32(p) _mm256_loadu_ps(p)
#define LOAD_PANEL_F16(p) _mm256_cvtph_ps(_mm_loadu_si128((const __m128i *)(p)))
DEFINE_PP_DRIVER(pp, float, "avx2,fma", LOAD_PANEL_F32)
DEFINE_PP_DRIVER(pph, uint16_t, "avx2,fma,f16c", LOAD_PANEL_F16)

/* ---- Few rows with AVX-512 (a text, a handful of pooled rows): every row of A meets each panel row in one pass.
   With at most PPW_MAX_ROWS rows, the 6-row groups of the AVX2 driver would read each panel slice once from memory
   and again from L2, and its 16-column tile is two 8-lane halves; here one 16-lane accumulator per row (32
   registers) covers all rows, panels go in memory order (panel by panel, k block by k block — one sequential
   stream), and each step asks for the panel row PPW_LEAD bytes ahead. Every output is still one FMA chain per k
   block from zero, scaled by alpha, then added to (or stored in) C, blocks in increasing order: bit for bit what
   the AVX2 tiles compute. ---- */

#define PPW_MAX_ROWS 16
#ifndef PPW_LEAD
#define PPW_LEAD 4096
#endif

/* One k step of the few-row tile: panel row t against element t of each of the MR rows of A. */
#define PPW_STEP(LOAD16, MR)                                                                                          \
    do {                                                                                                              \
        __m512 b = LOAD16(panel + PP_W * t);                                                                          \
        for (int i = 0; i < MR; i++) acc[i] = _mm512_fmadd_ps(_mm512_set1_ps(a[i * lda + t]), b, acc[i]);            \
    } while (0)

/* MR rows x 16 columns over one k block. At step t the panel row PPW_LEAD bytes ahead is requested: from `ahead`
   for the first `ahead_steps` steps, then from `then` (the stream's continuation past the weight; without one, the
   row being read, which costs nothing). */
#define DEFINE_PPW_TILE(PREFIX, WTYPE, LOAD16, MR)                                                                    \
    __attribute__((target("avx512f"))) static void PREFIX##_wide_##MR(                                               \
        size_t kc, const float *a, size_t lda, const WTYPE *panel, float *c, size_t ldc, size_t cols, float alpha,  \
        int add, const char *ahead, size_t ahead_steps, const char *then) {                                          \
        __m512 acc[MR];                                                                                               \
        for (int i = 0; i < MR; i++) acc[i] = _mm512_setzero_ps();                                                    \
        const size_t step = PP_W * sizeof(WTYPE);                                                                     \
        size_t first = ahead_steps < kc ? ahead_steps : kc, t = 0;                                                    \
        for (; t < first; t++) {                                                                                      \
            _mm_prefetch(ahead + step * t, _MM_HINT_T0);                                                              \
            PPW_STEP(LOAD16, MR);                                                                                     \
        }                                                                                                             \
        const char *tail = then ? then : (const char *)(panel + PP_W * first);                                        \
        for (; t < kc; t++) {                                                                                         \
            _mm_prefetch(tail + step * (t - first), _MM_HINT_T0);                                                     \
            PPW_STEP(LOAD16, MR);                                                                                     \
        }                                                                                                             \
        __m512 scale = _mm512_set1_ps(alpha);                                                                         \
        __mmask16 mask = cols >= PP_W ? (__mmask16)0xFFFF : (__mmask16)((1u << cols) - 1);                          \
        for (int i = 0; i < MR; i++) {                                                                                \
            float *out = c + i * ldc;                                                                                 \
            __m512 v = _mm512_mul_ps(acc[i], scale);                                                                  \
            if (add) v = _mm512_add_ps(_mm512_maskz_loadu_ps(mask, out), v);                                          \
            _mm512_mask_storeu_ps(out, mask, v);                                                                      \
        }                                                                                                             \
    }

#define DEFINE_PPW_DRIVER(PREFIX, WTYPE, LOAD16)                                                                      \
DEFINE_PPW_TILE(PREFIX, WTYPE, LOAD16, 1) DEFINE_PPW_TILE(PREFIX, WTYPE, LOAD16, 2)                                   \
DEFINE_PPW_TILE(PREFIX, WTYPE, LOAD16, 3) DEFINE_PPW_TILE(PREFIX, WTYPE, LOAD16, 4)                                   \
DEFINE_PPW_TILE(PREFIX, WTYPE, LOAD16, 5) DEFINE_PPW_TILE(PREFIX, WTYPE, LOAD16, 6)                                   \
DEFINE_PPW_TILE(PREFIX, WTYPE, LOAD16, 7) DEFINE_PPW_TILE(PREFIX, WTYPE, LOAD16, 8)                                   \
DEFINE_PPW_TILE(PREFIX, WTYPE, LOAD16, 9) DEFINE_PPW_TILE(PREFIX, WTYPE, LOAD16, 10)                                  \
DEFINE_PPW_TILE(PREFIX, WTYPE, LOAD16, 11) DEFINE_PPW_TILE(PREFIX, WTYPE, LOAD16, 12)                                 \
DEFINE_PPW_TILE(PREFIX, WTYPE, LOAD16, 13) DEFINE_PPW_TILE(PREFIX, WTYPE, LOAD16, 14)                                 \
DEFINE_PPW_TILE(PREFIX, WTYPE, LOAD16, 15) DEFINE_PPW_TILE(PREFIX, WTYPE, LOAD16, 16)                                 \
typedef void (*PREFIX##_wide_fn)(size_t, const float *, size_t, const WTYPE *, float *, size_t, size_t, float, int,   \
                                 const char *, size_t, const char *);                                                 \
/* m <= PPW_MAX_ROWS. The weight's bytes are one stream, panel by panel and each panel block by block: the request    \
   PPW_LEAD bytes ahead of the step being computed runs past the last panel into `following` (when given). */        \
static void PREFIX##_wide(size_t m, size_t n, size_t k, float alpha, const float *a, size_t lda, const WTYPE *packed,  \
                          float *c, size_t ldc, int accumulate, const WTYPE *following, size_t following_n) {         \
    static const PREFIX##_wide_fn tiles[PPW_MAX_ROWS + 1] = {                                                          \
        0, PREFIX##_wide_1, PREFIX##_wide_2, PREFIX##_wide_3, PREFIX##_wide_4, PREFIX##_wide_5, PREFIX##_wide_6,      \
        PREFIX##_wide_7, PREFIX##_wide_8, PREFIX##_wide_9, PREFIX##_wide_10, PREFIX##_wide_11, PREFIX##_wide_12,      \
        PREFIX##_wide_13, PREFIX##_wide_14, PREFIX##_wide_15, PREFIX##_wide_16};                                      \
    size_t kc_max = pp_block_length(k);                                                                               \
    size_t panels = (n + PP_W - 1) / PP_W;                                                                            \
    const size_t step = PP_W * sizeof(WTYPE);                                                                         \
    const size_t total = panels * k * step;                                                                           \
    /* Bytes of `following` worth asking for: its first panel block, at most one lead. */                             \
    const size_t following_bytes = following && following_n ? (PPW_LEAD < k * step ? PPW_LEAD : k * step) : 0;        \
    const char *base = (const char *)packed;                                                                          \
    for (size_t p = 0; p < panels; p++) {                                                                             \
        size_t cols = n - p * PP_W < PP_W ? n - p * PP_W : PP_W;                                                      \
        for (size_t kb = 0; kb < k; kb += kc_max) {                                                                   \
            size_t kc = k - kb < kc_max ? k - kb : kc_max;                                                            \
            size_t target = (p * k + kb) * step + PPW_LEAD; /* requested at step 0 */                                 \
            size_t inside = target < total ? (total - target + step - 1) / step : 0;                                  \
            const char *then = 0;                                                                                     \
            if (following_bytes) {                                                                                    \
                size_t beyond = target + inside * step - total; /* offset into `following` at step `inside` */       \
                if (beyond < following_bytes) then = (const char *)following + beyond;                                \
            }                                                                                                         \
            const char *ahead = base + (target < total ? target : total);                                             \
            tiles[m](kc, a + kb, lda, packed + (p * k + kb) * PP_W, c + p * PP_W, ldc, cols, alpha,                   \
                     kb > 0 || accumulate, ahead, inside, then);                                                      \
        }                                                                                                             \
    }                                                                                                                 \
}

#define LOAD16_F32(p) _mm512_loadu_ps(p)
#define LOAD16_F16(p) _mm512_cvtph_ps(_mm256_loadu_si256((const __m256i *)(p)))
DEFINE_PPW_DRIVER(ppw, float, LOAD16_F32)
DEFINE_PPW_DRIVER(pphw, uint16_t, LOAD16_F16)

/* ---- Many rows with AVX-512 (a batch of images, a long text): rows in groups of at most PPZ_MR, as even as
   possible, each group meeting two panels at a time — MR x 32 columns in 2·MR 16-lane accumulators (24 of the 32
   registers at 12 rows), so each k step reads two panel rows and MR elements of A for 2·MR fused multiply-adds.
   Panels go in chunks of PPZ_NP per k block, which every row group meets before the next chunk (192 KB per 4
   panels at k 768: in L2 while A streams by). Every output is one FMA chain per k block from zero, scaled by
   alpha, then added to (or stored in) C, blocks in increasing order: bit for bit what the AVX2 tiles compute. ---- */

#ifndef PPZ_MR
#define PPZ_MR 10
#endif
#ifndef PPZ_NP
#define PPZ_NP 4
#endif
/* Rows per block: a block of A (PPZ_MC rows of one k block, 960 KB at k 768) stays in L2 while it meets every
   panel of the call, so A streams from memory or L3 once per call, not once per chunk of panels. */
#ifndef PPZ_MC
#define PPZ_MC 320
#endif

/* MR rows x NP panels (the last one `last_cols` wide) over one k block; panels `panel_stride` elements apart. With
   `ahead`, one line from it is requested into L2 every 8 steps, `ahead_step` bytes apart (the next chunk). */
#define DEFINE_PPZ_TILE(PREFIX, WTYPE, LOAD16, MR, NP)                                                                \
    __attribute__((target("avx512f,avx512bw,avx512vl,avx512dq,avx2,fma,f16c"))) static void PREFIX##_z##NP##_##MR(  \
        size_t kc, const float *a, size_t lda, const WTYPE *panel, size_t panel_stride, float *c, size_t ldc,       \
        size_t last_cols, float alpha, int add, const char *ahead, size_t ahead_step) {                             \
        __m512 acc[MR][NP];                                                                                           \
        for (int i = 0; i < MR; i++)                                                                                  \
            for (int j = 0; j < NP; j++) acc[i][j] = _mm512_setzero_ps();                                             \
        for (size_t t = 0; t < kc; t++) {                                                                             \
            if (ahead && !(t & 7)) {                                                                                  \
                _mm_prefetch(ahead, _MM_HINT_T1);                                                                     \
                ahead += ahead_step;                                                                                  \
            }                                                                                                         \
            __m512 b[NP];                                                                                             \
            for (int j = 0; j < NP; j++) b[j] = LOAD16(panel + j * panel_stride + PP_W * t);                          \
            for (int i = 0; i < MR; i++) {                                                                            \
                __m512 av = _mm512_set1_ps(a[i * lda + t]);                                                           \
                for (int j = 0; j < NP; j++) acc[i][j] = _mm512_fmadd_ps(av, b[j], acc[i][j]);                        \
            }                                                                                                         \
        }                                                                                                             \
        __m512 scale = _mm512_set1_ps(alpha);                                                                         \
        __mmask16 last = last_cols >= PP_W ? (__mmask16)0xFFFF : (__mmask16)((1u << last_cols) - 1);                \
        for (int i = 0; i < MR; i++) {                                                                                \
            float *out = c + i * ldc;                                                                                 \
            for (int j = 0; j < NP; j++) {                                                                            \
                __mmask16 mask = j == NP - 1 ? last : (__mmask16)0xFFFF;                                              \
                __m512 v = _mm512_mul_ps(acc[i][j], scale);                                                           \
                if (add) v = _mm512_add_ps(_mm512_maskz_loadu_ps(mask, out + PP_W * j), v);                           \
                _mm512_mask_storeu_ps(out + PP_W * j, mask, v);                                                       \
            }                                                                                                         \
        }                                                                                                             \
    }

#define DEFINE_PPZ_TILES(PREFIX, WTYPE, LOAD16, NP)                                                                   \
DEFINE_PPZ_TILE(PREFIX, WTYPE, LOAD16, 1, NP) DEFINE_PPZ_TILE(PREFIX, WTYPE, LOAD16, 2, NP)                           \
DEFINE_PPZ_TILE(PREFIX, WTYPE, LOAD16, 3, NP) DEFINE_PPZ_TILE(PREFIX, WTYPE, LOAD16, 4, NP)                           \
DEFINE_PPZ_TILE(PREFIX, WTYPE, LOAD16, 5, NP) DEFINE_PPZ_TILE(PREFIX, WTYPE, LOAD16, 6, NP)                           \
DEFINE_PPZ_TILE(PREFIX, WTYPE, LOAD16, 7, NP) DEFINE_PPZ_TILE(PREFIX, WTYPE, LOAD16, 8, NP)                           \
DEFINE_PPZ_TILE(PREFIX, WTYPE, LOAD16, 9, NP) DEFINE_PPZ_TILE(PREFIX, WTYPE, LOAD16, 10, NP)

#define PPZ_TABLE(PREFIX, NP)                                                                                         \
    {0, PREFIX##_z##NP##_1, PREFIX##_z##NP##_2, PREFIX##_z##NP##_3, PREFIX##_z##NP##_4, PREFIX##_z##NP##_5,           \
     PREFIX##_z##NP##_6, PREFIX##_z##NP##_7, PREFIX##_z##NP##_8, PREFIX##_z##NP##_9, PREFIX##_z##NP##_10}

/* The driver: k blocks, chunks of PPZ_NP panels, even row groups, panel pairs (one single panel at an odd end);
   while the second and later row groups work on a chunk out of L2 they ask for the next chunk (or the first of
   `following`, at the last), as the AVX2 driver does. */
#define DEFINE_PPZ_DRIVER(PREFIX, WTYPE, LOAD16)                                                                      \
DEFINE_PPZ_TILES(PREFIX, WTYPE, LOAD16, 1)                                                                            \
DEFINE_PPZ_TILES(PREFIX, WTYPE, LOAD16, 2)                                                                            \
typedef void (*PREFIX##_z_fn)(size_t, const float *, size_t, const WTYPE *, size_t, float *, size_t, size_t, float,  \
                              int, const char *, size_t);                                                             \
static void PREFIX##_avx512(size_t m, size_t n, size_t k, float alpha, const float *a, size_t lda,                    \
                            const WTYPE *packed, float *c, size_t ldc, int accumulate, const WTYPE *following,        \
                            size_t following_n) {                                                                     \
    static const PREFIX##_z_fn single[PPZ_MR + 1] = PPZ_TABLE(PREFIX, 1);                                            \
    static const PREFIX##_z_fn pair[PPZ_MR + 1] = PPZ_TABLE(PREFIX, 2);                                               \
    size_t kc_max = pp_block_length(k);                                                                               \
    size_t panels = (n + PP_W - 1) / PP_W;                                                                            \
    size_t groups = (m + PPZ_MR - 1) / PPZ_MR, base = m / groups, extra = m % groups;                                 \
    for (size_t kb = 0; kb < k; kb += kc_max) {                                                                       \
        size_t kc = k - kb < kc_max ? k - kb : kc_max;                                                                \
        int add = kb > 0 || accumulate;                                                                               \
        for (size_t pb = 0; pb < panels; pb += PPZ_NP) {                                                              \
            size_t pe = pb + PPZ_NP < panels ? pb + PPZ_NP : panels;                                                  \
            const WTYPE *next_base = packed;                                                                          \
            size_t next_pb = pe < panels ? pe : 0, next_kb = pe < panels ? kb : kb + kc_max;                          \
            size_t next_pe = next_pb + PPZ_NP < panels ? next_pb + PPZ_NP : panels;                                   \
            if (next_kb >= k && following && following_n) {                                                          \
                next_base = following;                                                                                \
                next_pb = 0;                                                                                          \
                next_kb = 0;                                                                                          \
                next_pe = (following_n + PP_W - 1) / PP_W < PPZ_NP ? (following_n + PP_W - 1) / PP_W : PPZ_NP;        \
            }                                                                                                         \
            size_t next_kc = next_kb < k ? (k - next_kb < kc_max ? k - next_kb : kc_max) : 0;                         \
            size_t later_tiles = (groups - 1) * ((pe - pb + 1) / 2);                                                  \
            size_t lines_per_panel = next_kc * PP_W * sizeof(WTYPE) / 64, requests_per_tile = (kc + 7) / 8;           \
            size_t total_lines = lines_per_panel * (next_pe - next_pb);                                               \
            size_t step_lines = PP_PREFETCH && next_kc && later_tiles                                                 \
                                    ? (total_lines + later_tiles * requests_per_tile - 1) /                           \
                                          (later_tiles * requests_per_tile)                                           \
                                    : 0;                                                                              \
            size_t tile_index = 0, i = 0;                                                                             \
            for (size_t g = 0; g < groups; g++) {                                                                     \
                size_t rows = base + (g < extra);                                                                     \
                for (size_t p = pb; p < pe; p += 2) {                                                                 \
                    size_t np = pe - p >= 2 ? 2 : 1, lastp = p + np - 1;                                              \
                    size_t cols = n - lastp * PP_W < PP_W ? n - lastp * PP_W : PP_W;                                  \
                    const char *ahead = 0;                                                                            \
                    if (g > 0 && step_lines) {                                                                        \
                        size_t line = tile_index * requests_per_tile * step_lines;                                    \
                        if (line < total_lines) {                                                                     \
                            size_t panel = next_pb + line / lines_per_panel, within = line % lines_per_panel;         \
                            ahead = (const char *)(next_base + panel * PP_W * k + next_kb * PP_W) + 64 * within;      \
                        }                                                                                             \
                        tile_index++;                                                                                 \
                    }                                                                                                 \
                    (np == 2 ? pair : single)[rows](kc, a + i * lda + kb, lda, packed + p * PP_W * k + kb * PP_W,    \
                                                    PP_W * k, c + i * ldc + p * PP_W, ldc, cols, alpha, add, ahead,   \
                                                    64 * step_lines);                                                 \
                }                                                                                                     \
                i += rows;                                                                                            \
            }                                                                                                         \
        }                                                                                                             \
    }                                                                                                                 \
}

DEFINE_PPZ_DRIVER(ppz, float, LOAD16_F32)
DEFINE_PPZ_DRIVER(pphz, uint16_t, LOAD16_F16)
#endif

void numerics_sgemm_packed(size_t m, size_t n, size_t k, float alpha, const float *a, size_t lda,
                           const float *packed, float *c, size_t ldc, int accumulate) {
    numerics_sgemm_packed_prefetching(m, n, k, alpha, a, lda, packed, c, ldc, accumulate, 0, 0);
}

void numerics_sgemm_packed_prefetching(size_t m, size_t n, size_t k, float alpha, const float *a, size_t lda,
                                       const float *packed, float *c, size_t ldc, int accumulate,
                                       const float *following, size_t following_n) {
    if (m == 0 || n == 0) return;
    if (k == 0) {
        empty_product(m, n, c, ldc, accumulate);
        return;
    }
#ifdef NUMERICS_HAVE_X86
    if (USE_AVX512) {
        if (m <= PPW_MAX_ROWS)
            ppw_wide(m, n, k, alpha, a, lda, packed, c, ldc, accumulate, following, following_n);
        else
            for (size_t i = 0, blocks = (m + PPZ_MC - 1) / PPZ_MC, done = 0; i < blocks; i++) {
                size_t rows = (m - done) / (blocks - i);
                ppz_avx512(rows, n, k, alpha, a + done * lda, lda, packed, c + done * ldc, ldc, accumulate,
                           i + 1 == blocks ? following : 0, following_n);
                done += rows;
            }
        return;
    }
    if (USE_AVX2) {
        pp_avx2(m, n, k, alpha, a, lda, packed, c, ldc, accumulate, following, following_n);
        return;
    }
#else
    (void)following;
    (void)following_n;
#endif
    pp_portable(m, n, k, alpha, a, lda, packed, c, ldc, accumulate);
}

/* ---- Half-precision panels (numerics_pack_nt_f16): half the bytes to stream; the pph_ product widens each value
   on load (F16C), products and sums in float32. ---- */

void numerics_pack_nt_f16(size_t n, size_t k, const float *w, size_t ldw, uint16_t *packed) {
    size_t panels = (n + PP_W - 1) / PP_W;
    float row[PP_W];
    for (size_t p = 0; p < panels; p++) {
        for (size_t t = 0; t < k; t++) {
            for (size_t jj = 0; jj < PP_W; jj++) {
                size_t j = p * PP_W + jj;
                row[jj] = j < n ? w[j * ldw + t] : 0;
            }
            numerics_f32_to_f16(row, packed + p * PP_W * k + PP_W * t, PP_W);
        }
    }
}

void numerics_unpack_nt_f16(size_t n, size_t k, const uint16_t *packed, float *w, size_t ldw) {
    for (size_t j = 0; j < n; j++) {
        const uint16_t *panel = packed + (j / PP_W) * PP_W * k + j % PP_W;
        for (size_t t = 0; t < k; t++) w[j * ldw + t] = half_to_float(panel[PP_W * t]);
    }
}

void numerics_sgemm_packed_f16(size_t m, size_t n, size_t k, float alpha, const float *a, size_t lda,
                               const uint16_t *packed, float *c, size_t ldc, int accumulate) {
    numerics_sgemm_packed_f16_prefetching(m, n, k, alpha, a, lda, packed, c, ldc, accumulate, 0, 0);
}

void numerics_sgemm_packed_f16_prefetching(size_t m, size_t n, size_t k, float alpha, const float *a, size_t lda,
                                           const uint16_t *packed, float *c, size_t ldc, int accumulate,
                                           const uint16_t *following, size_t following_n) {
    if (m == 0 || n == 0) return;
    if (k == 0) {
        empty_product(m, n, c, ldc, accumulate);
        return;
    }
#ifdef NUMERICS_HAVE_X86
    if (USE_AVX512) {
        if (m <= PPW_MAX_ROWS)
            pphw_wide(m, n, k, alpha, a, lda, packed, c, ldc, accumulate, following, following_n);
        else
            for (size_t i = 0, blocks = (m + PPZ_MC - 1) / PPZ_MC, done = 0; i < blocks; i++) {
                size_t rows = (m - done) / (blocks - i);
                pphz_avx512(rows, n, k, alpha, a + done * lda, lda, packed, c + done * ldc, ldc, accumulate,
                            i + 1 == blocks ? following : 0, following_n);
                done += rows;
            }
        return;
    }
    if (USE_AVX2) {
        pph_avx2(m, n, k, alpha, a, lda, packed, c, ldc, accumulate, following, following_n);
        return;
    }
#else
    (void)following;
    (void)following_n;
#endif
    pph_portable(m, n, k, alpha, a, lda, packed, c, ldc, accumulate);
}

/* ---- Element-wise kernels: activations and softmax, 16 lanes (AVX-512, masked tail) or 8 lanes (AVX2, the tail
   through the same code on masked lanes) at a time, with the formulas of Numerics' VectorKernels. ---- */

/* exp(x) to about 1 ulp (Cephes expf polynomial, Cody-Waite reduction), clamped so 2^n stays normal. Fused
   multiply-adds made fc1's bias + activation pass ~1.5x faster than separate multiplies and adds. */
#ifdef NUMERICS_HAVE_X86
__attribute__((target("avx2,fma"))) static inline __m256 exp8(__m256 x) {
    x = _mm256_min_ps(x, _mm256_set1_ps(88.37f));
    x = _mm256_max_ps(x, _mm256_set1_ps(-87.33f));
    const __m256 magic = _mm256_set1_ps(12582912.0f);
    __m256 shifted = _mm256_fmadd_ps(x, _mm256_set1_ps(1.44269504f), magic);
    __m256 n = _mm256_sub_ps(shifted, magic);
    __m256 r = _mm256_fnmadd_ps(n, _mm256_set1_ps(0.693359375f), x);
    r = _mm256_fnmadd_ps(n, _mm256_set1_ps(-2.12194440e-4f), r);
    __m256 p = _mm256_set1_ps(1.9875691500e-4f);
    p = _mm256_fmadd_ps(p, r, _mm256_set1_ps(1.3981999507e-3f));
    p = _mm256_fmadd_ps(p, r, _mm256_set1_ps(8.3334519073e-3f));
    p = _mm256_fmadd_ps(p, r, _mm256_set1_ps(4.1665795894e-2f));
    p = _mm256_fmadd_ps(p, r, _mm256_set1_ps(1.6666665459e-1f));
    p = _mm256_fmadd_ps(p, r, _mm256_set1_ps(5.0000001201e-1f));
    __m256 er = _mm256_add_ps(_mm256_fmadd_ps(p, _mm256_mul_ps(r, r), r), _mm256_set1_ps(1));
    __m256i bits = _mm256_sub_epi32(_mm256_castps_si256(shifted), _mm256_set1_epi32(0x4B400000));
    __m256 scale = _mm256_castsi256_ps(_mm256_slli_epi32(_mm256_add_epi32(bits, _mm256_set1_epi32(127)), 23));
    return _mm256_mul_ps(er, scale);
}

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

__attribute__((target("avx2,fma"))) static inline __m256i tail_mask(size_t n) {
    return _mm256_cmpgt_epi32(_mm256_set1_epi32((int)n), _mm256_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7));
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
#endif

#ifdef NUMERICS_HAVE_X86
/* The same formulas on 16 lanes (AVX-512): lane for lane the values of exp8, quick_gelu8 and gelu8. */
#define Z_TARGET __attribute__((target("avx512f,avx512bw,avx512vl,avx512dq,avx2,fma")))
Z_TARGET static inline __m512 exp16(__m512 x) {
    x = _mm512_min_ps(x, _mm512_set1_ps(88.37f));
    x = _mm512_max_ps(x, _mm512_set1_ps(-87.33f));
    const __m512 magic = _mm512_set1_ps(12582912.0f);
    __m512 shifted = _mm512_fmadd_ps(x, _mm512_set1_ps(1.44269504f), magic);
    __m512 n = _mm512_sub_ps(shifted, magic);
    __m512 r = _mm512_fnmadd_ps(n, _mm512_set1_ps(0.693359375f), x);
    r = _mm512_fnmadd_ps(n, _mm512_set1_ps(-2.12194440e-4f), r);
    __m512 p = _mm512_set1_ps(1.9875691500e-4f);
    p = _mm512_fmadd_ps(p, r, _mm512_set1_ps(1.3981999507e-3f));
    p = _mm512_fmadd_ps(p, r, _mm512_set1_ps(8.3334519073e-3f));
    p = _mm512_fmadd_ps(p, r, _mm512_set1_ps(4.1665795894e-2f));
    p = _mm512_fmadd_ps(p, r, _mm512_set1_ps(1.6666665459e-1f));
    p = _mm512_fmadd_ps(p, r, _mm512_set1_ps(5.0000001201e-1f));
    __m512 er = _mm512_add_ps(_mm512_fmadd_ps(p, _mm512_mul_ps(r, r), r), _mm512_set1_ps(1));
    __m512i bits = _mm512_sub_epi32(_mm512_castps_si512(shifted), _mm512_set1_epi32(0x4B400000));
    __m512 scale = _mm512_castsi512_ps(_mm512_slli_epi32(_mm512_add_epi32(bits, _mm512_set1_epi32(127)), 23));
    return _mm512_mul_ps(er, scale);
}

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

int numerics_map_large_allocations(size_t bytes) {
#if defined(__GLIBC__)
    return mallopt(M_MMAP_THRESHOLD, (int)bytes);
#else
    (void)bytes;
    return 0;
#endif
}
