#include "cjpeg_shim.h"

#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jpeglib.h>
#include <jerror.h>

/* ---- error manager: longjmp back into the guarded function, capture messages ---- */

typedef struct {
    struct jpeg_error_mgr pub;
    jmp_buf jump;
    int warnings;
    char last_warning[JMSG_LENGTH_MAX];
} guarded_error_mgr;

static void guarded_error_exit(j_common_ptr cinfo) {
    guarded_error_mgr *err = (guarded_error_mgr *)cinfo->err;
    longjmp(err->jump, 1);
}

static void guarded_output_message(j_common_ptr cinfo) {
    /* never print; keep the text of the latest warning */
    guarded_error_mgr *err = (guarded_error_mgr *)cinfo->err;
    (*cinfo->err->format_message)(cinfo, err->last_warning);
}

static void guarded_emit_message(j_common_ptr cinfo, int msg_level) {
    guarded_error_mgr *err = (guarded_error_mgr *)cinfo->err;
    if (msg_level < 0) {
        err->warnings += 1;
        cinfo->err->num_warnings += 1;
        guarded_output_message(cinfo);
    }
    /* trace messages (msg_level >= 0) are dropped */
}

static void init_error_mgr(guarded_error_mgr *err) {
    jpeg_std_error(&err->pub);
    err->pub.error_exit = guarded_error_exit;
    err->pub.output_message = guarded_output_message;
    err->pub.emit_message = guarded_emit_message;
    err->warnings = 0;
    err->last_warning[0] = 0;
}

static int status_for(j_common_ptr cinfo, char message[CJPEG_MESSAGE_LENGTH]) {
    char text[JMSG_LENGTH_MAX];
    (*cinfo->err->format_message)(cinfo, text);
    snprintf(message, CJPEG_MESSAGE_LENGTH, "%s", text);
    switch (cinfo->err->msg_code) {
    case JERR_INPUT_EOF: return CJPEG_ERR_TRUNCATED;
    case JERR_NO_SOI: return CJPEG_ERR_NOT_JPEG;
    case JERR_OUT_OF_MEMORY: return CJPEG_ERR_NO_MEMORY;
    default: return CJPEG_ERR_LIBJPEG;
    }
}

/* ---- memory source whose end of data is an error (libjpeg's own would pad with a fake EOI) ---- */

static void source_init(j_decompress_ptr cinfo) { (void)cinfo; }

static boolean source_fill(j_decompress_ptr cinfo) {
    ERREXIT(cinfo, JERR_INPUT_EOF);
    return FALSE;
}

static void source_skip(j_decompress_ptr cinfo, long count) {
    struct jpeg_source_mgr *src = cinfo->src;
    if (count <= 0) return;
    if ((size_t)count > src->bytes_in_buffer) {
        ERREXIT(cinfo, JERR_INPUT_EOF);
    }
    src->next_input_byte += count;
    src->bytes_in_buffer -= (size_t)count;
}

static void source_term(j_decompress_ptr cinfo) { (void)cinfo; }

/* ---- EXIF orientation (APP1 "Exif\0\0" + TIFF IFD0 tag 0x0112) ---- */

static unsigned read16(const uint8_t *p, int little) {
    return little ? (unsigned)(p[0] | (p[1] << 8)) : (unsigned)((p[0] << 8) | p[1]);
}

static uint32_t read32(const uint8_t *p, int little) {
    return little ? ((uint32_t)p[0] | ((uint32_t)p[1] << 8) | ((uint32_t)p[2] << 16) | ((uint32_t)p[3] << 24))
                  : (((uint32_t)p[0] << 24) | ((uint32_t)p[1] << 16) | ((uint32_t)p[2] << 8) | (uint32_t)p[3]);
}

