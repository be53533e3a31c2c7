#!/usr/bin/env python3
"""Writes the PNG/WebP fixtures of Tests/ImagingTests/Fixtures/pictures and Pillow's RGB output for each.

Every PNG colour type and bit depth is written by hand (struct + zlib, rows filtered with all five filter
types, optionally Adam7-interlaced) so that each case is exactly the one named; WebP files are written by
Pillow. For each picture, `Image.open(f).convert("RGB").tobytes()` is stored as `<name>.rgb`, and
pictures.json lists them with their size. Hostile files (truncated, bad CRCs, huge declared sizes, a zlib
bomb, empty) are listed with what Pillow does with them.

    pip install Pillow && python3 tools/make_picture_fixtures.py
"""

import io
import json
import os
import random
import struct
import sys
import zlib

import PIL
from PIL import Image, features

OUT = os.path.join(os.path.dirname(__file__), "..", "Tests", "ImagingTests", "Fixtures", "pictures")
CHANNELS = {0: 1, 2: 3, 3: 1, 4: 2, 6: 4}
ADAM7 = [(0, 0, 8, 8), (4, 0, 8, 8), (0, 4, 4, 8), (2, 0, 4, 4), (0, 2, 2, 4), (1, 0, 2, 2), (0, 1, 1, 2)]


def chunk(kind, data, crc=None):
    if crc is None:
        crc = zlib.crc32(kind + data)
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", crc & 0xFFFFFFFF)


def pack_row(pixels, depth):
    """pixels: list of channel tuples."""
    samples = [s for p in pixels for s in p]
    if depth == 16:
        return b"".join(struct.pack(">H", s) for s in samples)
    if depth == 8:
        return bytes(samples)
    out, acc, bits = bytearray(), 0, 0
    for s in samples:
        acc = (acc << depth) | s
        bits += depth
        if bits == 8:
            out.append(acc)
            acc, bits = 0, 0
    if bits:
        out.append(acc << (8 - bits))
    return bytes(out)


def paeth(a, b, c):
    p = a + b - c
    pa, pb, pc = abs(p - a), abs(p - b), abs(p - c)
    if pa <= pb and pa <= pc:
        return a
    return b if pb <= pc else c


def filter_rows(rows, bpp):
    """Filters each packed row with filter type (row index % 5)."""
    out, prev = bytearray(), bytes(len(rows[0])) if rows else b""
    for y, row in enumerate(rows):
        kind = y % 5
        line = bytearray()
        for i, x in enumerate(row):
            a = row[i - bpp] if i >= bpp else 0
            b = prev[i]
            c = prev[i - bpp] if i >= bpp else 0
            predictor = [0, a, b, (a + b) // 2, paeth(a, b, c)][kind]
            line.append((x - predictor) & 0xFF)
        out.append(kind)
        out += line
        prev = row
    return bytes(out)


def png_bytes(width, height, color_type, depth, image, plte=None, trns=None, interlace=False, extra=b"",
              idat=None):
    bpp = max(1, CHANNELS[color_type] * depth // 8)
    if interlace:
        raw = b""
        for x0, y0, dx, dy in ADAM7:
            xs, ys = list(range(x0, width, dx)), list(range(y0, height, dy))
            if xs and ys:
                raw += filter_rows([pack_row([image[y][x] for x in xs], depth) for y in ys], bpp)
    else:
        raw = filter_rows([pack_row(image[y], depth) for y in range(height)], bpp)
    data = b"\x89PNG\r\n\x1a\n"
    data += chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, depth, color_type, 0, 0, 1 if interlace else 0))
    data += extra
    if plte is not None:
        data += chunk(b"PLTE", bytes(v for rgb in plte for v in rgb))
    if trns is not None:
        data += chunk(b"tRNS", trns)
    data += chunk(b"IDAT", zlib.compress(raw, 9) if idat is None else idat)
    data += chunk(b"IEND", b"")
    return data


