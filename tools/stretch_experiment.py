#!/usr/bin/env python3
"""The two steps of the bundled model's stage 9, taken before `scenarioclip train --fit stretch` existed.

    tools/stretch_experiment.py dataset SRC DST     # copy a scene dataset with its pictures stretched
    tools/stretch_experiment.py mark-model IN OUT   # copy an exported model, marking it `fit: stretch`

`dataset`: every picture of a generated dataset (256x192 scenes and their focused regions) resized to 192x192
with PIL bicubic (JPEG quality 95) and every object box's x scaled by 0.75, so that CLIP's centre crop of the copy
is the whole scene squeezed to a square. Only for 4:3 datasets (what `scenarioclip generate --size 256x192`
writes). `--fit stretch` does the same in one resampling, without the JPEG re-encoding.

`mark-model`: the model trained on such a copy was exported as a centre-crop model; this copy of it says
`"fit": "stretch"` in its `preprocess` metadata, so the tool stretches the original pictures for it.
"""
import json
import os
import sys
from concurrent.futures import ProcessPoolExecutor

from PIL import Image


def stretch_file(job):
    src, dst = job
    image = Image.open(src)
    if image.size != (256, 192):
        raise SystemExit(f"{src}: {image.size[0]}x{image.size[1]}, not 256x192")
    image.convert("RGB").resize((192, 192), Image.BICUBIC).save(dst, quality=95)


def dataset(src, dst):
    jobs = []
    for sub in ["images", "regions"]:
        os.makedirs(os.path.join(dst, sub), exist_ok=True)
        jobs += [(os.path.join(src, sub, f), os.path.join(dst, sub, f)) for f in os.listdir(os.path.join(src, sub))]
    with ProcessPoolExecutor(2) as pool:
        list(pool.map(stretch_file, jobs, chunksize=256))
    with open(os.path.join(src, "metadata.json")) as fh:
        meta = json.load(fh)
    for record in meta["data"]:
        boxes = []
        for name, (x1, y1, x2, y2) in record["objects"]:
            nx1 = round(x1 * 0.75)
            boxes.append([name, [nx1, y1, max(round(x2 * 0.75), nx1 + 1), y2]])
        record["objects"] = boxes
    with open(os.path.join(dst, "metadata.json"), "w") as fh:
        json.dump(meta, fh)
    with open(os.path.join(src, "classes.json")) as a, open(os.path.join(dst, "classes.json"), "w") as b:
        b.write(a.read())


def mark_model(src, dst):
    from safetensors import safe_open
    from safetensors.numpy import save_file

    with safe_open(src, "np") as f:
        meta = f.metadata()
        tensors = {k: f.get_tensor(k) for k in f.keys()}
    preprocess = json.loads(meta["preprocess"])
    preprocess["fit"] = "stretch"
    meta["preprocess"] = json.dumps(preprocess, sort_keys=True, separators=(",", ":"))
    save_file(tensors, dst, metadata=meta)


if __name__ == "__main__":
    if len(sys.argv) != 4 or sys.argv[1] not in ("dataset", "mark-model"):
        raise SystemExit(__doc__)
    (dataset if sys.argv[1] == "dataset" else mark_model)(sys.argv[2], sys.argv[3])
