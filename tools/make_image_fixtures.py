#!/usr/bin/env python3
"""Writes Tests/ImagingTests/Fixtures: synthetic photo-like JPEGs, bad inputs, and reference outputs.

References come from the reference stack itself:
  * decoded pixels: PIL.Image.open(path).convert("RGB") (and ImageOps.exif_transpose for the EXIF case),
    stored as an FNV-1a 64 hash of the RGB bytes (plus the raw bytes for the tiny image);
  * preprocessing: torchvision Resize(S, BICUBIC) -> CenterCrop(S) -> ToTensor -> Normalize(CLIP mean/std)
    on the PIL image; stored as uint8 [3,S,S] after undoing Normalize and ToTensor (lossless: checked here);
  * object/relation inputs: a black canvas of the image's size with img.crop(box) pasted at (x1, y1),
    boxes truncated with int(), then the same transform.
Run from the package root: python3 tools/make_image_fixtures.py
"""
import io
import json
import os
import shutil
import subprocess
import tempfile

import numpy as np
import torch
from PIL import Image, ImageDraw, ImageFilter, ImageOps
from torchvision import transforms

ROOT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "Tests", "ImagingTests", "Fixtures")
MEAN = (0.48145466, 0.4578275, 0.40821073)
STD = (0.26862954, 0.26130258, 0.27577711)


def fnv1a64(data: bytes) -> str:
    h = 0xCBF29CE484222325
    for b in data:
        h ^= b
        h = (h * 0x100000001B3) & 0xFFFFFFFFFFFFFFFF
    return f"{h:016x}"


def fnv1a64_np(arr: np.ndarray) -> str:
    # vectorised enough for a few hundred KB: plain loop over bytes in chunks
    return fnv1a64(arr.tobytes())


