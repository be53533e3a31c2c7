#include "bf16_kernels.h"
#include "numerics_runtime.h"

#include <math.h>
#include <setjmp.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#if defined(__x86_64__) && (defined(__clang__) || defined(__GNUC__))
#include <immintrin.h>
#define BF16_HAVE_X86 1
#endif

#define BF_W 16
/* k is cut into blocks of at most this many pairs (split evenly): the 64-column chunk of panels one block covers
   (4 panels × 256 lines of 64 bytes, 64 KB; 2 panels, 32 KB, for the widened tiles) stays near L1 while every row group meets it. */
#ifndef BF_KCP
#define BF_KCP 256
#endif
/* Panels of one vdpbf16ps tile (4: 64 columns, 24 accumulators for 6 rows). */
#define BF_NP 4
/* Rows of one widened AVX-512F tile (8 × 32 columns: 16 accumulators; 12 rows spill). */
#ifndef BF_WIDE_ROWS
#define BF_WIDE_ROWS 8
#endif

/* ---- Conversions ---- */

static uint16_t bf16_from_float(float f) {
    uint32_t u;
    memcpy(&u, &f, 4);
    if ((u & 0x7fffffffu) > 0x7f800000u) return 0x7fc0; /* NaN, as PyTorch */
    return (uint16_t)((u + 0x7fffu + ((u >> 16) & 1u)) >> 16);
}

static float bf16_to_float(uint16_t b) {
    uint32_t u = (uint32_t)b << 16;
    float f;
    memcpy(&f, &u, 4);
    return f;
}

/* The bfloat16 value of f, as a float. */
static float bf16_round(float f) { return bf16_to_float(bf16_from_float(f)); }

#ifdef BF16_HAVE_X86
static int cpu_reports(int kind) {
    int features = numerics_cpu_features();
    int avx2 = (features & CPU_FEATURE_AVX2_FMA) != 0;
    int avx512 = avx2 && (features & CPU_FEATURE_AVX512F);
    switch (kind) {
    case NUMERICS_BF16_PORTABLE: return 1;
    case NUMERICS_BF16_AVX2: return avx2;
    case NUMERICS_BF16_AVX512: return avx512;
    case NUMERICS_BF16_DPBF16: return avx512 && (features & CPU_FEATURE_AVX512_BF16);
    default: return 0;
    }
}

__attribute__((target("avx512f"))) static void f32_to_bf16_avx512(const float *src, uint16_t *dst, size_t count) {
    const __m512i round = _mm512_set1_epi32(0x7fff), one = _mm512_set1_epi32(1);
    const __m512i abs_mask = _mm512_set1_epi32(0x7fffffff), inf = _mm512_set1_epi32(0x7f800000);
    const __m512i nan = _mm512_set1_epi32(0x7fc0);
    size_t i = 0;
    for (; i + 16 <= count; i += 16) {
        __m512i u = _mm512_loadu_si512(src + i);
        __m512i r = _mm512_add_epi32(u, _mm512_add_epi32(round, _mm512_and_si512(_mm512_srli_epi32(u, 16), one)));
        r = _mm512_srli_epi32(r, 16);
        __mmask16 is_nan = _mm512_cmpgt_epu32_mask(_mm512_and_si512(u, abs_mask), inf);
        r = _mm512_mask_mov_epi32(r, is_nan, nan);
        _mm256_storeu_si256((__m256i *)(dst + i), _mm512_cvtepi32_epi16(r));
    }
    for (; i < count; i++) dst[i] = bf16_from_float(src[i]);
}

