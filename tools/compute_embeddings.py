#!/usr/bin/env python3
"""Compute ScenarioCLIP image embeddings with PyTorch, for `scenarioclip import`.

Embedding a large dataset on a laptop CPU takes days; this script runs the reference model (Hugging Face CLIP
vision towers + Linear/LayerNorm heads, as github.com/scenario-clip/ScenarioCLIP defines them) on any device and
writes shards that `scenarioclip import DATASET --model CKPT --shard FILES...` loads into the embedding cache.

  python3 tools/compute_embeddings.py DATASET CKPT OUT_DIR [--shard I/N] [--device cuda] [--batch-size 64]

Shard I of N covers the scenes whose record id (integers as decimal text) hashes to I: the first 8 bytes of the
SHA-256 of the id's UTF-8 text, big-endian, modulo N — the assignment of `scenarioclip index --shard I/N` — so N
machines or GPUs can each run one shard, and adding scenes moves no other scene between shards. Items and their keys
are built exactly as the Swift indexer builds them:
  global    image:<sha256 of the image file>                     whole image
  object    crop:<sha256>:x1,y1,x2,y2  (box truncated to ints)    black canvas with only the box kept
  relation  region:<sha256 of the focused-region file>            that file
            crop:<sha256>:x1,y1,x2,y2  (union of subject/object)  when the record names no region file
Preprocessing is the reference evaluation transform: Resize(S, bicubic) on the shorter side, CenterCrop(S),
ToTensor, Normalize(CLIP mean/std).

CKPT: a Lightning .ckpt (`state_dict` with `model.` prefixes), a plain .pt state dict (e.g. *_ema_teacher.pt), or a
ScenarioCLIP .safetensors export. Tower configs are inferred from tensor shapes with 64-wide attention heads
(ViT-B/32: 12 heads), as the Swift loader does; override with --vision-heads.
"""
import argparse
import hashlib
import json
import os
import sys

import torch
from PIL import Image
from torchvision import transforms
from transformers import CLIPVisionConfig, CLIPVisionModel

MEAN = (0.48145466, 0.4578275, 0.40821073)
STD = (0.26862954, 0.26130258, 0.27577711)
LEVELS = ("global", "object", "relation")


def sha256(path, memo={}):
    if path not in memo:
        h = hashlib.sha256()
        with open(path, "rb") as f:
            for chunk in iter(lambda: f.read(1 << 20), b""):
                h.update(chunk)
        memo[path] = h.hexdigest()
    return memo[path]


def load_state_dict(path):
    if path.endswith(".safetensors"):
        from safetensors.torch import load_file
        return load_file(path)
    obj = torch.load(path, map_location="cpu", weights_only=True)
    return obj.get("state_dict", obj) if isinstance(obj, dict) else obj


def tower_prefixes(sd):
    """Maps level -> (vision tower prefix, projection prefix, norm prefix)."""
    keys = list(sd.keys())
    strip = "model." if any(k.startswith("model.") for k in keys) else ""
    has = lambda p: any(k.startswith(strip + p) for k in keys)
    if has("global_visual_encoder."):
        return {lvl: (f"{strip}{lvl}_visual_encoder.", f"{strip}{lvl}_image_projection.", f"{strip}{lvl}_image_norm.")
                for lvl in LEVELS}
    if has("visual_encoder."):
        shared = (f"{strip}visual_encoder.", f"{strip}image_projection.", f"{strip}image_norm.")
        return {lvl: shared for lvl in LEVELS}
    sys.exit("checkpoint holds neither a three-level nor a one-level ScenarioCLIP model")


