#include "numerics_products.h"

#include "kernel_support.h"
#include "numerics_conversions.h"

#include <math.h>
#include <stdint.h>

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

#ifdef NUMERICS_HAVE_X86
/* One panel row per step: the 16 weights of column t of the panel's rows gathered into one register (rows past `n`
   masked to zero), stored as the panel's row t. The rows' cache lines serve 16 consecutive steps. */
__attribute__((target("avx512f"))) static void pack_nt_avx512(size_t n, size_t k, const float *w, size_t ldw,
                                                              float *packed) {
    const __m512i rows = _mm512_mullo_epi32(_mm512_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15),
                                            _mm512_set1_epi32((int)ldw));
    size_t panels = (n + PP_W - 1) / PP_W;
    for (size_t p = 0; p < panels; p++) {
        size_t left = n - p * PP_W;
        __mmask16 mask = left >= PP_W ? (__mmask16)0xFFFF : (__mmask16)((1u << left) - 1);
        const float *src = w + p * PP_W * ldw;
        float *panel = packed + p * PP_W * k;
        for (size_t t = 0; t < k; t++)
            _mm512_storeu_ps(panel + PP_W * t, _mm512_mask_i32gather_ps(_mm512_setzero_ps(), mask, rows, src + t, 4));
    }
}
#endif

void numerics_pack_nt(size_t n, size_t k, const float *w, size_t ldw, float *packed) {
#ifdef NUMERICS_HAVE_X86
    /* The gather's row offsets are int32 element counts: 15 rows of ldw floats must stay within them. */
    if (USE_AVX512 && ldw <= (size_t)INT32_MAX / PP_W) {
        pack_nt_avx512(n, k, w, ldw, packed);
        return;
    }
#endif
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

/* The address of line `line` of the next chunk (panels from `next_pb`, k block from `next_kb`) that a later tile
   asks for ahead of use, or NULL past the chunk's `total_lines` lines of `lines_per_panel` per panel. */
static inline const char *pp_ahead(const void *next_base, size_t element, size_t line, size_t total_lines,
                                   size_t lines_per_panel, size_t next_pb, size_t next_kb, size_t k) {
    if (line >= total_lines) return 0;
    size_t panel = next_pb + line / lines_per_panel, within = line % lines_per_panel;
    return (const char *)next_base + (panel * PP_W * k + next_kb * PP_W) * element + 64 * within;
}

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
                    const char *ahead = g > 0 && step_lines                                                                    \
                        ? pp_ahead(next_base, sizeof(*next_base), tile_index++ * requests_per_tile * step_lines,               \
                                   total_lines, lines_per_panel, next_pb, next_kb, k)                                          \
                        : 0;                                                                                                   \
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
                    const char *ahead = g > 0 && step_lines                                                          \
                        ? pp_ahead(next_base, sizeof(*next_base), tile_index++ * requests_per_tile * step_lines,     \
                                   total_lines, lines_per_panel, next_pb, next_kb, k)                                \
                        : 0;                                                                                         \
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

/* The public entry points over PREFIX's panels of WTYPE: NAME, and NAME_prefetching with the piece that follows. Few
   rows take the AVX-512 few-row tiles, more rows the many-row tiles in row blocks of PPZ_MC (only the last block
   asks for `following`), then the AVX2 driver, then the portable loop. */
#ifdef NUMERICS_HAVE_X86
#define PACKED_X86_CALLS(PREFIX)                                                                               \
    if (USE_AVX512) {                                                                                          \
        if (m <= PPW_MAX_ROWS)                                                                                 \
            PREFIX##w_wide(m, n, k, alpha, a, lda, packed, c, ldc, accumulate, following, following_n);        \
        else                                                                                                   \
            for (size_t i = 0, blocks = (m + PPZ_MC - 1) / PPZ_MC, done = 0; i < blocks; i++) {                \
                size_t rows = (m - done) / (blocks - i);                                                       \
                PREFIX##z_avx512(rows, n, k, alpha, a + done * lda, lda, packed, c + done * ldc, ldc, accumulate, \
                                 i + 1 == blocks ? following : 0, following_n);                                \
                done += rows;                                                                                  \
            }                                                                                                  \
        return;                                                                                                \
    }                                                                                                          \
    if (USE_AVX2) {                                                                                            \
        PREFIX##_avx2(m, n, k, alpha, a, lda, packed, c, ldc, accumulate, following, following_n);             \
        return;                                                                                                \
    }
#else
#define PACKED_X86_CALLS(PREFIX)                                                                               \
    (void)following;                                                                                           \
    (void)following_n;
#endif
#define DEFINE_PACKED_ENTRIES(NAME, WTYPE, PREFIX)                                                             \
    void NAME##_prefetching(size_t m, size_t n, size_t k, float alpha, const float *a, size_t lda,             \
                            const WTYPE *packed, float *c, size_t ldc, int accumulate, const WTYPE *following,  \
                            size_t following_n) {                                                              \
        if (m == 0 || n == 0) return;                                                                          \
        if (k == 0) {                                                                                          \
            empty_product(m, n, c, ldc, accumulate);                                                           \
            return;                                                                                            \
        }                                                                                                      \
        PACKED_X86_CALLS(PREFIX)                                                                               \
        PREFIX##_portable(m, n, k, alpha, a, lda, packed, c, ldc, accumulate);                                 \
    }                                                                                                          \
    void NAME(size_t m, size_t n, size_t k, float alpha, const float *a, size_t lda, const WTYPE *packed,      \
              float *c, size_t ldc, int accumulate) {                                                          \
        NAME##_prefetching(m, n, k, alpha, a, lda, packed, c, ldc, accumulate, 0, 0);                          \
    }

DEFINE_PACKED_ENTRIES(numerics_sgemm_packed, float, pp)

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

DEFINE_PACKED_ENTRIES(numerics_sgemm_packed_f16, uint16_t, pph)