/* `count` floats rounded to their bfloat16 values, kept as floats (NaN to 0x7FC00000). */
__attribute__((target("avx512f"))) static void round_to_bf16_avx512(const float *src, float *dst, size_t count) {
    const __m512i round = _mm512_set1_epi32(0x7fff), one = _mm512_set1_epi32(1);
    const __m512i abs_mask = _mm512_set1_epi32(0x7fffffff), inf = _mm512_set1_epi32(0x7f800000);
    const __m512i nan = _mm512_set1_epi32(0x7fc00000), upper = _mm512_set1_epi32((int)0xffff0000u);
    size_t i = 0;
    for (; i + 16 <= count; i += 16) {
        __m512i u = _mm512_loadu_si512(src + i);
        __m512i r = _mm512_add_epi32(u, _mm512_add_epi32(round, _mm512_and_si512(_mm512_srli_epi32(u, 16), one)));
        r = _mm512_and_si512(r, upper);
        __mmask16 is_nan = _mm512_cmpgt_epu32_mask(_mm512_and_si512(u, abs_mask), inf);
        _mm512_storeu_si512(dst + i, _mm512_mask_mov_epi32(r, is_nan, nan));
    }
    for (; i < count; i++) dst[i] = bf16_round(src[i]);
}
#endif

void numerics_f32_to_bf16(const float *src, uint16_t *dst, size_t count) {
#ifdef BF16_HAVE_X86
    if (cpu_reports(NUMERICS_BF16_AVX512)) {
        f32_to_bf16_avx512(src, dst, count);
        return;
    }
#endif
    for (size_t i = 0; i < count; i++) dst[i] = bf16_from_float(src[i]);
}

void numerics_bf16_to_f32(const uint16_t *src, float *dst, size_t count) {
    for (size_t i = 0; i < count; i++) dst[i] = bf16_to_float(src[i]);
}

/* ---- Kernel choice ---- */

#ifdef BF16_HAVE_X86
static sigjmp_buf probe_jump;
static void probe_fault(int signal) {
    (void)signal;
    siglongjmp(probe_jump, 1);
}

__attribute__((target("avx512f,avx512bf16"), noinline)) static float probe_dpbf16(void) {
    __m512 x = _mm512_set1_ps(1.5f);
    __m512bh b = _mm512_cvtne2ps_pbh(x, x);
    __m512 sum = _mm512_dpbf16_ps(_mm512_set1_ps(1.0f), b, b);
    return _mm512_reduce_add_ps(sum);
}

/* Runs one vdpbf16ps with SIGILL caught: 1 when it ran and gave 16 · (1 + 2 · 1.5²) = 88. */
static int dpbf16_executes(void) {
    static int cached = -1;
    if (cached >= 0) return cached;
    if (!cpu_reports(NUMERICS_BF16_AVX512)) return cached = 0;
    struct sigaction fault, previous;
    memset(&fault, 0, sizeof fault);
    fault.sa_handler = probe_fault;
    sigemptyset(&fault.sa_mask);
    if (sigaction(SIGILL, &fault, &previous) != 0) return cached = 0;
    volatile int ran = 0;
    if (sigsetjmp(probe_jump, 1) == 0) ran = probe_dpbf16() == 88.0f;
    sigaction(SIGILL, &previous, 0);
    return cached = ran;
}
#endif

int numerics_bf16_kernel_reported(void) {
#ifdef BF16_HAVE_X86
    for (int kind = NUMERICS_BF16_DPBF16; kind > NUMERICS_BF16_PORTABLE; kind--)
        if (cpu_reports(kind)) return kind;
#endif
    return NUMERICS_BF16_PORTABLE;
}

#ifdef BF16_HAVE_X86
static double seconds_now(void) {
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec + (double)t.tv_nsec * 1e-9;
}

/* The shortest of 5 runs of a 48 × 256 × 512 product on `kind` (about 0.1 ms each). */
static double timed_product(int kind, const float *a, const uint16_t *packed, float *c) {
    enum { M = 48, N = 256, K = 512 };
    void *rows = malloc(numerics_bf16_rows_bytes(kind, M, K) + 64);
    if (!rows) return 1e9;
    numerics_bf16_pack_rows(kind, M, K, a, K, rows);
    double best = 1e9;
    for (int run = 0; run < 5; run++) {
        double start = seconds_now();
        numerics_sgemm_packed_bf16(kind, M, N, K, rows, packed, c, N, 0);
        double elapsed = seconds_now() - start;
        if (elapsed < best) best = elapsed;
    }
    free(rows);
    return best;
}
#endif

