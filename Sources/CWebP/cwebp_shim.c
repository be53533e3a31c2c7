#include "cwebp_shim.h"

#include <stdio.h>
#include <string.h>
#include <webp/decode.h>
#include <webp/demux.h>
#include <webp/encode.h>

static const char *status_text(VP8StatusCode status) {
    switch (status) {
    case VP8_STATUS_OUT_OF_MEMORY: return "out of memory";
    case VP8_STATUS_INVALID_PARAM: return "invalid parameter";
    case VP8_STATUS_BITSTREAM_ERROR: return "bitstream error";
    case VP8_STATUS_UNSUPPORTED_FEATURE: return "unsupported feature";
    case VP8_STATUS_SUSPENDED: return "suspended";
    case VP8_STATUS_USER_ABORT: return "user abort";
    case VP8_STATUS_NOT_ENOUGH_DATA: return "not enough data";
    default: return "unknown status";
    }
}

static int fail(VP8StatusCode status, char message[CWEBP_MESSAGE_LENGTH]) {
    snprintf(message, CWEBP_MESSAGE_LENGTH, "libwebp: %s (status %d)", status_text(status), (int)status);
    switch (status) {
    case VP8_STATUS_NOT_ENOUGH_DATA: return CWEBP_ERR_TRUNCATED;
    case VP8_STATUS_OUT_OF_MEMORY: return CWEBP_ERR_NO_MEMORY;
    case VP8_STATUS_UNSUPPORTED_FEATURE: return CWEBP_ERR_UNSUPPORTED;
    default: return CWEBP_ERR_WEBP;
    }
}

int cwebp_read_header(const uint8_t *data, size_t size, cwebp_header *header, char message[CWEBP_MESSAGE_LENGTH]) {
    message[0] = 0;
    WebPBitstreamFeatures features;
    VP8StatusCode status = WebPGetFeatures(data, size, &features);
    if (status != VP8_STATUS_OK) return fail(status, message);
    header->width = features.width;
    header->height = features.height;
    header->has_alpha = features.has_alpha;
    header->has_animation = features.has_animation;
    header->format = features.format;
    return CWEBP_OK;
}

/* The first frame of an animation as Pillow reads it (through WebPAnimDecoder, non-premultiplied RGBA): the
 * frame on a canvas cleared to transparent black, so canvas pixels outside the frame are (0, 0, 0); alpha then
 * dropped. The canvas size was checked against the pixel limit by the caller before this allocates it. */
static int read_first_frame(const uint8_t *data, size_t size, int width, int height, uint8_t *rgb,
                            char message[CWEBP_MESSAGE_LENGTH]) {
    WebPAnimDecoderOptions options;
    if (!WebPAnimDecoderOptionsInit(&options)) {
        snprintf(message, CWEBP_MESSAGE_LENGTH, "libwebp: version mismatch");
        return CWEBP_ERR_WEBP;
    }
    options.color_mode = MODE_RGBA;
    options.use_threads = 0;
    WebPData webp = {data, size};
    WebPAnimDecoder *decoder = WebPAnimDecoderNew(&webp, &options);
    if (!decoder) {
        snprintf(message, CWEBP_MESSAGE_LENGTH, "libwebp: the animation cannot be demuxed (corrupt or truncated)");
        return CWEBP_ERR_WEBP;
    }
    WebPAnimInfo info;
    uint8_t *frame = NULL;
    int timestamp = 0;
    int status = CWEBP_OK;
    if (!WebPAnimDecoderGetInfo(decoder, &info) || (int)info.canvas_width != width ||
        (int)info.canvas_height != height) {
        snprintf(message, CWEBP_MESSAGE_LENGTH, "libwebp: the animation's canvas differs from its header");
        status = CWEBP_ERR_WEBP;
    } else if (!WebPAnimDecoderGetNext(decoder, &frame, &timestamp) || !frame) {
        snprintf(message, CWEBP_MESSAGE_LENGTH, "libwebp: the first frame cannot be decoded (corrupt or truncated)");
        status = CWEBP_ERR_WEBP;
    } else {
        const size_t count = (size_t)width * (size_t)height;
        for (size_t i = 0; i < count; i++) memcpy(rgb + 3 * i, frame + 4 * i, 3);
    }
    WebPAnimDecoderDelete(decoder);
    return status;
}

int cwebp_read_rgb(const uint8_t *data, size_t size, int width, int height, uint8_t *rgb,
                   char message[CWEBP_MESSAGE_LENGTH]) {
    message[0] = 0;
    WebPDecoderConfig config;
    if (!WebPInitDecoderConfig(&config)) {
        snprintf(message, CWEBP_MESSAGE_LENGTH, "libwebp: version mismatch");
        return CWEBP_ERR_WEBP;
    }
    VP8StatusCode status = WebPGetFeatures(data, size, &config.input);
    if (status != VP8_STATUS_OK) return fail(status, message);
    if (config.input.width != width || config.input.height != height) {
        snprintf(message, CWEBP_MESSAGE_LENGTH, "size changed between header and decode");
        return CWEBP_ERR_WEBP;
    }
    if (config.input.has_animation) return read_first_frame(data, size, width, height, rgb, message);
    /* Decode straight into the caller's buffer: MODE_RGB drops alpha (Pillow's RGBA → RGB conversion
     * drops it too, and the first frame is never blended onto a background). */
    config.output.colorspace = MODE_RGB;
    config.output.is_external_memory = 1;
    config.output.u.RGBA.rgba = rgb;
    config.output.u.RGBA.stride = width * 3;
    config.output.u.RGBA.size = (size_t)width * (size_t)height * 3;
    status = WebPDecode(data, size, &config);
    WebPFreeDecBuffer(&config.output);
    if (status != VP8_STATUS_OK) return fail(status, message);
    return CWEBP_OK;
}

int cwebp_encode_rgb(const uint8_t *rgb, int width, int height, float quality, int lossless, uint8_t **out,
                     size_t *out_size, char message[CWEBP_MESSAGE_LENGTH]) {
    message[0] = 0;
    *out = NULL;
    size_t size = lossless ? WebPEncodeLosslessRGB(rgb, width, height, width * 3, out)
                           : WebPEncodeRGB(rgb, width, height, width * 3, quality, out);
    if (size == 0) {
        snprintf(message, CWEBP_MESSAGE_LENGTH, "libwebp: encoding a %dx%d picture failed", width, height);
        return CWEBP_ERR_WEBP;
    }
    *out_size = size;
    return CWEBP_OK;
}

void cwebp_free(void *pointer) { WebPFree(pointer); }
