#ifndef CPNG_SHIM_H
#define CPNG_SHIM_H

/* PNG decoding through libspng, with the conversion to 8-bit RGB done as Pillow's
 * `Image.open(f).convert("RGB")` does (see cpng_shim.c for each colour type's rule). */

#include <stddef.h>
#include <stdint.h>

enum {
    CPNG_OK = 0,
    CPNG_ERR_SPNG = 1,      /* libspng rejected the data (message says why) */
    CPNG_ERR_TRUNCATED = 2, /* the data ended before the image did */
    CPNG_ERR_NO_MEMORY = 3  /* an allocation failed */
};

#define CPNG_MESSAGE_LENGTH 256

/* Opaque decoder over a caller-owned memory buffer (the buffer must outlive the decoder). */
typedef struct cpng_decoder cpng_decoder;

/* What IHDR says; filled by cpng_decoder_open. */
typedef struct {
    uint32_t width;
    uint32_t height;
    int bit_depth;  /* 1, 2, 4, 8 or 16 */
    int color_type; /* 0 grey, 2 RGB, 3 palette, 4 grey+alpha, 6 RGBA */
    int interlaced; /* 1 for Adam7 */
} cpng_header;

/* Reads the signature and IHDR only (no pixel data, no allocation beyond the context). On success *out is a
 * decoder to close with cpng_decoder_close; on failure *out is NULL and message holds the reason. Every
 * chunk's CRC up to the image data is checked (critical and ancillary chunks alike). */
int cpng_decoder_open(const uint8_t *data, size_t size, cpng_decoder **out, cpng_header *header,
                      char message[CPNG_MESSAGE_LENGTH]);

/* Decodes the default image (IDAT; APNG frames are ignored) as interleaved 8-bit RGB into rgb
 * (width*height*3 bytes), checking IDAT's CRCs; ancillary chunks after the image are not checked. Call once. */
int cpng_decoder_read_rgb(cpng_decoder *decoder, uint8_t *rgb, char message[CPNG_MESSAGE_LENGTH]);

/* Frees the decoder (NULL is fine). */
void cpng_decoder_close(cpng_decoder *decoder);

/* Encodes interleaved 8-bit RGB (width*height*3 bytes) as a non-interlaced PNG. On success out and out_size
 * hold a malloc'd buffer to release with cpng_free. */
int cpng_encode_rgb(const uint8_t *rgb, uint32_t width, uint32_t height, uint8_t **out, size_t *out_size,
                    char message[CPNG_MESSAGE_LENGTH]);

/* Frees a buffer returned by cpng_encode_rgb. */
void cpng_free(void *pointer);

#endif
