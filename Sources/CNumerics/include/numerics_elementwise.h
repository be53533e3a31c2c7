#ifndef NUMERICS_ELEMENTWISE_H
#define NUMERICS_ELEMENTWISE_H

/* Element-wise kernels over the rows of a layer's output. */

#include <stddef.h>

/// `x[i] = act(x[i] + bias[i])` for `count` elements (`bias` may be NULL: no bias). `kind` 0 is QuickGELU
/// `v · sigmoid(1.702 v)`, 1 the exact GELU `0.5 v (1 + erf(v / √2))` (erf to ~1.5e-7 absolute). AVX-512: 16
/// lanes, AVX2: 8 lanes, with a Cephes exp, the tail through the same code on masked lanes.
void numerics_activation(float *x, size_t count, const float *bias, int kind);

#endif
