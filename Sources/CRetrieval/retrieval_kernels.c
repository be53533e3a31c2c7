#include "retrieval_kernels.h"

#include <string.h>

#if defined(__x86_64__) && (defined(__clang__) || defined(__GNUC__))
#include <immintrin.h>
#define RETRIEVAL_HAVE_X86 1
#endif

static void int8_sums_portable(const int8_t *codes, size_t rows, size_t dim, const int16_t *query, int32_t *sums) {
    for (size_t r = 0; r < rows; r++) {
        const int8_t *row = codes + r * dim;
        int32_t sum = 0;
        for (size_t j = 0; j < dim; j++) sum += (int32_t)row[j] * (int32_t)query[j];
        sums[r] = sum;
    }
}

#ifdef RETRIEVAL_HAVE_X86
__attribute__((target("avx2")))
static void int8_sums_avx2(const int8_t *codes, size_t rows, size_t dim, const int16_t *query, int32_t *sums) {
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
        for (; j + 16 <= dim; j += 16) {
            __m256i a0 = _mm256_cvtepi8_epi16(_mm_loadu_si128((const __m128i *)(row + j)));
            __m256i q0 = _mm256_loadu_si256((const __m256i *)(query + j));
            acc0 = _mm256_add_epi32(acc0, _mm256_madd_epi16(a0, q0));
        }
        __m256i acc = _mm256_add_epi32(acc0, acc1);
        __m128i s = _mm_add_epi32(_mm256_castsi256_si128(acc), _mm256_extracti128_si256(acc, 1));
        s = _mm_add_epi32(s, _mm_shuffle_epi32(s, 0x4E));
        s = _mm_add_epi32(s, _mm_shuffle_epi32(s, 0xB1));
        int32_t sum = _mm_cvtsi128_si32(s);
        for (; j < dim; j++) sum += (int32_t)row[j] * (int32_t)query[j];
        sums[r] = sum;
    }
}

/* vpdpbusd multiplies unsigned bytes by signed bytes. The int16 query is split exactly into
 *   q = 256·hi + lo,  hi = q >> 8 (signed byte), lo = q & 255 (unsigned byte),
 * so that  Σ c·q = 256·Σ c·hi + Σ lo·c.  Σ lo·c is one vpdpbusd (lo unsigned, code signed); for Σ c·hi the code is
 * biased to the unsigned byte c + 128 (= c XOR 0x80):  Σ c·hi = Σ (c + 128)·hi − 128·Σ hi,  where Σ hi depends on the
 * query only. Everything is computed modulo 2^32, so the result equals the exact int32 sum of the other kernels
 * whenever that sum fits in int32 (the documented range). The query halves are zero-padded to a multiple of the
 * register width: padded lanes contribute (0 + 128)·0 and 0·0. */
typedef struct {
    uint8_t lo[RETRIEVAL_INT8_VNNI_MAX_DIM] __attribute__((aligned(64)));
    int8_t hi[RETRIEVAL_INT8_VNNI_MAX_DIM] __attribute__((aligned(64)));
    /// 128 · 256 · Σ hi, subtracted from every row's sum.
    uint32_t correction;
} vnni_query;

/// Fills `q` for `dim` values padded with zeros to `padded` (a multiple of the register width, <= the maximum).
static void vnni_split_query(const int16_t *query, size_t dim, size_t padded, vnni_query *q) {
    uint32_t sumHi = 0;
    for (size_t j = 0; j < dim; j++) {
        int32_t v = query[j];
        q->lo[j] = (uint8_t)(v & 0xFF);
        q->hi[j] = (int8_t)(v >> 8);  // arithmetic shift: v = 256·hi + lo
        sumHi += (uint32_t)(int32_t)q->hi[j];
    }
    for (size_t j = dim; j < padded; j++) {
        q->lo[j] = 0;
        q->hi[j] = 0;
    }
    q->correction = sumHi << 15;
}

/// The row's sum from its reduced lanes (`256·Σ (c + 128)·hi + Σ lo·c`, modulo 2^32).
static inline int32_t vnni_sum(uint32_t lanes, const vnni_query *q) { return (int32_t)(lanes - q->correction); }

/// One row group of the 512-bit kernel: `R` rows, accumulators `256·hiSum + loSum` per lane.
#define VNNI512_ROWS 4

