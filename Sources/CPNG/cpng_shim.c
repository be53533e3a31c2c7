#include "cpng_shim.h"

#include <spng.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct cpng_decoder {
    spng_ctx *ctx;
    struct spng_ihdr ihdr;
};

/* Largest ancillary chunk and total of kept ancillary chunks (text, ICC, EXIF...): bounds memory spent on
 * metadata independently of the pixel limit. */
#define CPNG_CHUNK_LIMIT (16u * 1024u * 1024u)
#define CPNG_CACHE_LIMIT (64u * 1024u * 1024u)

static int fail(int err, char message[CPNG_MESSAGE_LENGTH]) {
    if (err == SPNG_ECHUNK_CRC)
        snprintf(message, CPNG_MESSAGE_LENGTH, "libspng: %s (a chunk's CRC does not match its data)", spng_strerror(err));
    else if (err == SPNG_ECHUNK_LIMITS)
        snprintf(message, CPNG_MESSAGE_LENGTH,
                 "libspng: %s (a metadata chunk, stored or inflated, is over %u MiB, or all of them over %u MiB)",
                 spng_strerror(err), CPNG_CHUNK_LIMIT >> 20, CPNG_CACHE_LIMIT >> 20);
    else
        snprintf(message, CPNG_MESSAGE_LENGTH, "libspng: %s", spng_strerror(err));
    if (err == SPNG_EOF || err == SPNG_IO_EOF) return CPNG_ERR_TRUNCATED;
    if (err == SPNG_EMEM) return CPNG_ERR_NO_MEMORY;
    return CPNG_ERR_SPNG;
}

int cpng_decoder_open(const uint8_t *data, size_t size, cpng_decoder **out, cpng_header *header,
                      char message[CPNG_MESSAGE_LENGTH]) {
    *out = NULL;
    message[0] = 0;
    cpng_decoder *d = calloc(1, sizeof *d);
    if (!d) {
        snprintf(message, CPNG_MESSAGE_LENGTH, "out of memory");
        return CPNG_ERR_NO_MEMORY;
    }
    d->ctx = spng_ctx_new(0);
    if (!d->ctx) {
        free(d);
        snprintf(message, CPNG_MESSAGE_LENGTH, "out of memory");
        return CPNG_ERR_NO_MEMORY;
    }
    int err = spng_set_crc_action(d->ctx, SPNG_CRC_ERROR, SPNG_CRC_ERROR);
    if (!err) err = spng_set_chunk_limits(d->ctx, CPNG_CHUNK_LIMIT, CPNG_CACHE_LIMIT);
    if (!err) err = spng_set_png_buffer(d->ctx, data, size);
    if (!err) err = spng_get_ihdr(d->ctx, &d->ihdr);
    if (err) {
        int status = fail(err, message);
        cpng_decoder_close(d);
        return status;
    }
    header->width = d->ihdr.width;
    header->height = d->ihdr.height;
    header->bit_depth = d->ihdr.bit_depth;
    header->color_type = d->ihdr.color_type;
    header->interlaced = d->ihdr.interlace_method != 0;
    *out = d;
    return CPNG_OK;
}

/* Sample `x` of a packed row of `depth`-bit samples (depth 1, 2, 4 or 8), most significant bits first. */
static inline unsigned packed_sample(const uint8_t *row, size_t x, int depth) {
    if (depth == 8) return row[x];
    size_t bit = x * (size_t)depth;
    unsigned shift = 8u - (unsigned)depth - (unsigned)(bit & 7u);
    return (row[bit >> 3] >> shift) & ((1u << depth) - 1u);
}

/* One row of stored samples (SPNG_FMT_RAW: big-endian, sub-byte depths packed) as 8-bit RGB, the way Pillow's
 * convert("RGB") turns each PNG mode into RGB. */