static int exif_orientation(j_decompress_ptr cinfo) {
    for (jpeg_saved_marker_ptr m = cinfo->marker_list; m != NULL; m = m->next) {
        if (m->marker != JPEG_APP0 + 1 || m->data_length < 14) continue;
        if (memcmp(m->data, "Exif\0\0", 6) != 0) continue;
        const uint8_t *tiff = m->data + 6;
        size_t length = m->data_length - 6;
        int little;
        if (tiff[0] == 'I' && tiff[1] == 'I') little = 1;
        else if (tiff[0] == 'M' && tiff[1] == 'M') little = 0;
        else continue;
        uint32_t ifd = read32(tiff + 4, little);
        if (ifd > length || length - ifd < 2) continue;
        unsigned entries = read16(tiff + ifd, little);
        for (unsigned i = 0; i < entries; i++) {
            size_t at = ifd + 2 + (size_t)i * 12;
            if (at + 12 > length) break;
            if (read16(tiff + at, little) == 0x0112) {
                unsigned value = read16(tiff + at + 8, little);
                return (value >= 1 && value <= 8) ? (int)value : 0;
            }
        }
    }
    return 0;
}

/* ---- decoder ---- */

struct cjpeg_decoder {
    struct jpeg_decompress_struct cinfo;
    guarded_error_mgr err;
    struct jpeg_source_mgr src;
    int color;
};

int cjpeg_decoder_open(const uint8_t *data, size_t size, cjpeg_decoder **out, cjpeg_header *header,
                       char message[CJPEG_MESSAGE_LENGTH]) {
    *out = NULL;
    message[0] = 0;
    cjpeg_decoder *d = calloc(1, sizeof(cjpeg_decoder));
    if (d == NULL) {
        snprintf(message, CJPEG_MESSAGE_LENGTH, "out of memory");
        return CJPEG_ERR_NO_MEMORY;
    }
    init_error_mgr(&d->err);
    d->cinfo.err = &d->err.pub;
    if (setjmp(d->err.jump)) {
        int status = status_for((j_common_ptr)&d->cinfo, message);
        jpeg_destroy_decompress(&d->cinfo);
        free(d);
        return status;
    }
    jpeg_create_decompress(&d->cinfo);
    d->src.init_source = source_init;
    d->src.fill_input_buffer = source_fill;
    d->src.skip_input_data = source_skip;
    d->src.resync_to_restart = jpeg_resync_to_restart;
    d->src.term_source = source_term;
    d->src.next_input_byte = data;
    d->src.bytes_in_buffer = size;
    d->cinfo.src = &d->src;
    jpeg_save_markers(&d->cinfo, JPEG_APP0 + 1, 0xFFFF);
    jpeg_read_header(&d->cinfo, TRUE);

    switch (d->cinfo.jpeg_color_space) {
    case JCS_GRAYSCALE:
        d->color = CJPEG_COLOR_GRAY;
        d->cinfo.out_color_space = JCS_GRAYSCALE;
        break;
    case JCS_YCbCr:
    case JCS_RGB:
        d->color = CJPEG_COLOR_RGB;
        d->cinfo.out_color_space = JCS_RGB;
        break;
    case JCS_CMYK:
    case JCS_YCCK:
        d->color = CJPEG_COLOR_CMYK;
        d->cinfo.out_color_space = JCS_CMYK;
        break;
    default:
        snprintf(message, CJPEG_MESSAGE_LENGTH, "unsupported colour space with %d components",
                 d->cinfo.num_components);
        header->components = d->cinfo.num_components;
        jpeg_destroy_decompress(&d->cinfo);
        free(d);
        return CJPEG_ERR_COLOR_SPACE;
    }
    /* libjpeg's defaults, stated so they match PIL's decoder: */
    d->cinfo.dct_method = JDCT_ISLOW;
    d->cinfo.do_fancy_upsampling = TRUE;

    header->width = (int)d->cinfo.image_width;
    header->height = (int)d->cinfo.image_height;
    header->components = d->cinfo.num_components;
    header->color = d->color;
    header->exif_orientation = exif_orientation(&d->cinfo);
    *out = d;
    return CJPEG_OK;
}

/* PIL's MULDIV255: a*b/255 rounded, in integers. */
static inline int muldiv255(int a, int b) {
    int tmp = a * b + 128;
    return ((tmp >> 8) + tmp) >> 8;
}

static inline uint8_t clip8(int v) { return v <= 0 ? 0 : (v >= 255 ? 255 : (uint8_t)v); }