int numerics_bf16_kernel_fastest(void) {
    static int cached = -1;
    int kind = __atomic_load_n(&cached, __ATOMIC_RELAXED);
    if (kind >= 0) return kind;
    kind = numerics_bf16_kernel_reported();
#ifdef BF16_HAVE_X86
    if (kind == NUMERICS_BF16_DPBF16) {
        enum { M = 48, N = 256, K = 512 };
        float *a = malloc(sizeof(float) * M * K), *w = malloc(sizeof(float) * N * K), *c = malloc(sizeof(float) * M * N);
        uint16_t *packed = malloc(sizeof(uint16_t) * numerics_bf16_packed_count(N, K));
        if (a && w && c && packed) {
            for (size_t i = 0; i < (size_t)M * K; i++) a[i] = (float)((i * 37) % 101) / 101.0f - 0.5f;
            for (size_t i = 0; i < (size_t)N * K; i++) w[i] = (float)((i * 53) % 97) / 97.0f - 0.5f;
            numerics_pack_nt_bf16(N, K, w, K, packed);
            (void)timed_product(NUMERICS_BF16_DPBF16, a, packed, c);  /* warm-up: pages, caches, frequency */
            double dp = timed_product(NUMERICS_BF16_DPBF16, a, packed, c);
            double wide = timed_product(NUMERICS_BF16_AVX512, a, packed, c);
            if (wide < dp) kind = NUMERICS_BF16_AVX512;
        }
        free(a);
        free(w);
        free(c);
        free(packed);
    }
#endif
    __atomic_store_n(&cached, kind, __ATOMIC_RELAXED);
    return kind;
}

int numerics_bf16_kernel_runs(int kind) {
    if (kind == NUMERICS_BF16_PORTABLE) return 1;
#ifdef BF16_HAVE_X86
    if (kind == NUMERICS_BF16_DPBF16) return cpu_reports(kind) || dpbf16_executes();
    return cpu_reports(kind);
#else
    return 0;
#endif
}

const char *numerics_bf16_kernel_name(int kind) {
    switch (kind) {
    case NUMERICS_BF16_DPBF16: return "vdpbf16ps (AVX512_BF16)";
    case NUMERICS_BF16_AVX512: return "AVX-512F, widened to float32";
    case NUMERICS_BF16_AVX2: return "AVX2+FMA, widened to float32";
    default: return "portable C";
    }
}

/* ---- Packing ---- */

size_t numerics_bf16_pair_length(size_t k) { return (k + 1) / 2 * 2; }

size_t numerics_bf16_packed_count(size_t n, size_t k) {
    return (n + BF_W - 1) / BF_W * BF_W * numerics_bf16_pair_length(k);
}

void numerics_pack_nt_bf16(size_t n, size_t k, const float *w, size_t ldw, uint16_t *packed) {
    size_t kp = numerics_bf16_pair_length(k), panels = (n + BF_W - 1) / BF_W;
    uint16_t *row = malloc(kp * sizeof *row);
    if (!row) abort();
    memset(packed, 0, panels * BF_W * kp * sizeof *packed);
    for (size_t j = 0; j < n; j++) {
        numerics_f32_to_bf16(w + j * ldw, row, k);
        uint16_t *panel = packed + (j / BF_W) * BF_W * kp + 2 * (j % BF_W);
        for (size_t s = 0; s < k / 2; s++) memcpy(panel + 2 * BF_W * s, row + 2 * s, 2 * sizeof *row);
        if (k & 1) panel[2 * BF_W * (k / 2)] = row[k - 1];
    }
    free(row);
}

void numerics_unpack_nt_bf16(size_t n, size_t k, const uint16_t *packed, float *w, size_t ldw) {
    size_t kp = numerics_bf16_pair_length(k);
    for (size_t j = 0; j < n; j++) {
        const uint16_t *panel = packed + (j / BF_W) * BF_W * kp + 2 * (j % BF_W);
        for (size_t t = 0; t < k; t++) w[j * ldw + t] = bf16_to_float(panel[2 * BF_W * (t / 2) + (t & 1)]);
    }
}

size_t numerics_bf16_rows_bytes(int kind, size_t m, size_t k) {
    return m * numerics_bf16_pair_length(k) * (kind == NUMERICS_BF16_DPBF16 ? sizeof(uint16_t) : sizeof(float));
}

