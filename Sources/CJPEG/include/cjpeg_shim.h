#ifndef CJPEG_SHIM_H
#define CJPEG_SHIM_H

/* A setjmp-guarded wrapper over libjpeg. libjpeg reports fatal errors by calling error_exit, which
 * must not return; every function here catches that with setjmp/longjmp inside C and returns a status
 * plus a message instead, so Swift never sees a longjmp. Warnings are captured, never printed. */

#include <stddef.h>
#include <stdint.h>

/* Status codes returned by every function. */
enum {
    CJPEG_OK = 0,
    CJPEG_ERR_LIBJPEG = 1,    /* libjpeg rejected the data (message says why) */
    CJPEG_ERR_TRUNCATED = 2,  /* the data ended before the image did */
    CJPEG_ERR_NOT_JPEG = 3,   /* no JPEG start-of-image marker */
    CJPEG_ERR_NO_MEMORY = 4,  /* an allocation failed */
    CJPEG_ERR_COLOR_SPACE = 5 /* a component layout we do not convert to RGB */
};

#define CJPEG_MESSAGE_LENGTH 256

/* Colour model of the stored data (what is converted to RGB on output). */
enum {
    CJPEG_COLOR_GRAY = 1,
    CJPEG_COLOR_RGB = 3,  /* YCbCr or RGB */
    CJPEG_COLOR_CMYK = 4  /* CMYK or YCCK, converted like PIL: Adobe-inverted CMYK, then cmyk2rgb */
};

/* Opaque decoder over a caller-owned memory buffer (the buffer must outlive the decoder). */
typedef struct cjpeg_decoder cjpeg_decoder;

/* What the header says; filled by cjpeg_decoder_open. */
typedef struct {
    int width;
    int height;
    int components;      /* components stored in the file */
    int color;           /* CJPEG_COLOR_* */
    int exif_orientation;/* EXIF orientation tag 1...8, or 0 when absent */
} cjpeg_header;

/* Parses markers up to the first scan. On success *out is a decoder to close with cjpeg_decoder_close;
 * on failure *out is NULL and message holds the reason. */
int cjpeg_decoder_open(const uint8_t *data, size_t size, cjpeg_decoder **out, cjpeg_header *header,
                       char message[CJPEG_MESSAGE_LENGTH]);

/* Decodes the whole image as interleaved RGB into rgb (width*height*3 bytes), with libjpeg's default
 * settings (ISLOW DCT, fancy upsampling), greyscale replicated and CMYK converted as PIL does.
 * warnings receives the number of recovered-data warnings; message the last one (or the error). */
int cjpeg_decoder_read_rgb(cjpeg_decoder *decoder, uint8_t *rgb, int *warnings,
                           char message[CJPEG_MESSAGE_LENGTH]);

/* Decodes only the pixels of the region [x, x+width) x [y, y+height) as interleaved RGB into rgb
 * (width*height*3 bytes), equal to the same pixels of cjpeg_decoder_read_rgb: libjpeg-turbo's
 * jpeg_crop_scanline/jpeg_skip_scanlines with a margin so that upsampling at the cut edges does not reach
 * the region. Rows after the region are skipped (entropy-decoded only). Call instead of read_rgb, once. */
int cjpeg_decoder_read_rgb_region(cjpeg_decoder *decoder, int x, int y, int width, int height, uint8_t *rgb,
                                  int *warnings, char message[CJPEG_MESSAGE_LENGTH]);

/* Frees the decoder (NULL is fine). */
void cjpeg_decoder_close(cjpeg_decoder *decoder);

/* Encodes interleaved RGB (width*height*3 bytes) as a baseline JPEG with 4:2:0 chroma at quality 1...100.
 * On success out and out_size hold a malloc'd buffer to release with cjpeg_free. */
int cjpeg_encode_rgb(const uint8_t *rgb, int width, int height, int quality, uint8_t **out,
                     size_t *out_size, char message[CJPEG_MESSAGE_LENGTH]);

/* Frees a buffer returned by cjpeg_encode_rgb. */
void cjpeg_free(void *pointer);

#endif