static void convert_row(int type, int depth, size_t width, const uint8_t *in, uint8_t *o, const uint8_t *palette) {
    switch (type) {
    case SPNG_COLOR_TYPE_GRAYSCALE:
        for (size_t x = 0; x < width; x++) {
            unsigned v;
            if (depth == 16) {
                /* Pillow's mode "I;16" → RGB clips (I16_RGB: high byte non-zero gives 255), no scaling. */
                v = in[2 * x] ? 255u : in[2 * x + 1];
            } else {
                /* Modes "1" (0/255), "L;2" (×85), "L;4" (×17), "L": the PNG scaling to 8 bits. */
                unsigned s = packed_sample(in, x, depth);
                v = depth == 1 ? s * 255u : depth == 2 ? s * 85u : depth == 4 ? s * 17u : s;
            }
            o[3 * x] = o[3 * x + 1] = o[3 * x + 2] = (uint8_t)v;
        }
        break;
    case SPNG_COLOR_TYPE_TRUECOLOR: /* 16-bit: rawmode "RGB;16B" keeps the high byte. */
        for (size_t x = 0; x < width; x++) {
            o[3 * x] = in[6 * x];
            o[3 * x + 1] = in[6 * x + 2];
            o[3 * x + 2] = in[6 * x + 4];
        }
        break;
    case SPNG_COLOR_TYPE_INDEXED: /* tRNS only sets info["transparency"]; convert("RGB") ignores it. */
        for (size_t x = 0; x < width; x++) {
            const uint8_t *p = palette + 3 * packed_sample(in, x, depth);
            o[3 * x] = p[0];
            o[3 * x + 1] = p[1];
            o[3 * x + 2] = p[2];
        }
        break;
    case SPNG_COLOR_TYPE_GRAYSCALE_ALPHA: { /* "LA" / "LA;16B" (high byte); alpha dropped, no compositing. */
        const size_t step = depth == 16 ? 4 : 2;
        for (size_t x = 0; x < width; x++) o[3 * x] = o[3 * x + 1] = o[3 * x + 2] = in[step * x];
        break;
    }
    case SPNG_COLOR_TYPE_TRUECOLOR_ALPHA: { /* "RGBA" / "RGBA;16B" (high byte); alpha dropped. */
        const size_t step = depth == 16 ? 8 : 4, lane = depth == 16 ? 2 : 1;
        for (size_t x = 0; x < width; x++) {
            o[3 * x] = in[step * x];
            o[3 * x + 1] = in[step * x + lane];
            o[3 * x + 2] = in[step * x + 2 * lane];
        }
        break;
    }
    default: /* IHDR's colour type was validated by libspng */
        break;
    }
}