void numerics_bf16_pack_rows(int kind, size_t m, size_t k, const float *a, size_t lda, void *rows) {
    size_t kp = numerics_bf16_pair_length(k);
    for (size_t i = 0; i < m; i++) {
        if (kind == NUMERICS_BF16_DPBF16) {
            uint16_t *out = (uint16_t *)rows + i * kp;
            numerics_f32_to_bf16(a + i * lda, out, k);
            if (kp > k) out[k] = 0;
        } else {
            float *out = (float *)rows + i * kp;
#ifdef BF16_HAVE_X86
            if (cpu_reports(NUMERICS_BF16_AVX512)) {
                round_to_bf16_avx512(a + i * lda, out, k);
            } else
#endif
                for (size_t t = 0; t < k; t++) out[t] = bf16_round(a[i * lda + t]);
            if (kp > k) out[k] = 0;
        }
    }
}

/* Pairs per k block: as even as possible, at most BF_KCP. */
static size_t bf_block_pairs(size_t pairs) {
    size_t blocks = (pairs + BF_KCP - 1) / BF_KCP;
    return blocks <= 1 ? pairs : (pairs + blocks - 1) / blocks;
}

/* ---- Portable ---- */

static void bf_portable(size_t m, size_t n, size_t k, const float *a, const uint16_t *packed, float *c, size_t ldc,
                        int accumulate) {
    size_t kp = numerics_bf16_pair_length(k), pairs = kp / 2, block = bf_block_pairs(pairs);
    for (size_t i = 0; i < m; i++) {
        const float *x = a + i * kp;
        for (size_t j = 0; j < n; j++) {
            const uint16_t *panel = packed + (j / BF_W) * BF_W * kp + 2 * (j % BF_W);
            float *out = c + i * ldc + j;
            for (size_t sb = 0; sb < pairs; sb += block) {
                size_t end = sb + block < pairs ? sb + block : pairs;
                float sum = 0;
                for (size_t s = sb; s < end; s++) {
                    sum = fmaf(x[2 * s + 1], bf16_to_float(panel[2 * BF_W * s + 1]), sum);
                    sum = fmaf(x[2 * s], bf16_to_float(panel[2 * BF_W * s]), sum);
                }
                *out = (sb > 0 || accumulate) ? *out + sum : sum;
            }
        }
    }
}

#ifdef BF16_HAVE_X86
/* Row groups of at most `most` rows, as even as possible (50 rows in groups of 6: 6,6,6,6,6,5,5,5,5). */
#define BF_ROW_GROUPS(most)                                                                                           \
    size_t groups = (m + (most) - 1) / (most), base = m / groups, extra = m % groups

/* The MR × NP accumulators of a 16-lane tile, zeroed. */
#define BF512_ACCUMULATORS(MR, NP)                                                                                    \
    __m512 acc[MR][NP];                                                                                               \
    for (int i = 0; i < MR; i++)                                                                                      \
        for (int p = 0; p < NP; p++) acc[i][p] = _mm512_setzero_ps()

/* The accumulators stored in (or, with `add`, added to) C: `cols` columns from `c`, the last panel masked. */
#define BF512_STORE(MR, NP)                                                                                           \
    for (int i = 0; i < MR; i++) {                                                                                    \
        float *out = c + i * ldc;                                                                                     \
        for (int p = 0; p < NP; p++) {                                                                                \
            size_t left = cols - (size_t)p * BF_W;                                                                    \
            __mmask16 mask = left >= BF_W ? (__mmask16)0xffff : (__mmask16)((1u << left) - 1);                        \
            __m512 v = acc[i][p];                                                                                     \
            if (add) v = _mm512_add_ps(_mm512_maskz_loadu_ps(mask, out + p * BF_W), v);                               \
            _mm512_mask_storeu_ps(out + p * BF_W, mask, v);                                                           \
        }                                                                                                             \
    }