def vision_config(sd, prefix, heads):
    p = prefix + "vision_model."
    patch = sd[p + "embeddings.patch_embedding.weight"]
    hidden, _, patch_size, _ = patch.shape
    positions = sd[p + "embeddings.position_embedding.weight"].shape[0]
    grid = int(round((positions - 1) ** 0.5))
    layers = 1 + max(int(k[len(p + "encoder.layers."):].split(".")[0]) for k in sd if k.startswith(p + "encoder.layers."))
    intermediate = sd[p + "encoder.layers.0.mlp.fc1.weight"].shape[0]
    return CLIPVisionConfig(hidden_size=hidden, intermediate_size=intermediate, num_hidden_layers=layers,
                            num_attention_heads=heads or max(1, hidden // 64), image_size=grid * patch_size,
                            patch_size=patch_size, hidden_act="quick_gelu", layer_norm_eps=1e-5)


class LevelEncoder(torch.nn.Module):
    """Vision tower -> pooler_output -> Linear(hidden, 512) -> LayerNorm(512), as the reference's encode_image."""

    def __init__(self, sd, prefixes, heads):
        super().__init__()
        tower, proj, norm = prefixes
        self.config = vision_config(sd, tower, heads)
        self.tower = CLIPVisionModel(self.config)
        self.tower.load_state_dict({k[len(tower):]: v for k, v in sd.items() if k.startswith(tower)}, strict=True)
        w = sd[proj + "weight"]
        self.proj = torch.nn.Linear(w.shape[1], w.shape[0])
        self.proj.load_state_dict({"weight": w, "bias": sd[proj + "bias"]})
        self.norm = torch.nn.LayerNorm(w.shape[0])
        self.norm.load_state_dict({"weight": sd[norm + "weight"], "bias": sd[norm + "bias"]})

    def forward(self, pixels):
        return self.norm(self.proj(self.tower(pixel_values=pixels).pooler_output))


def shard_of(record_id, count):
    """The shard (of count) of a scene: SHA-256 of its id's text, first 8 bytes big-endian, modulo count."""
    text = record_id if isinstance(record_id, str) else str(int(record_id))
    return int.from_bytes(hashlib.sha256(text.encode("utf-8")).digest()[:8], "big") % count


def records_of(dataset):
    files = sorted(f for f in os.listdir(dataset) if f.startswith("metadata") and f.endswith(".json"))
    out = []
    for name in files:
        with open(os.path.join(dataset, name)) as f:
            for record in json.load(f)["data"]:
                out.append(record)
    return out


def resolve(dataset, path):
    return path if os.path.isabs(path) else os.path.join(dataset, path)


def box_of(values):
    return [int(v) for v in values]


def canvas(image, box):
    """Black canvas of the image's size with only `box` (clamped) pasted back."""
    w, h = image.size
    x1, y1, x2, y2 = max(0, min(box[0], w)), max(0, min(box[1], h)), max(0, min(box[2], w)), max(0, min(box[3], h))
    out = Image.new("RGB", image.size)
    if x2 > x1 and y2 > y1:
        out.paste(image.crop((x1, y1, x2, y2)), (x1, y1))
    return out


def items_of(dataset, record):
    """(level, key, loader) for every item of a record, as the Swift SceneItem builds them."""
    image_path = resolve(dataset, record["image_path"])
    image_hash = sha256(image_path)
    items = [("global", f"image:{image_hash}", lambda: Image.open(image_path).convert("RGB"))]
    boxes = {}
    for name, values in record.get("objects", []):
        b = box_of(values)
        boxes.setdefault(name, b)
        items.append(("object", f"crop:{image_hash}:{b[0]},{b[1]},{b[2]},{b[3]}",
                      lambda b=b: canvas(Image.open(image_path).convert("RGB"), b)))
    for entry in record.get("relations", []):
        region, (subject, _, obj) = entry[0], entry[1]
        if region:
            path = resolve(dataset, region)
            items.append(("relation", f"region:{sha256(path)}", lambda path=path: Image.open(path).convert("RGB")))
        elif subject in boxes and obj in boxes:
            s, o = boxes[subject], boxes[obj]
            u = [min(s[0], o[0]), min(s[1], o[1]), max(s[2], o[2]), max(s[3], o[3])]
            items.append(("relation", f"crop:{image_hash}:{u[0]},{u[1]},{u[2]},{u[3]}",
                          lambda u=u: canvas(Image.open(image_path).convert("RGB"), u)))
    return items


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("dataset")
    parser.add_argument("checkpoint")
    parser.add_argument("out_dir")
    parser.add_argument("--shard", default="0/1", help="I/N: this process's share of the scenes")
    parser.add_argument("--device", default="cpu")
    parser.add_argument("--batch-size", type=int, default=64)
    parser.add_argument("--vision-heads", type=int, default=None)
    args = parser.parse_args()

    index, count = (int(x) for x in args.shard.split("/"))
    records = records_of(args.dataset)
    if not 0 <= index < count:
        sys.exit(f"--shard {args.shard}: need 0 <= I < N")
    records = [r for r in records if shard_of(r["id"], count) == index]
    sd = load_state_dict(args.checkpoint)
    prefixes = tower_prefixes(sd)
    encoders = {lvl: LevelEncoder(sd, prefixes[lvl], args.vision_heads).to(args.device).eval() for lvl in LEVELS}
    size = encoders["global"].config.image_size
    transform = transforms.Compose([
        transforms.Resize(size, interpolation=transforms.InterpolationMode.BICUBIC),
        transforms.CenterCrop(size), transforms.ToTensor(), transforms.Normalize(MEAN, STD)])

    pending = {lvl: {} for lvl in LEVELS}  # level -> key -> loader (deduplicated, first occurrence wins)
    for record in records:
        for level, key, loader in items_of(args.dataset, record):
            pending[level].setdefault(key, loader)

    tensors, metadata = {}, {"format": "scenarioclip-embeddings", "version": "1",
                             "checkpoint_sha256": sha256(args.checkpoint),
                             "scenes": f"shard {index}/{count}", "dataset": os.path.abspath(args.dataset)}
    with torch.no_grad():
        for level in LEVELS:
            keys = list(pending[level])
            rows = []
            for start in range(0, len(keys), args.batch_size):
                batch = torch.stack([transform(pending[level][k]()) for k in keys[start:start + args.batch_size]])
                rows.append(encoders[level](batch.to(args.device)).float().cpu())
                print(f"{level}: {min(start + args.batch_size, len(keys))}/{len(keys)}", file=sys.stderr)
            if keys:
                tensors[level] = torch.cat(rows).contiguous()
                metadata[f"keys.{level}"] = json.dumps(keys)
    os.makedirs(args.out_dir, exist_ok=True)
    out = os.path.join(args.out_dir, f"embeddings-{index:04d}-of-{count:04d}.safetensors")
    from safetensors.torch import save_file
    save_file(tensors, out, metadata=metadata)
    print(out)


if __name__ == "__main__":
    main()
