#!/usr/bin/env python3
"""Decode, resize and tokenise a scene dataset (reference format) into one safetensors file that the
Swift trainer (`Sources/Training/PreparedDataset.swift`) reads.

    tools/prepare_training_data.py DATASET OUT.safetensors [--size 64] [--source-size 96] [--context 16]
                                   [--fit center_crop|stretch]

Images follow the reference's evaluation transform (shorter side resized bicubic to SIZE, centre crop), or
with --fit stretch the whole picture resized bicubic to SIZE x SIZE (torchvision Resize((SIZE, SIZE)));
object inputs are a black canvas with the object's box pasted back; relation inputs are the focused-region
files. Global images are also stored at SOURCE-SIZE for train-time random resized crops. Texts use CLIP's
BPE (open_clip's SimpleTokenizer): <|startoftext|> tokens <|endoftext|>, truncated to CONTEXT, padded with
<|endoftext|> (pooling takes the first end-of-text token, so padding never changes an embedding).
Splits come from the records' `split` field (train/val/test) when present, else the reference's seeded
70/10/20 shuffle.
"""
import argparse
import glob
import json
import os
import random

import numpy as np
from PIL import Image
from safetensors.numpy import save_file
from open_clip.tokenizer import SimpleTokenizer

SOT, EOT = 49406, 49407


def resize_center(img, size):
    """torchvision Resize(size, BICUBIC) + CenterCrop(size) on a PIL image, as uint8 HWC."""
    w, h = img.size
    short, long = min(w, h), max(w, h)
    new_long = int(size * long / short)
    nw, nh = (size, new_long) if w <= h else (new_long, size)
    img = img.resize((nw, nh), Image.BICUBIC)
    left, top = int(round((nw - size) / 2.0)), int(round((nh - size) / 2.0))
    return np.asarray(img.crop((left, top, left + size, top + size)), dtype=np.uint8)


def resize_stretch(img, size):
    """torchvision Resize((size, size), BICUBIC) on a PIL image, as uint8 HWC."""
    return np.asarray(img.resize((size, size), Image.BICUBIC), dtype=np.uint8)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("dataset")
    ap.add_argument("out")
    ap.add_argument("--size", type=int, default=64)
    ap.add_argument("--source-size", type=int, default=96)
    ap.add_argument("--context", type=int, default=16)
    ap.add_argument("--seed", type=int, default=42)
    ap.add_argument("--fit", choices=["center_crop", "stretch"], default="center_crop")
    a = ap.parse_args()
    resize = resize_stretch if a.fit == "stretch" else resize_center

    records = []
    for f in sorted(glob.glob(os.path.join(a.dataset, "metadata*.json"))):
        with open(f) as fh:
            records.extend(json.load(fh)["data"])
    with open(os.path.join(a.dataset, "classes.json")) as fh:
        classes = json.load(fh)
    if not records:
        raise SystemExit(f"{a.dataset}: no records in metadata*.json")
    if all("split" in r for r in records):
        names = {"train": 0, "val": 1, "validation": 1, "test": 2}
        split = [names[r["split"]] for r in records]
    else:
        order = list(range(len(records)))
        random.Random(a.seed).shuffle(order)
        n_train, n_test = int(len(records) * 0.7), int(len(records) * 0.2)
        split = [0] * len(records)
        for rank, i in enumerate(order):
            split[i] = 0 if rank < n_train else (2 if rank >= len(records) - n_test else 1)

    tok = SimpleTokenizer()

    def ids(text):
        t = [SOT] + tok.encode(text)[: a.context - 2] + [EOT]
        return t + [EOT] * (a.context - len(t))

    def path(p):
        return p if os.path.isabs(p) else os.path.join(a.dataset, p)

    action_idx = {c: i for i, c in enumerate(classes["actions"])}
    object_idx = {c: i for i, c in enumerate(classes["objects"])}
    relation_idx = {c: i for i, c in enumerate(classes["relations"])}

    ge, gs, op, rp = [], [], [], []
    aid, oid, rid, ops, rps, unseen, ac, oc, rc = [], [], [], [], [], [], [], [], []
    for n, r in enumerate(records):
        img = Image.open(path(r["image_path"])).convert("RGB")
        ge.append(resize(img, a.size))
        gs.append(resize(img, a.source_size))
        aid.append(ids(r["action"]))
        ac.append(action_idx[r["action"]])
        for name, box in r["objects"]:
            box = [int(b) for b in box]
            canvas = Image.new("RGB", img.size, (0, 0, 0))
            canvas.paste(img.crop(box), box)
            op.append(resize(canvas, a.size))
            oid.append(ids(name))
            oc.append(object_idx[name])
        for rel in r["relations"]:
            region, triple = rel[0], rel[1]
            op_img = Image.open(path(region)).convert("RGB")
            rp.append(resize(op_img, a.size))
            text = " ".join(triple)
            rid.append(ids(text))
            rc.append(relation_idx[text])
        ops.append(len(r["objects"]))
        rps.append(len(r["relations"]))
        unseen.append(1 if r.get("unseen", False) else 0)
        if n % 500 == 0:
            print(f"{n}/{len(records)}", flush=True)

    def i32(x):
        return np.asarray(x, dtype=np.int32)

    s = a.size
    tensors = {
        "global_eval": np.stack(ge), "global_source": np.stack(gs),
        "object_pixels": np.stack(op) if op else np.zeros((0, s, s, 3), np.uint8),
        "relation_pixels": np.stack(rp) if rp else np.zeros((0, s, s, 3), np.uint8),
        "action_ids": i32(aid), "object_ids": i32(oid).reshape(-1, a.context),
        "relation_ids": i32(rid).reshape(-1, a.context),
        "objects_per_scene": i32(ops), "relations_per_scene": i32(rps), "split": i32(split), "unseen": i32(unseen),
        "action_class": i32(ac), "object_class": i32(oc), "relation_class": i32(rc),
        "action_class_ids": i32([ids(c) for c in classes["actions"]]),
        "object_class_ids": i32([ids(c) for c in classes["objects"]]),
        "relation_class_ids": i32([ids(c) for c in classes["relations"]]),
    }
    meta = {"image_size": str(s), "source_size": str(a.source_size), "context": str(a.context),
            "classes": json.dumps(classes), "source": os.path.abspath(a.dataset)}
    if a.fit != "center_crop":
        meta["fit"] = a.fit
    save_file(tensors, a.out, metadata=meta)
    print(f"wrote {a.out}: {len(records)} scenes, {len(op)} objects, {len(rp)} relations, "
          f"split counts {[split.count(k) for k in range(3)]}, unseen {sum(unseen)}")


if __name__ == "__main__":
    main()
