#ifndef NUMERICS_CONVERSIONS_H
#define NUMERICS_CONVERSIONS_H

/* IEEE half precision (binary16) <-> float32 (the bfloat16 conversions are in bf16_kernels.h). */

#include <stddef.h>
#include <stdint.h>

/// Rounds `count` floats to half precision (to nearest, ties to even; overflow to infinity).
void numerics_f32_to_f16(const float *src, uint16_t *dst, size_t count);

/// Widens `count` half-precision values to float (exact).
void numerics_f16_to_f32(const uint16_t *src, float *dst, size_t count);

#endif