/* Converts one decoded scanline (output_components per pixel) to RGB, like PIL's convert("RGB"). */
static void line_to_rgb(int color, const uint8_t *row, uint8_t *line, size_t width) {
    if (color == CJPEG_COLOR_GRAY) {
        for (size_t x = 0; x < width; x++) line[3 * x] = line[3 * x + 1] = line[3 * x + 2] = row[x];
    } else if (color == CJPEG_COLOR_CMYK) {
        /* PIL reads JPEG CMYK as "CMYK;I" (Adobe polarity: inverted), then convert("RGB") uses
         * cmyk2rgb: nk = 255 - K; channel = nk - nk*C/255. */
        for (size_t x = 0; x < width; x++) {
            const uint8_t *p = row + 4 * x;
            int c = 255 - p[0], m = 255 - p[1], y = 255 - p[2], k = 255 - p[3];
            int nk = 255 - k;
            line[3 * x] = clip8(nk - muldiv255(c, nk));
            line[3 * x + 1] = clip8(nk - muldiv255(m, nk));
            line[3 * x + 2] = clip8(nk - muldiv255(y, nk));
        }
    } else {
        memcpy(line, row, width * 3);
    }
}

int cjpeg_decoder_read_rgb(cjpeg_decoder *d, uint8_t *rgb, int *warnings,
                           char message[CJPEG_MESSAGE_LENGTH]) {
    message[0] = 0;
    *warnings = 0;
    uint8_t *volatile row = NULL;
    if (setjmp(d->err.jump)) {
        free(row);
        *warnings = d->err.warnings;
        return status_for((j_common_ptr)&d->cinfo, message);
    }
    jpeg_start_decompress(&d->cinfo);
    const size_t width = d->cinfo.output_width;
    const int components = d->cinfo.output_components;
    if (d->color != CJPEG_COLOR_RGB) {
        row = malloc(width * (size_t)components);
        if (row == NULL) ERREXIT1(&d->cinfo, JERR_OUT_OF_MEMORY, 0);
    }
    while (d->cinfo.output_scanline < d->cinfo.output_height) {
        uint8_t *line = rgb + (size_t)d->cinfo.output_scanline * width * 3;
        JSAMPROW target = (d->color == CJPEG_COLOR_RGB) ? line : row;
        jpeg_read_scanlines(&d->cinfo, &target, 1);
        if (d->color != CJPEG_COLOR_RGB) line_to_rgb(d->color, row, line, width);
    }
    jpeg_finish_decompress(&d->cinfo);
    free(row);
    row = NULL;
    *warnings = d->err.warnings;
    if (d->err.warnings > 0) snprintf(message, CJPEG_MESSAGE_LENGTH, "%s", d->err.last_warning);
    return CJPEG_OK;
}

