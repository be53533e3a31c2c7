#ifndef CWEBP_SHIM_H
#define CWEBP_SHIM_H

/* WebP decoding through libwebp to 8-bit RGB, as Pillow's `Image.open(f).convert("RGB")`: alpha dropped
 * without compositing, libwebp's default (fancy) upsampling for lossy data. */

#include <stddef.h>
#include <stdint.h>

enum {
    CWEBP_OK = 0,
    CWEBP_ERR_WEBP = 1,        /* libwebp rejected the data (message says why) */
    CWEBP_ERR_TRUNCATED = 2,   /* the data ended before the image did */
    CWEBP_ERR_NO_MEMORY = 3,   /* an allocation failed */
    CWEBP_ERR_UNSUPPORTED = 4  /* a feature libwebp does not decode */
};

#define CWEBP_MESSAGE_LENGTH 256

typedef struct {
    int width;  /* canvas width (VP8X canvas when present) */
    int height;
    int has_alpha;
    int has_animation;
    int format; /* 0 mixed/undefined, 1 lossy, 2 lossless */
} cwebp_header;

/* Reads the RIFF/VP8X/VP8/VP8L headers only (a prefix of the file suffices). */
int cwebp_read_header(const uint8_t *data, size_t size, cwebp_header *header, char message[CWEBP_MESSAGE_LENGTH]);

/* Decodes the whole picture as interleaved RGB into rgb (width*height*3 bytes, the size from the header); of an
 * animation, the first frame on its canvas (as Pillow). */
int cwebp_read_rgb(const uint8_t *data, size_t size, int width, int height, uint8_t *rgb,
                   char message[CWEBP_MESSAGE_LENGTH]);

/* Encodes interleaved 8-bit RGB as WebP: lossless when lossless != 0, else lossy at quality 0...100. On success
 * out and out_size hold a buffer to release with cwebp_free. */
int cwebp_encode_rgb(const uint8_t *rgb, int width, int height, float quality, int lossless, uint8_t **out,
                     size_t *out_size, char message[CWEBP_MESSAGE_LENGTH]);

/* Frees a buffer returned by cwebp_encode_rgb. */
void cwebp_free(void *pointer);

#endif