/// Adds 64 codes of each of four rows (`c0`…`c3`) times the query halves at `ql`, `qh` to their accumulators.
__attribute__((target("avx512f,avx512bw,avx512vnni")))
static inline void vnni512_step4(__m512i lo[4], __m512i hi[4], const uint8_t *ql, const int8_t *qh, __m512i c0,
                                 __m512i c1, __m512i c2, __m512i c3) {
    const __m512i bias = _mm512_set1_epi8((char)0x80);
    const __m512i l = _mm512_load_si512((const void *)ql), h = _mm512_load_si512((const void *)qh);
    lo[0] = _mm512_dpbusd_epi32(lo[0], l, c0);
    lo[1] = _mm512_dpbusd_epi32(lo[1], l, c1);
    lo[2] = _mm512_dpbusd_epi32(lo[2], l, c2);
    lo[3] = _mm512_dpbusd_epi32(lo[3], l, c3);
    hi[0] = _mm512_dpbusd_epi32(hi[0], _mm512_xor_si512(c0, bias), h);
    hi[1] = _mm512_dpbusd_epi32(hi[1], _mm512_xor_si512(c1, bias), h);
    hi[2] = _mm512_dpbusd_epi32(hi[2], _mm512_xor_si512(c2, bias), h);
    hi[3] = _mm512_dpbusd_epi32(hi[3], _mm512_xor_si512(c3, bias), h);
}

__attribute__((target("avx512f,avx512bw,avx512vnni")))
static void int8_sums_vnni512(const int8_t *codes, size_t rows, size_t dim, const int16_t *query, int32_t *sums) {
    vnni_query q;
    const size_t padded = (dim + 63) & ~(size_t)63;
    vnni_split_query(query, dim, padded, &q);
    const size_t full = dim & ~(size_t)63;
    const __mmask64 tail = (dim == full) ? 0 : (~(__mmask64)0 >> (64 - (dim - full)));
    const __m512i bias = _mm512_set1_epi8((char)0x80);
    size_t r = 0;
    for (; r + VNNI512_ROWS <= rows; r += VNNI512_ROWS) {
        const int8_t *row = codes + r * dim;
        __m512i lo[4] = {_mm512_setzero_si512(), _mm512_setzero_si512(), _mm512_setzero_si512(), _mm512_setzero_si512()};
        __m512i hi[4] = {lo[0], lo[0], lo[0], lo[0]};
        size_t j = 0;
        for (; j < full; j += 64) {
            vnni512_step4(lo, hi, q.lo + j, q.hi + j, _mm512_loadu_si512((const void *)(row + j)),
                          _mm512_loadu_si512((const void *)(row + dim + j)), _mm512_loadu_si512((const void *)(row + 2 * dim + j)),
                          _mm512_loadu_si512((const void *)(row + 3 * dim + j)));
        }
        if (tail) {  // the last, partial 64 bytes, read as zeros past `dim`
            vnni512_step4(lo, hi, q.lo + j, q.hi + j, _mm512_maskz_loadu_epi8(tail, row + j),
                          _mm512_maskz_loadu_epi8(tail, row + dim + j), _mm512_maskz_loadu_epi8(tail, row + 2 * dim + j),
                          _mm512_maskz_loadu_epi8(tail, row + 3 * dim + j));
        }
        sums[r] = vnni_sum((uint32_t)_mm512_reduce_add_epi32(_mm512_add_epi32(_mm512_slli_epi32(hi[0], 8), lo[0])), &q);
        sums[r + 1] = vnni_sum((uint32_t)_mm512_reduce_add_epi32(_mm512_add_epi32(_mm512_slli_epi32(hi[1], 8), lo[1])), &q);
        sums[r + 2] = vnni_sum((uint32_t)_mm512_reduce_add_epi32(_mm512_add_epi32(_mm512_slli_epi32(hi[2], 8), lo[2])), &q);
        sums[r + 3] = vnni_sum((uint32_t)_mm512_reduce_add_epi32(_mm512_add_epi32(_mm512_slli_epi32(hi[3], 8), lo[3])), &q);
    }
    for (; r < rows; r++) {
        const int8_t *row = codes + r * dim;
        __m512i lo = _mm512_setzero_si512(), hi = lo;
        for (size_t j = 0; j < dim; j += 64) {
            __m512i c = _mm512_maskz_loadu_epi8(j < full ? ~(__mmask64)0 : tail, row + j);
            lo = _mm512_dpbusd_epi32(lo, _mm512_load_si512((const void *)(q.lo + j)), c);
            hi = _mm512_dpbusd_epi32(hi, _mm512_xor_si512(c, bias), _mm512_load_si512((const void *)(q.hi + j)));
        }
        sums[r] = vnni_sum((uint32_t)_mm512_reduce_add_epi32(_mm512_add_epi32(_mm512_slli_epi32(hi, 8), lo)), &q);
    }
}

/* The 256-bit kernel, written once and compiled twice: with AVX-VNNI (VEX `vpdpbusd`, CPUs without AVX-512) and
 * with AVX512_VNNI + AVX512VL (EVEX `vpdpbusd` on ymm). Rows whose length is not a multiple of 32 finish with a
 * zero-padded copy of their last bytes. */