def photo(width, height, seed):
    """A synthetic 'photograph': sky/ground gradients, blurred blobs, hard-edged objects, sensor noise."""
    rng = np.random.default_rng(seed)
    y = np.linspace(0, 1, height)[:, None]
    x = np.linspace(0, 1, width)[None, :]
    horizon = 0.45 + 0.1 * np.sin(6 * x + seed)
    z = 0 * x + 0 * y  # broadcast every channel to [height, width]
    sky = np.stack([z + 90 + 80 * y + 30 * x, z + 140 + 60 * y, z + 220 - 40 * y], -1)
    ground = np.stack([z + 70 + 60 * (1 - y) + 20 * x, z + 110 + 40 * x, z + 40 + 20 * y], -1)
    img = np.where((y < horizon)[..., None], sky, ground).astype(np.float64)
    pil = Image.fromarray(np.clip(img, 0, 255).astype(np.uint8))
    draw = ImageDraw.Draw(pil)
    for _ in range(6):
        cx, cy = rng.integers(0, width), rng.integers(0, height)
        r = int(rng.integers(2, max(3, min(width, height) // 3)))
        colour = tuple(int(v) for v in rng.integers(0, 256, 3))
        draw.ellipse([cx - r, cy - r, cx + r, cy + r], fill=colour)
    pil = pil.filter(ImageFilter.GaussianBlur(radius=max(1, min(width, height) / 60)))
    draw = ImageDraw.Draw(pil)
    for _ in range(5):  # sharp-edged 'objects' after the blur
        x1, y1 = int(rng.integers(0, width)), int(rng.integers(0, height))
        x2 = min(width, x1 + int(rng.integers(1, max(2, width // 3))))
        y2 = min(height, y1 + int(rng.integers(1, max(2, height // 3))))
        colour = tuple(int(v) for v in rng.integers(0, 256, 3))
        draw.rectangle([x1, y1, x2, y2], fill=colour, outline=(255, 255, 255))
    arr = np.asarray(pil).astype(np.float64)
    arr += rng.normal(0, 6, arr.shape)  # sensor noise
    return Image.fromarray(np.clip(arr, 0, 255).astype(np.uint8))


def exif_with_orientation(value):
    exif = Image.Exif()
    exif[0x0112] = value
    return exif.tobytes()


def write_ycck(cmyk, path):
    """Compiles and runs tools/write_ycck_jpeg.c on the image's Adobe-inverted CMYK bytes."""
    here = os.path.dirname(os.path.abspath(__file__))
    with tempfile.TemporaryDirectory() as tmp:
        exe = os.path.join(tmp, "write_ycck_jpeg")
        subprocess.run(["cc", "-O1", "-o", exe, os.path.join(here, "write_ycck_jpeg.c"), "-ljpeg"], check=True)
        raw = os.path.join(tmp, "in.raw")
        (255 - np.asarray(cmyk)).astype(np.uint8).tofile(raw)  # PIL stores CMYK JPEGs inverted ("CMYK;I")
        subprocess.run([exe, str(cmyk.size[0]), str(cmyk.size[1]), raw, path], check=True)


def reference_u8(pil_rgb, size):
    pipeline = transforms.Compose([
        transforms.Resize(size, interpolation=transforms.InterpolationMode.BICUBIC),
        transforms.CenterCrop(size),
        transforms.ToTensor(),
        transforms.Normalize(MEAN, STD),
    ])
    t = pipeline(pil_rgb)
    assert tuple(t.shape) == (3, size, size), t.shape
    mean = torch.tensor(MEAN)[:, None, None]
    std = torch.tensor(STD)[:, None, None]
    unit = t * std + mean
    u8 = torch.round(unit * 255).clamp(0, 255).to(torch.uint8)
    assert (unit * 255 - u8.float()).abs().max().item() < 1e-3  # the uint8 form is lossless
    # Cross-check against PIL directly (resize + crop on the PIL image).
    w, h = pil_rgb.size
    if w <= h:
        nw, nh = size, int(size * h / w)
    else:
        nw, nh = int(size * w / h), size
    resized = pil_rgb.resize((nw, nh), Image.BICUBIC) if (nw, nh) != (w, h) else pil_rgb
    top = int(round((nh - size) / 2.0))
    left = int(round((nw - size) / 2.0))
    direct = np.asarray(resized.crop((left, top, left + size, top + size))).transpose(2, 0, 1)
    assert np.array_equal(direct, u8.numpy()), "torchvision and direct PIL disagree"
    return u8.numpy()


def reference_stretch_u8(pil_rgb, size):
    """torchvision Resize((size, size), BICUBIC) -> ToTensor -> Normalize, back to uint8 (the stretch fit)."""
    pipeline = transforms.Compose([
        transforms.Resize((size, size), interpolation=transforms.InterpolationMode.BICUBIC),
        transforms.ToTensor(),
        transforms.Normalize(MEAN, STD),
    ])
    t = pipeline(pil_rgb)
    assert tuple(t.shape) == (3, size, size), t.shape
    unit = t * torch.tensor(STD)[:, None, None] + torch.tensor(MEAN)[:, None, None]
    u8 = torch.round(unit * 255).clamp(0, 255).to(torch.uint8)
    assert (unit * 255 - u8.float()).abs().max().item() < 1e-3
    direct = np.asarray(pil_rgb.resize((size, size), Image.BICUBIC)).transpose(2, 0, 1)
    assert np.array_equal(direct, u8.numpy()), "torchvision and direct PIL disagree (stretch)"
    return u8.numpy()


def black_canvas(pil_rgb, box):
    x1, y1, x2, y2 = (int(v) for v in box)
    canvas = Image.new("RGB", pil_rgb.size, (0, 0, 0))
    canvas.paste(pil_rgb.crop((x1, y1, x2, y2)), (x1, y1))
    return canvas


def main():
    if os.path.isdir(ROOT):
        shutil.rmtree(ROOT)
    os.makedirs(os.path.join(ROOT, "images"))
    os.makedirs(os.path.join(ROOT, "bad"))
    os.makedirs(os.path.join(ROOT, "expected"))

    # (name, size, mode, save kwargs)
    specs = [
        ("landscape", (320, 213), "RGB", dict(quality=90)),
        ("portrait", (180, 301), "RGB", dict(quality=85, subsampling=0)),  # 4:4:4
        ("tiny", (7, 5), "RGB", dict(quality=95)),
        ("large", (1024, 683), "RGB", dict(quality=80, progressive=True)),
        ("wide422", (250, 97), "RGB", dict(quality=88, subsampling=1)),  # 4:2:2, extreme aspect
        ("grey", (240, 161), "L", dict(quality=90)),
        ("cmyk", (160, 119), "CMYK", dict(quality=92)),
        ("exif", (200, 120), "RGB", dict(quality=90, exif=exif_with_orientation(6))),
    ]
    specs.append(("ycck", (96, 72), "CMYK", None))  # written by tools/write_ycck_jpeg.c (PIL cannot)
    # Taller than 2:1 and shrunk: Pillow >= 13 resizes vertically first (python-pillow/Pillow#9549).
    specs.append(("tall", (260, 700), "RGB", dict(quality=90)))
    manifest = {"images": [], "preprocess": [], "crops": [], "mean": MEAN, "std": STD}
    pils = {}
    for i, (name, size, mode, kwargs) in enumerate(specs):
        base = photo(size[0], size[1], seed=11 + i)
        if mode == "L":
            base = base.convert("L")
        elif mode == "CMYK":
            base = base.convert("CMYK")
        path = os.path.join(ROOT, "images", f"{name}.jpg")
        if kwargs is None:
            write_ycck(base, path)
        else:
            base.save(path, "JPEG", **kwargs)
        with Image.open(path) as opened:
            assert opened.mode == mode, (name, opened.mode)
            rgb = opened.convert("RGB")
            transposed = ImageOps.exif_transpose(opened).convert("RGB")
        arr = np.asarray(rgb)
        entry = {
            "file": f"images/{name}.jpg", "width": rgb.size[0], "height": rgb.size[1], "mode": mode,
            "rgb_fnv1a64": fnv1a64_np(arr),
            "upright_width": transposed.size[0], "upright_height": transposed.size[1],
            "upright_rgb_fnv1a64": fnv1a64_np(np.asarray(transposed)),
        }
        if arr.size <= 4096:
            raw = f"expected/{name}.rgb"
            arr.tofile(os.path.join(ROOT, raw))
            entry["rgb_raw"] = raw
        manifest["images"].append(entry)
        pils[name] = rgb

    for name in [s[0] for s in specs]:
        for size in (224, 64):
            if size == 224 and name in ("wide422", "ycck"):
                continue
            u8 = reference_u8(pils[name], size)
            out = f"expected/{name}_full_{size}.u8"
            u8.tofile(os.path.join(ROOT, out))
            manifest["preprocess"].append({"image": f"images/{name}.jpg", "size": size, "expected": out})

    # Black-canvas crops: object boxes (float, truncated), a box reaching outside, a tiny box, and a
    # relation union box.
    crops = [
        ("landscape", "object", [[10.7, 20.2, 150.9, 130.5]], 224),
        ("landscape", "object", [[-20.0, 50.0, 9999.0, 180.0]], 64),
        ("portrait", "object", [[100.0, 250.9, 103.2, 252.1]], 224),
        ("large", "relation", [[40.5, 300.0, 400.0, 650.2], [600.0, 100.0, 900.0, 380.0]], 224),
        ("grey", "object", [[30, 40, 200, 120]], 64),
        ("tiny", "object", [[1, 1, 5, 4]], 64),
        ("tall", "object", [[30.5, 100.2, 200.9, 650.0]], 224),
    ]
    for k, (name, kind, boxes, size) in enumerate(crops):
        ints = [[int(v) for v in b] for b in boxes]
        if kind == "relation":
            u = [min(b[0] for b in ints), min(b[1] for b in ints), max(b[2] for b in ints), max(b[3] for b in ints)]
        else:
            u = ints[0]
        canvas = black_canvas(pils[name], u)
        u8 = reference_u8(canvas, size)
        out = f"expected/{name}_{kind}{k}_{size}.u8"
        u8.tofile(os.path.join(ROOT, out))
        manifest["crops"].append({"image": f"images/{name}.jpg", "kind": kind, "boxes": boxes, "size": size,
                                  "expected": out})

    # The stretch fit: the whole picture (or an object's black canvas) resized to size x size, aspect not kept.
    manifest["stretch"] = []
    for name, box, size in [("landscape", None, 64), ("portrait", None, 224), ("tall", None, 64), ("large", None, 224),
                            ("tiny", None, 64), ("wide422", None, 64), ("exif", None, 64),
                            ("landscape", [10.7, 20.2, 150.9, 130.5], 64), ("large", [600.0, 100.0, 900.0, 380.0], 224)]:
        image = pils[name] if box is None else black_canvas(pils[name], [int(v) for v in box])
        out = f"expected/{name}_stretch{'_object' if box else ''}_{size}.u8"
        reference_stretch_u8(image, size).tofile(os.path.join(ROOT, out))
        manifest["stretch"].append({"image": f"images/{name}.jpg", "box": box, "size": size, "expected": out})

    # Plain resizes to arbitrary sizes (thumbnails), down and up: PIL Image.resize(BICUBIC), raw RGB.
    manifest["resizes"] = []
    # The extra sizes exercise the SIMD resampler's branches: many taps (large downscale), odd widths,
    # windows wider than a tiny source row, one-axis resizes.
    for name, (w, h) in [("landscape", (100, 37)), ("landscape", (150, 213)), ("tiny", (20, 30)), ("cmyk", (160, 60)),
                         ("large", (37, 29)), ("large", (225, 149)), ("tiny", (3, 2)), ("tiny", (301, 5)),
                         ("wide422", (17, 97)), ("portrait", (181, 45)), ("tall", (250, 300)), ("tall", (37, 41))]:
        out = f"expected/{name}_resize_{w}x{h}.rgb"
        np.asarray(pils[name].resize((w, h), Image.BICUBIC)).tofile(os.path.join(ROOT, out))
        manifest["resizes"].append({"image": f"images/{name}.jpg", "width": w, "height": h, "expected": out})

    # Bad inputs.
    bad = os.path.join(ROOT, "bad")
    open(os.path.join(bad, "empty.jpg"), "wb").close()
    good = open(os.path.join(ROOT, "images", "landscape.jpg"), "rb").read()
    open(os.path.join(bad, "truncated.jpg"), "wb").write(good[: len(good) // 2])
    rng = np.random.default_rng(7)
    open(os.path.join(bad, "random.jpg"), "wb").write(rng.integers(0, 256, 2000, dtype=np.uint8).tobytes())
    png = io.BytesIO()
    photo(16, 12, seed=3).save(png, "PNG")
    open(os.path.join(bad, "png_renamed.jpg"), "wb").write(png.getvalue())
    # A valid tiny JPEG whose SOF declares 50000 x 50000 (2.5 G pixels).
    tiny = bytearray(open(os.path.join(ROOT, "images", "tiny.jpg"), "rb").read())
    sof = tiny.index(b"\xff\xc0")
    tiny[sof + 5: sof + 9] = (50000).to_bytes(2, "big") + (50000).to_bytes(2, "big")
    open(os.path.join(bad, "huge_declared.jpg"), "wb").write(bytes(tiny))
    # PIL agrees these are bad.
    for f in ("truncated.jpg", "random.jpg", "png_renamed.jpg", "huge_declared.jpg"):
        try:
            with Image.open(os.path.join(bad, f)) as im:
                if im.format != "JPEG":
                    raise ValueError("not JPEG")
                im.load()
            raise SystemExit(f"PIL decoded bad input {f}")
        except SystemExit:
            raise
        except Exception:
            pass

    with open(os.path.join(ROOT, "manifest.json"), "w") as fh:
        json.dump(manifest, fh, indent=1)
    total = sum(os.path.getsize(os.path.join(d, f)) for d, _, fs in os.walk(ROOT) for f in fs)
    print(f"wrote {ROOT}: {total / 1024:.0f} KiB")


if __name__ == "__main__":
    main()
