/* What the kernel files of CNumerics share, and nothing of the module's interface: the x86 intrinsics, the
   kernel-level tests every entry point makes when it is called, IEEE half widening and the empty product. */
#ifndef NUMERICS_KERNEL_SUPPORT_H
#define NUMERICS_KERNEL_SUPPORT_H

#include "numerics_runtime.h"

#include <stddef.h>
#include <stdint.h>
#include <string.h>

#if defined(__x86_64__) && (defined(__clang__) || defined(__GNUC__))
#include <immintrin.h>
#define NUMERICS_HAVE_X86 1
#endif

/* The calling thread's kernel level (the CPU's best, capped by the thread's ceiling), read at each call: the
   same binary runs AVX-512, AVX2 + FMA or portable code by machine. */
#define USE_AVX2 (numerics_kernels_level() >= NUMERICS_KERNELS_AVX2)
#define USE_AVX512 (numerics_kernels_level() >= NUMERICS_KERNELS_AVX512)

/* A float weight read as it is (the float instance of the kernels' WVALUE parameter). */
#define F32_VALUE(x) (x)

/* IEEE binary16 -> binary32, exact (what F16C's vcvtph2ps does). */
static inline float half_to_float(uint16_t h) {
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

/* A product over k = 0 terms: zero, or (accumulating) the output unchanged. */
static inline void empty_product(size_t m, size_t n, float *c, size_t ldc, int accumulate) {
    if (accumulate) return;
    for (size_t i = 0; i < m; i++)
        for (size_t j = 0; j < n; j++) c[i * ldc + j] = 0;
}

#endif