/* ---- vdpbf16ps: MR rows × NP panels (16 columns each) over one k block of `pairs` pairs. ---- */
#define DEFINE_DP_TILE(MR, NP)                                                                                        \
    __attribute__((target("avx512f,avx512bf16"))) static void dp_tile_##MR##_##NP(                                 \
        size_t pairs, const uint16_t *a, size_t lda, const uint16_t *panel, size_t panel_stride, float *c,           \
        size_t ldc, size_t cols, int add) {                                                                           \
        BF512_ACCUMULATORS(MR, NP);                                                                                   \
        for (size_t s = 0; s < pairs; s++) {                                                                          \
            __m512bh b[NP];                                                                                           \
            for (int p = 0; p < NP; p++) b[p] = (__m512bh)_mm512_loadu_si512(panel + p * panel_stride + 32 * s);      \
            for (int i = 0; i < MR; i++) {                                                                            \
                int32_t pair;                                                                                         \
                memcpy(&pair, a + i * lda + 2 * s, 4);                                                                \
                __m512bh x = (__m512bh)_mm512_set1_epi32(pair);                                                       \
                for (int p = 0; p < NP; p++) acc[i][p] = _mm512_dpbf16_ps(acc[i][p], x, b[p]);                        \
            }                                                                                                         \
        }                                                                                                             \
        BF512_STORE(MR, NP);                                                                                          \
    }

/* ---- AVX-512F: the same pairs widened in registers (even element: shifted up 16 bits; odd: the upper half kept),
   two float32 multiply-adds per pair, odd first. MR rows × NP panels. ---- */
#define DEFINE_WIDE_TILE(MR, NP)                                                                                      \
    __attribute__((target("avx512f"))) static void wide_tile_##MR##_##NP(                                          \
        size_t pairs, const float *a, size_t lda, const uint16_t *panel, size_t panel_stride, float *c, size_t ldc,  \
        size_t cols, int add) {                                                                                       \
        BF512_ACCUMULATORS(MR, NP);                                                                                   \
        const __m512i upper = _mm512_set1_epi32((int)0xffff0000u);                                                    \
        for (size_t s = 0; s < pairs; s++) {                                                                          \
            __m512 even[NP], odd[NP];                                                                                 \
            for (int p = 0; p < NP; p++) {                                                                            \
                __m512i w = _mm512_loadu_si512(panel + p * panel_stride + 32 * s);                                    \
                even[p] = _mm512_castsi512_ps(_mm512_slli_epi32(w, 16));                                              \
                odd[p] = _mm512_castsi512_ps(_mm512_and_si512(w, upper));                                             \
            }                                                                                                         \
            for (int i = 0; i < MR; i++) {                                                                            \
                __m512 xo = _mm512_set1_ps(a[i * lda + 2 * s + 1]), xe = _mm512_set1_ps(a[i * lda + 2 * s]);          \
                for (int p = 0; p < NP; p++) {                                                                        \
                    acc[i][p] = _mm512_fmadd_ps(xo, odd[p], acc[i][p]);                                               \
                    acc[i][p] = _mm512_fmadd_ps(xe, even[p], acc[i][p]);                                              \
                }                                                                                                     \
            }                                                                                                         \
        }                                                                                                             \
        BF512_STORE(MR, NP);                                                                                          \
    }

