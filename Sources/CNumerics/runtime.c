#include "numerics_runtime.h"

#if defined(__GLIBC__)
#include <malloc.h>
#endif

int numerics_cpu_features(void) {
    static int cached = -1;
    int mask = __atomic_load_n(&cached, __ATOMIC_RELAXED);
    if (mask >= 0) return mask;
    mask = 0;
#if defined(__x86_64__) && (defined(__clang__) || defined(__GNUC__))
    __builtin_cpu_init();
    if (__builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma")) mask |= CPU_FEATURE_AVX2_FMA;
    if (__builtin_cpu_supports("f16c")) mask |= CPU_FEATURE_F16C;
    if (__builtin_cpu_supports("avx512f")) mask |= CPU_FEATURE_AVX512F;
    if (__builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512bw") && __builtin_cpu_supports("avx512vl") &&
        __builtin_cpu_supports("avx512dq") && __builtin_cpu_supports("avx512cd"))
        mask |= CPU_FEATURE_AVX512;
    if (__builtin_cpu_supports("avx512bf16")) mask |= CPU_FEATURE_AVX512_BF16;
#endif
    __atomic_store_n(&cached, mask, __ATOMIC_RELAXED);
    return mask;
}

/* ---- Kernel level: the best the CPU has, capped by the calling thread's ceiling. Every entry point reads it when
   called, so the same binary runs AVX-512, AVX2 + FMA or portable code by machine. ---- */

int numerics_kernels_detected(void) {
    int features = numerics_cpu_features();
    if (!(features & CPU_FEATURE_AVX2_FMA) || !(features & CPU_FEATURE_F16C)) return NUMERICS_KERNELS_PORTABLE;
    return features & CPU_FEATURE_AVX512 ? NUMERICS_KERNELS_AVX512 : NUMERICS_KERNELS_AVX2;
}

static _Thread_local int thread_ceiling = NUMERICS_KERNELS_AVX512;

int numerics_kernels_ceiling(void) { return thread_ceiling; }

void numerics_kernels_set_ceiling(int level) {
    thread_ceiling = level < NUMERICS_KERNELS_PORTABLE ? NUMERICS_KERNELS_PORTABLE
                     : level > NUMERICS_KERNELS_AVX512 ? NUMERICS_KERNELS_AVX512 : level;
}

int numerics_kernels_level(void) {
    int detected = numerics_kernels_detected();
    return thread_ceiling < detected ? thread_ceiling : detected;
}

int numerics_map_large_allocations(size_t bytes) {
#if defined(__GLIBC__)
    return mallopt(M_MMAP_THRESHOLD, (int)bytes);
#else
    (void)bytes;
    return 0;
#endif
}
