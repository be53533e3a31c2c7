#ifndef CPU_FEATURES_H
#define CPU_FEATURES_H

/* Instruction-set extensions of the CPU this process runs on, read once through CPUID
   (__builtin_cpu_supports), never from the build flags. */
enum {
    CPU_FEATURE_AVX2_FMA = 1 << 0,  /* AVX2 and FMA3 */
    CPU_FEATURE_AVX512 = 1 << 1,    /* AVX-512 F, BW, VL, DQ and CD: what OpenBLAS's SkylakeX kernels need */
};

/* A mask of CPU_FEATURE_* bits; 0 on CPUs that are not x86-64. */
int numerics_cpu_features(void);

#endif
