#ifndef CJPEG_SHIM_H
#define CJPEG_SHIM_H
/// Placeholder; the images module fills in the setjmp-guarded libjpeg wrapper.
int cjpeg_shim_version(void);
#endif
