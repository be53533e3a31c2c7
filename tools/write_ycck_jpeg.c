/* Used by make_image_fixtures.py (PIL cannot write YCCK): encodes raw 4-channel bytes, as stored in an
 * Adobe CMYK JPEG (inverted), into a YCCK JPEG with libjpeg. Usage: write_ycck_jpeg W H in.raw out.jpg */
#include <stdio.h>
#include <stdlib.h>
#include <jpeglib.h>

int main(int argc, char **argv) {
    if (argc != 5) return 2;
    int w = atoi(argv[1]), h = atoi(argv[2]);
    unsigned char *raw = malloc((size_t)w * h * 4);
    FILE *in = fopen(argv[3], "rb");
    if (!in || fread(raw, 4, (size_t)w * h, in) != (size_t)w * h) return 3;
    fclose(in);
    FILE *out = fopen(argv[4], "wb");
    if (!out) return 4;
    struct jpeg_compress_struct c;
    struct jpeg_error_mgr e;
    c.err = jpeg_std_error(&e);
    jpeg_create_compress(&c);
    jpeg_stdio_dest(&c, out);
    c.image_width = w;
    c.image_height = h;
    c.input_components = 4;
    c.in_color_space = JCS_CMYK;
    jpeg_set_defaults(&c);
    jpeg_set_colorspace(&c, JCS_YCCK);
    jpeg_set_quality(&c, 90, TRUE);
    jpeg_start_compress(&c, TRUE);
    while (c.next_scanline < c.image_height) {
        JSAMPROW row = raw + (size_t)c.next_scanline * w * 4;
        jpeg_write_scanlines(&c, &row, 1);
    }
    jpeg_finish_compress(&c);
    jpeg_destroy_compress(&c);
    fclose(out);
    free(raw);
    return 0;
}