/* ---- AVX2 + FMA: MR rows × one panel (two 8-column halves), widened as above. ---- */
#define DEFINE_AVX2_TILE(MR)                                                                                          \
    __attribute__((target("avx2,fma"))) static void avx2_tile_##MR(size_t pairs, const float *a, size_t lda,       \
                                                                   const uint16_t *panel, size_t panel_stride,        \
                                                                   float *c, size_t ldc, size_t cols, int add) {      \
        (void)panel_stride;                                                                                           \
        __m256 acc[MR][2];                                                                                            \
        for (int i = 0; i < MR; i++) acc[i][0] = acc[i][1] = _mm256_setzero_ps();                                     \
        const __m256i upper = _mm256_set1_epi32((int)0xffff0000u);                                                    \
        for (size_t s = 0; s < pairs; s++) {                                                                          \
            __m256 even[2], odd[2];                                                                                   \
            for (int h = 0; h < 2; h++) {                                                                             \
                __m256i w = _mm256_loadu_si256((const __m256i *)(panel + 32 * s + 16 * h));                           \
                even[h] = _mm256_castsi256_ps(_mm256_slli_epi32(w, 16));                                              \
                odd[h] = _mm256_castsi256_ps(_mm256_and_si256(w, upper));                                             \
            }                                                                                                         \
            for (int i = 0; i < MR; i++) {                                                                            \
                __m256 xo = _mm256_broadcast_ss(a + i * lda + 2 * s + 1), xe = _mm256_broadcast_ss(a + i * lda + 2 * s); \
                for (int h = 0; h < 2; h++) {                                                                         \
                    acc[i][h] = _mm256_fmadd_ps(xo, odd[h], acc[i][h]);                                               \
                    acc[i][h] = _mm256_fmadd_ps(xe, even[h], acc[i][h]);                                              \
                }                                                                                                     \
            }                                                                                                         \
        }                                                                                                             \
        for (int i = 0; i < MR; i++) {                                                                                \
            float *out = c + i * ldc;                                                                                 \
            if (cols >= BF_W) {                                                                                       \
                for (int h = 0; h < 2; h++) {                                                                         \
                    __m256 v = acc[i][h];                                                                             \
                    if (add) v = _mm256_add_ps(_mm256_loadu_ps(out + 8 * h), v);                                      \
                    _mm256_storeu_ps(out + 8 * h, v);                                                                 \
                }                                                                                                     \
            } else {                                                                                                  \
                float lanes[BF_W];                                                                                    \
                _mm256_storeu_ps(lanes, acc[i][0]);                                                                   \
                _mm256_storeu_ps(lanes + 8, acc[i][1]);                                                               \
                for (size_t j = 0; j < cols; j++) out[j] = add ? out[j] + lanes[j] : lanes[j];                        \
            }                                                                                                         \
        }                                                                                                             \
    }

#define DEFINE_DP_ROW(MR) DEFINE_DP_TILE(MR, 1) DEFINE_DP_TILE(MR, 2) DEFINE_DP_TILE(MR, 3) DEFINE_DP_TILE(MR, 4)
DEFINE_DP_ROW(1) DEFINE_DP_ROW(2) DEFINE_DP_ROW(3) DEFINE_DP_ROW(4) DEFINE_DP_ROW(5) DEFINE_DP_ROW(6)
#define DEFINE_WIDE_ROW(MR) DEFINE_WIDE_TILE(MR, 1) DEFINE_WIDE_TILE(MR, 2)
DEFINE_WIDE_ROW(1) DEFINE_WIDE_ROW(2) DEFINE_WIDE_ROW(3) DEFINE_WIDE_ROW(4)
DEFINE_WIDE_ROW(5) DEFINE_WIDE_ROW(6) DEFINE_WIDE_ROW(7) DEFINE_WIDE_ROW(8)
DEFINE_WIDE_ROW(9) DEFINE_WIDE_ROW(10) DEFINE_WIDE_ROW(11) DEFINE_WIDE_ROW(12)
DEFINE_AVX2_TILE(1) DEFINE_AVX2_TILE(2) DEFINE_AVX2_TILE(3) DEFINE_AVX2_TILE(4)

typedef void (*dp_tile_fn)(size_t, const uint16_t *, size_t, const uint16_t *, size_t, float *, size_t, size_t, int);
typedef void (*wide_tile_fn)(size_t, const float *, size_t, const uint16_t *, size_t, float *, size_t, size_t, int);

#define DP_ROW(MR) {dp_tile_##MR##_1, dp_tile_##MR##_2, dp_tile_##MR##_3, dp_tile_##MR##_4}
static const dp_tile_fn dp_tiles[7][4] = {{0}, DP_ROW(1), DP_ROW(2), DP_ROW(3), DP_ROW(4), DP_ROW(5), DP_ROW(6)};
#define WIDE_ROW(MR) {wide_tile_##MR##_1, wide_tile_##MR##_2}
static const wide_tile_fn wide_tiles[13][2] = {{0},         WIDE_ROW(1),  WIDE_ROW(2),  WIDE_ROW(3), WIDE_ROW(4),
                                               WIDE_ROW(5), WIDE_ROW(6),  WIDE_ROW(7),  WIDE_ROW(8), WIDE_ROW(9),
                                               WIDE_ROW(10), WIDE_ROW(11), WIDE_ROW(12)};
