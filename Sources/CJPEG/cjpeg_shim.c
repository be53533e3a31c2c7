#include "cjpeg_shim.h"
int cjpeg_shim_version(void) { return 1; }
