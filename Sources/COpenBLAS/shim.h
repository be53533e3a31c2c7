#include <cblas.h>
// OpenBLAS threading controls (declared in openblas_config.h / cblas.h of OpenBLAS builds).