static const wide_tile_fn avx2_tiles[5] = {0, avx2_tile_1, avx2_tile_2, avx2_tile_3, avx2_tile_4};

/* The blocked driver: k blocks of pairs; in each, chunks of `chunk` panels; every row group (at most `most` rows)
   meets the chunk (from L1) before the next chunk. `tile(rows, panels)` picks the tile function. */
#define BF_DRIVER(ROW_TYPE, most, chunk, TILE)                                                                        \
    do {                                                                                                              \
        size_t kp = numerics_bf16_pair_length(k), pairs = kp / 2, block = bf_block_pairs(pairs);                      \
        size_t panels = (n + BF_W - 1) / BF_W, panel_stride = BF_W * kp;                                              \
        BF_ROW_GROUPS(most);                                                                                          \
        const ROW_TYPE *rows = (const ROW_TYPE *)rows_;                                                               \
        for (size_t sb = 0; sb < pairs; sb += block) {                                                                \
            size_t count = pairs - sb < block ? pairs - sb : block;                                                   \
            int add = sb > 0 || accumulate;                                                                           \
            for (size_t pb = 0; pb < panels; pb += (chunk)) {                                                         \
                size_t np = panels - pb < (chunk) ? panels - pb : (chunk);                                            \
                size_t cols = n - pb * BF_W < np * BF_W ? n - pb * BF_W : np * BF_W;                                  \
                size_t i = 0;                                                                                         \
                for (size_t g = 0; g < groups; g++) {                                                                 \
                    size_t mr = base + (g < extra);                                                                   \
                    TILE(mr, np)(count, rows + i * kp + 2 * sb, kp, packed + pb * panel_stride + 32 * sb,             \
                                 panel_stride, c + i * ldc + pb * BF_W, ldc, cols, add);                              \
                    i += mr;                                                                                          \
                }                                                                                                     \
            }                                                                                                         \
        }                                                                                                             \
    } while (0)

#define DP_TILE(mr, np) dp_tiles[mr][(np) - 1]
#define WIDE_TILE(mr, np) wide_tiles[mr][(np) - 1]
#define AVX2_TILE(mr, np) avx2_tiles[mr]

static void bf_dp(size_t m, size_t n, size_t k, const void *rows_, const uint16_t *packed, float *c, size_t ldc,
                  int accumulate) {
    BF_DRIVER(uint16_t, 6, BF_NP, DP_TILE);
}

static void bf_wide(size_t m, size_t n, size_t k, const void *rows_, const uint16_t *packed, float *c, size_t ldc,
                    int accumulate) {
    BF_DRIVER(float, BF_WIDE_ROWS, 2, WIDE_TILE);
}

static void bf_avx2(size_t m, size_t n, size_t k, const void *rows_, const uint16_t *packed, float *c, size_t ldc,
                    int accumulate) {
    BF_DRIVER(float, 4, 1, AVX2_TILE);
}
#endif

void numerics_sgemm_packed_bf16(int kind, size_t m, size_t n, size_t k, const void *rows, const uint16_t *packed,
                                float *c, size_t ldc, int accumulate) {
    if (m == 0 || n == 0) return;
    if (k == 0) {
        for (size_t i = 0; i < m; i++)
            if (!accumulate) memset(c + i * ldc, 0, n * sizeof *c);
        return;
    }
#ifdef BF16_HAVE_X86
    switch (kind) {
    case NUMERICS_BF16_DPBF16: bf_dp(m, n, k, rows, packed, c, ldc, accumulate); return;
    case NUMERICS_BF16_AVX512: bf_wide(m, n, k, rows, packed, c, ldc, accumulate); return;
    case NUMERICS_BF16_AVX2: bf_avx2(m, n, k, rows, packed, c, ldc, accumulate); return;
    default: break;
    }
#endif
    bf_portable(m, n, k, (const float *)rows, packed, c, ldc, accumulate);
}