int cjpeg_decoder_read_rgb_region(cjpeg_decoder *d, int x, int y, int width, int height, uint8_t *rgb,
                                  int *warnings, char message[CJPEG_MESSAGE_LENGTH]) {
    message[0] = 0;
    *warnings = 0;
    uint8_t *volatile row = NULL;
    if (setjmp(d->err.jump)) {
        free(row);
        *warnings = d->err.warnings;
        return status_for((j_common_ptr)&d->cinfo, message);
    }
    const int image_width = (int)d->cinfo.image_width, image_height = (int)d->cinfo.image_height;
    if (x < 0 || y < 0 || width <= 0 || height <= 0 || x + width > image_width || y + height > image_height) {
        snprintf(message, CJPEG_MESSAGE_LENGTH, "region %dx%d at (%d, %d) is outside the %dx%d image", width,
                 height, x, y, image_width, image_height);
        return CJPEG_ERR_LIBJPEG;
    }
    jpeg_start_decompress(&d->cinfo);
    /* Decode a margin of two iMCUs around the region: libjpeg's fancy upsampling treats the edges of a
     * cropped or skipped area as image edges, which changes the pixels next to them (and only those). */
    const int imcu_width = d->cinfo.max_h_samp_factor * DCTSIZE;
    const int imcu_height = d->cinfo.max_v_samp_factor * DCTSIZE;
    int crop_first = x - 2 * imcu_width;
    if (crop_first < 0) crop_first = 0;
    int crop_end = x + width + 2 * imcu_width;
    if (crop_end > image_width) crop_end = image_width;
    JDIMENSION crop_x = (JDIMENSION)crop_first, crop_width = (JDIMENSION)(crop_end - crop_first);
    if (crop_first > 0 || crop_end < image_width) jpeg_crop_scanline(&d->cinfo, &crop_x, &crop_width);
    const size_t skip_columns = (size_t)(x - (int)crop_x);
    const int components = d->cinfo.output_components;
    row = malloc((size_t)crop_width * (size_t)components);
    if (row == NULL) ERREXIT1(&d->cinfo, JERR_OUT_OF_MEMORY, 0);
    int first_row = y - 2 * imcu_height;
    if (first_row > 0) jpeg_skip_scanlines(&d->cinfo, (JDIMENSION)first_row);
    const JDIMENSION end_row = (JDIMENSION)(y + height);
    while (d->cinfo.output_scanline < end_row) {
        JDIMENSION scanline = d->cinfo.output_scanline;
        JSAMPROW target = row;
        jpeg_read_scanlines(&d->cinfo, &target, 1);
        if (scanline < (JDIMENSION)y) continue;
        uint8_t *line = rgb + (size_t)(scanline - (JDIMENSION)y) * (size_t)width * 3;
        line_to_rgb(d->color, row + skip_columns * (size_t)components, line, (size_t)width);
    }
    /* Read the rest too, so that a damaged or truncated tail is reported as PIL would: skipping to the last
     * row only entropy-decodes (skipping past it would mark the data as complete without reading it). */
    if (d->cinfo.output_scanline + 1 < d->cinfo.output_height) {
        jpeg_skip_scanlines(&d->cinfo, d->cinfo.output_height - 1 - d->cinfo.output_scanline);
    }
    while (d->cinfo.output_scanline < d->cinfo.output_height) {
        JSAMPROW target = row;
        jpeg_read_scanlines(&d->cinfo, &target, 1);
    }
    jpeg_finish_decompress(&d->cinfo);
    free(row);
    row = NULL;
    *warnings = d->err.warnings;
    if (d->err.warnings > 0) snprintf(message, CJPEG_MESSAGE_LENGTH, "%s", d->err.last_warning);
    return CJPEG_OK;
}

void cjpeg_decoder_close(cjpeg_decoder *d) {
    if (d == NULL) return;
    jpeg_destroy_decompress(&d->cinfo);
    free(d);
}

/* ---- encoder ---- */

int cjpeg_encode_rgb(const uint8_t *rgb, int width, int height, int quality, uint8_t **out,
                     size_t *out_size, char message[CJPEG_MESSAGE_LENGTH]) {
    struct jpeg_compress_struct cinfo;
    guarded_error_mgr err;
    unsigned char *volatile buffer = NULL;
    unsigned long size = 0;
    message[0] = 0;
    *out = NULL;
    *out_size = 0;
    init_error_mgr(&err);
    cinfo.err = &err.pub;
    if (setjmp(err.jump)) {
        int status = status_for((j_common_ptr)&cinfo, message);
        jpeg_destroy_compress(&cinfo);
        free(buffer);
        return status;
    }
    jpeg_create_compress(&cinfo);
    jpeg_mem_dest(&cinfo, (unsigned char **)&buffer, &size);
    cinfo.image_width = (JDIMENSION)width;
    cinfo.image_height = (JDIMENSION)height;
    cinfo.input_components = 3;
    cinfo.in_color_space = JCS_RGB;
    jpeg_set_defaults(&cinfo);
    jpeg_set_quality(&cinfo, quality, TRUE);
    jpeg_start_compress(&cinfo, TRUE);
    while (cinfo.next_scanline < cinfo.image_height) {
        JSAMPROW line = (JSAMPROW)(rgb + (size_t)cinfo.next_scanline * (size_t)width * 3);
        jpeg_write_scanlines(&cinfo, &line, 1);
    }
    jpeg_finish_compress(&cinfo);
    jpeg_destroy_compress(&cinfo);
    *out = buffer;
    *out_size = size;
    return CJPEG_OK;
}

void cjpeg_free(void *pointer) { free(pointer); }
