#ifndef NUMERICS_RUNTIME_H
#define NUMERICS_RUNTIME_H

/* What the kernels know of the process that runs them: the CPU's instruction-set extensions, the kernel level and
   its per-thread ceiling, a spin-wait hint, and how large allocations are served. */

#include <stddef.h>

/// Instruction-set extensions of the CPU this process runs on, read once through CPUID (`__builtin_cpu_supports`),
/// never from the build flags.
enum {
    CPU_FEATURE_AVX2_FMA = 1 << 0,    /* AVX2 and FMA3 */
    CPU_FEATURE_AVX512 = 1 << 1,      /* AVX-512 F, BW, VL, DQ and CD: what OpenBLAS's SkylakeX kernels need */
    CPU_FEATURE_F16C = 1 << 2,        /* the half-precision conversions */
    CPU_FEATURE_AVX512F = 1 << 3,     /* AVX-512 F alone */
    CPU_FEATURE_AVX512_BF16 = 1 << 4, /* AVX512_BF16 (`vdpbf16ps`), as CPUID reports it */
};

/// A mask of `CPU_FEATURE_*` bits; 0 on CPUs that are not x86-64.
int numerics_cpu_features(void);

/// A spin-wait hint to the CPU (`pause` on x86, `yield` on ARM, nothing elsewhere): for threads polling a flag.
static inline void numerics_cpu_relax(void) {
#if defined(__x86_64__) || defined(__i386__)
    __builtin_ia32_pause();
#elif defined(__aarch64__)
    __asm__ __volatile__("yield");
#endif
}

/// Kernel levels, lowest first: portable C, AVX2 + FMA + F16C (`CPU_FEATURE_AVX2_FMA` and `CPU_FEATURE_F16C`),
/// AVX-512 (`CPU_FEATURE_AVX512`) on top of those.
#define NUMERICS_KERNELS_PORTABLE 0
#define NUMERICS_KERNELS_AVX2 1
#define NUMERICS_KERNELS_AVX512 2

/// The best level this CPU runs (from `numerics_cpu_features`; portable off x86-64).
int numerics_kernels_detected(void);

/// The calling thread's ceiling (`NUMERICS_KERNELS_AVX512`, i.e. none, until set).
int numerics_kernels_ceiling(void);

/// Sets the calling thread's ceiling (clamped to the levels above): the kernels it calls afterwards run at most at
/// that level. Per thread, so that a pool handing work to helper threads passes its caller's ceiling along.
void numerics_kernels_set_ceiling(int level);

/// The level the calling thread's kernels run at: the detected level capped by its ceiling.
int numerics_kernels_level(void);


/// glibc: serve every allocation of at least `bytes` (at most 32 MB) by its own mapping, returned to the system when
/// freed, and stop the threshold from moving (`mallopt(M_MMAP_THRESHOLD)`). Returns 1 on success, 0 elsewhere.
int numerics_map_large_allocations(size_t bytes);

#endif