#define VNNI256_KERNEL(NAME, TARGET, DPBUSD)                                                                        \
    __attribute__((target(TARGET))) static inline uint32_t NAME##_reduce(__m256i lo, __m256i hi) {                  \
        __m256i acc = _mm256_add_epi32(_mm256_slli_epi32(hi, 8), lo);                                                \
        __m128i s = _mm_add_epi32(_mm256_castsi256_si128(acc), _mm256_extracti128_si256(acc, 1));                   \
        s = _mm_add_epi32(s, _mm_shuffle_epi32(s, 0x4E));                                                             \
        s = _mm_add_epi32(s, _mm_shuffle_epi32(s, 0xB1));                                                             \
        return (uint32_t)_mm_cvtsi128_si32(s);                                                                        \
    }                                                                                                                 \
    __attribute__((target(TARGET))) static void NAME(const int8_t *codes, size_t rows, size_t dim,                 \
                                                     const int16_t *query, int32_t *sums) {                          \
        vnni_query q;                                                                                                 \
        const size_t padded = (dim + 31) & ~(size_t)31;                                                               \
        vnni_split_query(query, dim, padded, &q);                                                                     \
        const size_t full = dim & ~(size_t)31;                                                                        \
        const __m256i bias = _mm256_set1_epi8((char)0x80);                                                            \
        int8_t last[4][32] __attribute__((aligned(32)));                                                              \
        size_t r = 0;                                                                                                 \
        for (; r + 4 <= rows; r += 4) {                                                                               \
            const int8_t *row = codes + r * dim;                                                                      \
            __m256i lo0 = _mm256_setzero_si256(), lo1 = lo0, lo2 = lo0, lo3 = lo0;                                    \
            __m256i hi0 = lo0, hi1 = lo0, hi2 = lo0, hi3 = lo0;                                                       \
            size_t j = 0;                                                                                             \
            for (; j <= dim; j += 32) {                                                                               \
                const int8_t *p0, *p1, *p2, *p3;                                                                      \
                if (j < full) {                                                                                       \
                    p0 = row + j; p1 = row + dim + j; p2 = row + 2 * dim + j; p3 = row + 3 * dim + j;                 \
                } else if (j < dim) {                                                                                 \
                    memset(last, 0, sizeof last);                                                                     \
                    for (int k = 0; k < 4; k++) memcpy(last[k], row + k * dim + j, dim - j);                          \
                    p0 = last[0]; p1 = last[1]; p2 = last[2]; p3 = last[3];                                           \
                } else {                                                                                              \
                    break;                                                                                            \
                }                                                                                                     \
                __m256i ql = _mm256_load_si256((const __m256i *)(q.lo + j));                                          \
                __m256i qh = _mm256_load_si256((const __m256i *)(q.hi + j));                                          \
                __m256i c0 = _mm256_loadu_si256((const __m256i *)p0);                                                 \
                __m256i c1 = _mm256_loadu_si256((const __m256i *)p1);                                                 \
                __m256i c2 = _mm256_loadu_si256((const __m256i *)p2);                                                 \
                __m256i c3 = _mm256_loadu_si256((const __m256i *)p3);                                                 \
                lo0 = DPBUSD(lo0, ql, c0);                                                                            \
                lo1 = DPBUSD(lo1, ql, c1);                                                                            \
                lo2 = DPBUSD(lo2, ql, c2);                                                                            \
                lo3 = DPBUSD(lo3, ql, c3);                                                                            \
                hi0 = DPBUSD(hi0, _mm256_xor_si256(c0, bias), qh);                                                    \
                hi1 = DPBUSD(hi1, _mm256_xor_si256(c1, bias), qh);                                                    \
                hi2 = DPBUSD(hi2, _mm256_xor_si256(c2, bias), qh);                                                    \
                hi3 = DPBUSD(hi3, _mm256_xor_si256(c3, bias), qh);                                                    \
            }                                                                                                         \
            sums[r] = vnni_sum(NAME##_reduce(lo0, hi0), &q);                                              \
            sums[r + 1] = vnni_sum(NAME##_reduce(lo1, hi1), &q);                                      \
            sums[r + 2] = vnni_sum(NAME##_reduce(lo2, hi2), &q);                                      \
            sums[r + 3] = vnni_sum(NAME##_reduce(lo3, hi3), &q);                                      \
        }                                                                                                             \
        for (; r < rows; r++) {                                                                                       \
            const int8_t *row = codes + r * dim;                                                                      \
            __m256i lo = _mm256_setzero_si256(), hi = lo;                                                             \
            for (size_t j = 0; j < dim; j += 32) {                                                                    \
                const int8_t *p = row + j;                                                                            \
                if (j >= full) {                                                                                      \
                    memset(last[0], 0, 32);                                                                           \
                    memcpy(last[0], row + j, dim - j);                                                                \
                    p = last[0];                                                                                      \
                }                                                                                                     \
                __m256i c = _mm256_loadu_si256((const __m256i *)p);                                                   \
                lo = DPBUSD(lo, _mm256_load_si256((const __m256i *)(q.lo + j)), c);                                   \
                hi = DPBUSD(hi, _mm256_xor_si256(c, bias), _mm256_load_si256((const __m256i *)(q.hi + j)));           \
            }                                                                                                         \
            sums[r] = vnni_sum(NAME##_reduce(lo, hi), &q);                                                \
        }                                                                                                             \
    }

VNNI256_KERNEL(int8_sums_avxvnni, "avx2,avxvnni", _mm256_dpbusd_avx_epi32)
VNNI256_KERNEL(int8_sums_vnni256_evex, "avx2,avx512f,avx512vl,avx512vnni", _mm256_dpbusd_epi32)
#endif

/// CPU features, read once.
typedef struct {
    int avx2, avxvnni, avx512vnni256, avx512vnni512;
} retrieval_cpu;

static const retrieval_cpu *cpu_features(void) {
    static retrieval_cpu cpu;
    static int ready = 0;
    if (!__atomic_load_n(&ready, __ATOMIC_ACQUIRE)) {
        retrieval_cpu c = {0, 0, 0, 0};
#ifdef RETRIEVAL_HAVE_X86
        __builtin_cpu_init();
        c.avx2 = __builtin_cpu_supports("avx2") ? 1 : 0;
        c.avxvnni = c.avx2 && __builtin_cpu_supports("avxvnni") ? 1 : 0;
        int vnni = c.avx2 && __builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512vnni");
        c.avx512vnni256 = vnni && __builtin_cpu_supports("avx512vl") ? 1 : 0;
        c.avx512vnni512 = vnni && __builtin_cpu_supports("avx512bw") ? 1 : 0;
#endif
        cpu = c;  // every thread computes the same values
        __atomic_store_n(&ready, 1, __ATOMIC_RELEASE);
    }
    return &cpu;
}

int retrieval_int8_kernel_supported(int kernel) {
    const retrieval_cpu *c = cpu_features();
    switch (kernel) {
    case RETRIEVAL_INT8_PORTABLE: return 1;
    case RETRIEVAL_INT8_AVX2: return c->avx2;
    case RETRIEVAL_INT8_VNNI256: return c->avxvnni || c->avx512vnni256;
    case RETRIEVAL_INT8_VNNI512: return c->avx512vnni512;
    default: return 0;
    }
}

int retrieval_int8_kernel_best(void) {
    for (int k = RETRIEVAL_INT8_KERNEL_COUNT - 1; k > 0; k--) {
        if (retrieval_int8_kernel_supported(k)) return k;
    }
    return RETRIEVAL_INT8_PORTABLE;
}

const char *retrieval_int8_kernel_name(int kernel) {
    switch (kernel) {
    case RETRIEVAL_INT8_PORTABLE: return "portable";
    case RETRIEVAL_INT8_AVX2: return "avx2";
    case RETRIEVAL_INT8_VNNI256: return "vnni-256";
    case RETRIEVAL_INT8_VNNI512: return "avx512-vnni";
    default: return "unknown";
    }
}

void retrieval_int8_sums_with(int kernel, const int8_t *codes, size_t rows, size_t dim, const int16_t *query,
                              int32_t *sums) {
    if (!retrieval_int8_kernel_supported(kernel)) kernel = RETRIEVAL_INT8_PORTABLE;
#ifdef RETRIEVAL_HAVE_X86
    if (dim > RETRIEVAL_INT8_VNNI_MAX_DIM && kernel > RETRIEVAL_INT8_AVX2) kernel = RETRIEVAL_INT8_AVX2;
    switch (kernel) {
    case RETRIEVAL_INT8_VNNI512:
        int8_sums_vnni512(codes, rows, dim, query, sums);
        return;
    case RETRIEVAL_INT8_VNNI256:
        if (cpu_features()->avxvnni) {
            int8_sums_avxvnni(codes, rows, dim, query, sums);
        } else {
            int8_sums_vnni256_evex(codes, rows, dim, query, sums);
        }
        return;
    case RETRIEVAL_INT8_AVX2:
        int8_sums_avx2(codes, rows, dim, query, sums);
        return;
    default:
        break;
    }
#endif
    int8_sums_portable(codes, rows, dim, query, sums);
}

void retrieval_int8_scores(int kernel, const int8_t *codes, const float *scales, size_t rows, size_t dim,
                           const int16_t *query, float *out) {
    // The sums go to `out` first (same size), then each becomes its score in place.
    retrieval_int8_sums_with(kernel, codes, rows, dim, query, (int32_t *)(void *)out);
    for (size_t r = 0; r < rows; r++) {
        int32_t sum;
        memcpy(&sum, out + r, sizeof sum);
        out[r] = (float)sum * scales[r];
    }
}