def sample(rng, depth, x, y):
    top = (1 << depth) - 1
    if depth == 16 and (x + y) % 3 == 0:
        return rng.randrange(0, 300)  # around 255: Pillow clips 16-bit grey, the high byte elsewhere
    return rng.randrange(0, top + 1)


def make_image(rng, width, height, channels, depth, index_top=None):
    rows = []
    for y in range(height):
        row = []
        for x in range(width):
            if index_top is not None:
                row.append((rng.randrange(0, index_top + 1),))
            else:
                row.append(tuple(sample(rng, depth, x, y) for _ in range(channels)))
        rows.append(row)
    return rows


def pillow(path):
    with Image.open(path) as im:
        mode = im.mode
        rgb = im.convert("RGB")
        return mode, rgb.size, rgb.tobytes()


def pillow_outcome(path):
    try:
        with Image.open(path) as im:
            im.convert("RGB")
        return "decodes"
    except Exception as error:  # what Pillow raises, recorded for the tests' comments
        return f"raises {type(error).__name__}: {error}".replace(path, os.path.basename(path))


def main():
    os.makedirs(OUT, exist_ok=True)
    rng = random.Random(18)
    entries, hostile = [], []

    def add(name, data, kind, tolerance=0):
        path = os.path.join(OUT, name)
        with open(path, "wb") as f:
            f.write(data)
        mode, (w, h), rgb = pillow(path)
        raw = os.path.splitext(name)[0] + ".rgb"
        with open(os.path.join(OUT, raw), "wb") as f:
            f.write(rgb)
        entries.append({"file": name, "kind": kind, "pillow_mode": mode, "width": w, "height": h, "rgb": raw,
                        "tolerance": tolerance})
        return data

    width, height = 13, 11  # odd sizes: partial bytes at row ends, every Adam7 pass non-empty
    for color_type, depths in [(0, [1, 2, 4, 8, 16]), (2, [8, 16]), (4, [8, 16]), (6, [8, 16])]:
        for depth in depths:
            for interlace in [False, True]:
                image = make_image(rng, width, height, CHANNELS[color_type], depth)
                name = f"ct{color_type}_{depth}{'_adam7' if interlace else ''}.png"
                add(name, png_bytes(width, height, color_type, depth, image, interlace=interlace),
                    f"colour type {color_type}, {depth}-bit{', Adam7' if interlace else ''}")
    for depth in [1, 2, 4, 8]:
        count = 1 << depth
        plte = [(rng.randrange(256), rng.randrange(256), rng.randrange(256)) for _ in range(count)]
        image = make_image(rng, width, height, 1, depth, index_top=count - 1)
        add(f"ct3_{depth}.png", png_bytes(width, height, 3, depth, image, plte=plte), f"palette {depth}-bit")
        add(f"ct3_{depth}_adam7.png", png_bytes(width, height, 3, depth, image, plte=plte, interlace=True),
            f"palette {depth}-bit, Adam7")
        trns = bytes(rng.randrange(256) for _ in range(max(1, count // 2)))
        add(f"ct3_{depth}_trns.png", png_bytes(width, height, 3, depth, image, plte=plte, trns=trns),
            f"palette {depth}-bit with tRNS")
    # Indexes past the end of a 6-entry PLTE (a spec violation decoders meet in the wild).
    image = make_image(rng, width, height, 1, 8, index_top=40)
    add("ct3_8_short_plte.png", png_bytes(width, height, 3, 8, image, plte=[(200, 10, 30)] * 3 + [(5, 6, 7)] * 3),
        "palette 8-bit, indexes past PLTE")
    for depth in [8, 16]:
        image = make_image(rng, width, height, 1, depth)
        add(f"ct0_{depth}_trns.png", png_bytes(width, height, 0, depth, image, trns=struct.pack(">H", image[0][0][0])),
            f"grey {depth}-bit with tRNS")
        image = make_image(rng, width, height, 3, depth)
        add(f"ct2_{depth}_trns.png", png_bytes(width, height, 2, depth, image, trns=struct.pack(">HHH", *image[0][0])),
            f"RGB {depth}-bit with tRNS")

    # Smooth content for WebP (lossy coding of noise says little) and for APNG.
    def smooth(w, h, alpha=False):
        im = Image.new("RGBA" if alpha else "RGB", (w, h))
        px = im.load()
        for y in range(h):
            for x in range(w):
                rgb = ((x * 255) // (w - 1), (y * 255) // (h - 1), ((x + y) * 7 + rng.randrange(20)) % 256)
                px[x, y] = rgb + (((x * 40) % 256) if x % 5 else 0,) if alpha else rgb
        return im

    with open(os.path.join(OUT, "ct2_8.png"), "rb") as f:
        add("png_named.jpg", f.read(), "PNG named .jpg")

    frames = [smooth(24, 16), smooth(24, 16), smooth(24, 16)]
    buffer = io.BytesIO()
    frames[0].save(buffer, "PNG", save_all=True, append_images=frames[1:], duration=100)
    add("apng.png", buffer.getvalue(), "APNG, default image is frame 0")
    buffer = io.BytesIO()
    frames[0].save(buffer, "PNG", save_all=True, append_images=frames[1:], duration=100, default_image=True)
    add("apng_default_image.png", buffer.getvalue(), "APNG, default image outside the animation")

    for name, im, kwargs in [
        ("lossy.webp", smooth(48, 32), {"quality": 80}),
        ("lossy_alpha.webp", smooth(48, 32, alpha=True), {"quality": 80}),
        ("lossless.webp", smooth(48, 32), {"lossless": True}),
        ("lossless_alpha.webp", smooth(48, 32, alpha=True), {"lossless": True, "exact": True}),
    ]:
        buffer = io.BytesIO()
        im.save(buffer, "WEBP", **kwargs)
        add(name, buffer.getvalue(), name.replace(".webp", "").replace("_", " "))

    # Hostile files.
    def bad(name, data, what):
        path = os.path.join(OUT, name)
        with open(path, "wb") as f:
            f.write(data)
        hostile.append({"file": name, "what": what, "pillow": pillow_outcome(path)})

    good = png_bytes(width, height, 2, 8, make_image(rng, width, height, 3, 8))
    bad("truncated.png", good[: len(good) // 2], "cut in the middle of IDAT")
    bad("truncated_header.png", good[:20], "cut inside IHDR")
    ihdr_end = 8 + 8 + 13
    bad("bad_crc_ihdr.png", good[:ihdr_end] + bytes([good[ihdr_end] ^ 0xFF]) + good[ihdr_end + 1:], "IHDR CRC wrong")
    idat = good.index(b"IDAT")
    length = struct.unpack(">I", good[idat - 4:idat])[0]
    crc_at = idat + 4 + length
    bad("bad_crc_idat.png", good[:crc_at] + bytes([good[crc_at] ^ 0xFF]) + good[crc_at + 1:], "IDAT CRC wrong")
    text = chunk(b"tEXt", b"Comment\x00hello", crc=0)
    image = make_image(rng, width, height, 3, 8)
    bad("bad_crc_text.png", png_bytes(width, height, 2, 8, image, extra=text), "tEXt (ancillary) CRC wrong")
    huge = bytearray(png_bytes(1, 1, 0, 8, [[(0,)]]))
    huge[16:24] = struct.pack(">II", 100_000, 100_000)
    huge[29:33] = struct.pack(">I", zlib.crc32(bytes(huge[12:29])))
    bad("huge_ihdr.png", bytes(huge), "IHDR declares 100000x100000 (valid CRC)")
    # A 64x64 grey image whose IDAT inflates to 16 MiB of zero rows.
    bomb = zlib.compress(bytes(16 * 1024 * 1024), 9)
    bad("zlib_bomb.png", png_bytes(64, 64, 0, 8, [[(0,)] * 64] * 64, idat=bomb), "64x64 IDAT inflating to 16 MiB")
    bad("empty.png", b"", "0 bytes")
    bad("gif_named.png", b"GIF89a\x01\x00\x01\x00\x00\x00\x00;", "a GIF")
    lossy = open(os.path.join(OUT, "lossy.webp"), "rb").read()
    bad("truncated.webp", lossy[: len(lossy) // 2], "lossy WebP cut in half")
    # The lossy-with-alpha file (VP8X + ALPH + VP8) with its VP8X canvas and VP8 frame header both patched to
    # 16383x16383 (268M pixels); the coded data stays that of the 48x32 picture.
    huge = bytearray(open(os.path.join(OUT, "lossy_alpha.webp"), "rb").read())
    assert huge[12:16] == b"VP8X"
    huge[24:27] = (16382).to_bytes(3, "little")
    huge[27:30] = (16382).to_bytes(3, "little")
    vp8 = huge.index(b"VP8 ")
    frame = vp8 + 8  # 3-byte frame tag, 3-byte start code, then 14-bit width and height (2-bit scale above)
    assert huge[frame + 3:frame + 6] == b"\x9d\x01\x2a"
    huge[frame + 6:frame + 10] = struct.pack("<HH", 16383, 16383)
    bad("huge_canvas.webp", bytes(huge), "VP8X canvas and VP8 header declare 16383x16383")

    # What Pillow reads past the image data without complaint: chunks after IDAT are not CRC-checked and the
    # file may end without IEND (or even without the last IDAT's CRC).
    complete = png_bytes(width, height, 2, 8, make_image(rng, width, height, 3, 8))
    iend = complete.rindex(b"IEND") - 4
    add("no_iend.png", complete[:iend], "RGB 8-bit ending after IDAT (no IEND)")
    add("no_idat_crc.png", complete[:iend - 4], "RGB 8-bit ending inside IDAT's CRC")
    add("trailing_bad_crc_text.png", complete[:iend] + chunk(b"tEXt", b"Comment\x00after", crc=0) + complete[iend:],
        "RGB 8-bit, tEXt with a wrong CRC after IDAT")
    # Compressed text inflating to 24 MiB (Pillow refuses text and ICC chunks inflating past 1 MiB).
    ztxt = chunk(b"zTXt", b"Comment\x00\x00" + zlib.compress(bytes(24 << 20), 9))
    bad("ztxt_bomb.png", png_bytes(width, height, 2, 8, make_image(rng, width, height, 3, 8), extra=ztxt),
        "zTXt inflating to 24 MiB")

    # Animated WebP: Pillow gives the first frame (lossy and lossless, with alpha).
    moving = [smooth(40, 24, alpha=True) for _ in range(3)]
    for name, kwargs in [("animated.webp", {"quality": 80}), ("animated_lossless.webp", {"lossless": True})]:
        buffer = io.BytesIO()
        moving[0].save(buffer, "WEBP", save_all=True, append_images=moving[1:], duration=80, **kwargs)
        add(name, buffer.getvalue(), name.replace(".webp", "").replace("_", " ") + ", first frame")
    animated = open(os.path.join(OUT, "animated.webp"), "rb").read()
    bad("truncated_animated.webp", animated[: len(animated) * 2 // 3], "animated WebP cut inside its frames")

    manifest = {"pillow": PIL.__version__, "pillow_libwebp": features.version("webp"), "pictures": entries,
                "hostile": hostile}
    with open(os.path.join(OUT, "pictures.json"), "w") as f:
        json.dump(manifest, f, indent=1)
        f.write("\n")
    print(f"{len(entries)} pictures, {len(hostile)} hostile files in {OUT}", file=sys.stderr)


if __name__ == "__main__":
    main()