int cpng_decoder_read_rgb(cpng_decoder *d, uint8_t *rgb, char message[CPNG_MESSAGE_LENGTH]) {
    message[0] = 0;
    const size_t width = d->ihdr.width, height = d->ihdr.height;
    const int depth = d->ihdr.bit_depth, type = d->ihdr.color_type;
    if (!width || !height) {
        snprintf(message, CPNG_MESSAGE_LENGTH, "IHDR declares an empty %zux%zu image", width, height);
        return CPNG_ERR_SPNG;
    }

    size_t size = 0;
    int err = spng_decoded_image_size(d->ctx, SPNG_FMT_RAW, &size);
    if (err) return fail(err, message);
    const size_t row_bytes = size / height;
    /* RGB 8-bit rows are already the output: decode in place. */
    const int direct = type == SPNG_COLOR_TYPE_TRUECOLOR && depth == 8;
    /* Adam7 pictures are decoded whole (libspng merges the passes); others a row at a time into one row buffer.
     * Zeroed: libspng ORs sub-byte samples of Adam7 passes into place, so the buffer must start clear. */
    const size_t buffer_size = d->ihdr.interlace_method ? size : row_bytes;
    uint8_t *raw = direct ? NULL : calloc(1, buffer_size);
    if (!direct && !raw) {
        snprintf(message, CPNG_MESSAGE_LENGTH, "out of memory for %zu bytes of PNG samples", buffer_size);
        return CPNG_ERR_NO_MEMORY;
    }
    /* SPNG_FMT_RAW: the stored samples, big-endian, sub-byte depths packed. */
    if (d->ihdr.interlace_method) {
        err = spng_decode_image(d->ctx, direct ? rgb : raw, size, SPNG_FMT_RAW, 0);
    } else {
        err = spng_decode_image(d->ctx, NULL, 0, SPNG_FMT_RAW, SPNG_DECODE_PROGRESSIVE);
    }

    /* The palette as Pillow holds it: entries past PLTE's length are black, so indexes beyond the palette
     * (a spec violation met in the wild) decode as (0, 0, 0). */
    uint8_t palette[256 * 3];
    memset(palette, 0, sizeof palette);
    if (!err && type == SPNG_COLOR_TYPE_INDEXED) {
        struct spng_plte plte;
        err = spng_get_plte(d->ctx, &plte);
        for (uint32_t i = 0; !err && i < plte.n_entries && i < 256; i++) {
            palette[3 * i] = plte.entries[i].red;
            palette[3 * i + 1] = plte.entries[i].green;
            palette[3 * i + 2] = plte.entries[i].blue;
        }
    }

    for (size_t y = 0; !err && y < height; y++) {
        uint8_t *out = rgb + y * width * 3;
        if (d->ihdr.interlace_method) {
            if (!direct) convert_row(type, depth, width, raw + y * row_bytes, out, palette);
            continue;
        }
        err = spng_decode_row(d->ctx, direct ? out : raw, row_bytes);
        if (err == SPNG_EOI && y == height - 1) err = 0; /* the last row */
        if (!err && !direct) convert_row(type, depth, width, raw, out, palette);
    }
    free(raw);

    /* The chunks after the image: reading them checks the last IDAT's CRC, which libspng leaves unread when
     * the zlib stream ends inside it (Pillow never checks IDAT CRCs; a wrong one here is refused). Past the
     * image, as in Pillow, ancillary chunks' CRCs are not checked and a file ending early or holding a
     * malformed trailing chunk still gives its complete image; only a CRC mismatch of IDAT (or IEND) fails. */
    if (!err) {
        err = spng_set_crc_action(d->ctx, SPNG_CRC_ERROR, SPNG_CRC_DISCARD);
        if (!err) err = spng_decode_chunks(d->ctx);
        if (err != SPNG_ECHUNK_CRC) err = 0;
    }
    return err ? fail(err, message) : CPNG_OK;
}

void cpng_decoder_close(cpng_decoder *d) {
    if (!d) return;
    spng_ctx_free(d->ctx);
    free(d);
}

int cpng_encode_rgb(const uint8_t *rgb, uint32_t width, uint32_t height, uint8_t **out, size_t *out_size,
                    char message[CPNG_MESSAGE_LENGTH]) {
    *out = NULL;
    *out_size = 0;
    message[0] = 0;
    spng_ctx *ctx = spng_ctx_new(SPNG_CTX_ENCODER);
    if (!ctx) {
        snprintf(message, CPNG_MESSAGE_LENGTH, "out of memory");
        return CPNG_ERR_NO_MEMORY;
    }
    struct spng_ihdr ihdr = {0};
    ihdr.width = width;
    ihdr.height = height;
    ihdr.bit_depth = 8;
    ihdr.color_type = SPNG_COLOR_TYPE_TRUECOLOR;
    int err = spng_set_option(ctx, SPNG_ENCODE_TO_BUFFER, 1);
    if (!err) err = spng_set_ihdr(ctx, &ihdr);
    if (!err) err = spng_encode_image(ctx, rgb, (size_t)width * height * 3, SPNG_FMT_PNG, SPNG_ENCODE_FINALIZE);
    if (!err) {
        size_t size = 0;
        void *buffer = spng_get_png_buffer(ctx, &size, &err);
        if (!err) {
            *out = buffer;
            *out_size = size;
        }
    }
    spng_ctx_free(ctx);
    return err ? fail(err, message) : CPNG_OK;
}

void cpng_free(void *pointer) { free(pointer); }
