#include "cpu_features.h"

int numerics_cpu_features(void) {
#if defined(__x86_64__) || defined(_M_X64)
    static int cached = -1;
    if (cached < 0) {
        __builtin_cpu_init();
        int mask = 0;
        if (__builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma")) mask |= CPU_FEATURE_AVX2_FMA;
        if (__builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512bw") && __builtin_cpu_supports("avx512vl") &&
            __builtin_cpu_supports("avx512dq") && __builtin_cpu_supports("avx512cd"))
            mask |= CPU_FEATURE_AVX512;
        cached = mask;
    }
    return cached;
#else
    return 0;
#endif
}
