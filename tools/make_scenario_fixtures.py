#!/usr/bin/env python3
"""Parity fixtures for the Weights (PyTorch checkpoint reader/writer) and ScenarioModel tests.

Usage (from the repository root):
  python3 tools/make_scenario_fixtures.py weights   # Tests/WeightsTests/Fixtures/torch_*
  python3 tools/make_scenario_fixtures.py models    # Tests/ScenarioModelTests/Fixtures/*
  python3 tools/make_scenario_fixtures.py verify FILE.pt [--out RESULT.json]
      # loads a Swift-exported state dict with torch.load(weights_only=True) into the reference
      # ThreeLevelCLIP (load_state_dict(strict=True)) and compares its embeddings with the fixtures.

The tiny models are built the way the reference (github.com/scenario-clip/ScenarioCLIP, models/backbone.py)
defines them: Hugging Face CLIPVisionModel / CLIPTextModel towers (transformers 4.44, which keeps the inner
`vision_model.` / `text_model.` level) with Linear(hidden, 512) + LayerNorm(512) heads per level.
Outputs are deterministic (fixed seeds).
"""
import argparse
import collections
import io
import json
import os
import sys
import zipfile

import torch

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
WEIGHTS_FIXTURES = os.path.join(ROOT, "Tests", "WeightsTests", "Fixtures")
MODEL_FIXTURES = os.path.join(ROOT, "Tests", "ScenarioModelTests", "Fixtures")


# --------------------------------------------------------------------------------------------
# Weights fixtures: PyTorch features the reader must handle, and files it must refuse.

class Evil:
    """Pickles as a call to os.system: the reader must refuse it without running anything."""

    def __reduce__(self):
        return (os.system, ("echo this must never run",))


class UserClass:
    """An arbitrary user class: an unexpected global."""

    def __init__(self):
        self.value = 1


def flat(t):
    return [float(x) for x in t.detach().to(torch.float64).reshape(-1).tolist()]


def rezip_with_top(src, dst, top):
    """Rewrites a torch zip with another top folder name (stored, unaligned entries)."""
    with zipfile.ZipFile(src) as zin, zipfile.ZipFile(dst, "w", zipfile.ZIP_STORED) as zout:
        for info in zin.infolist():
            rest = info.filename.split("/", 1)[1]
            zout.writestr(top + "/" + rest, zin.read(info.filename))


def make_weights():
    os.makedirs(WEIGHTS_FIXTURES, exist_ok=True)
    torch.manual_seed(0)
    base = torch.arange(24, dtype=torch.float32).reshape(4, 6) / 7.0
    shared = torch.randn(10)
    sd = collections.OrderedDict()
    sd["layer.weight"] = torch.randn(3, 4)
    sd["layer.bias"] = torch.randn(3)
    sd["half"] = torch.randn(2, 5).to(torch.float16)
    sd["bf16"] = torch.randn(3, 2).to(torch.bfloat16)
    sd["double"] = torch.randn(4).to(torch.float64)
    sd["long"] = torch.tensor([1, -2, 300], dtype=torch.int64)
    sd["transposed"] = base.t()  # non-contiguous view (strides 1, 6)
    sd["slice"] = shared[3:7]  # storage offset 3 into a 10-element storage
    sd["slice_again"] = shared[5:9].view(2, 2)  # same storage, offset 5
    sd["scalar"] = torch.tensor(2.5)
    sd["empty"] = torch.zeros(0, 3)
    path = os.path.join(WEIGHTS_FIXTURES, "torch_plain.pt")
    torch.save(sd, path)
    expected = {k: {"shape": list(v.shape), "values": flat(v)} for k, v in sd.items()}

    # Another top folder name, unaligned entries (Python's zipfile does not pad).
    rezip_with_top(path, os.path.join(WEIGHTS_FIXTURES, "torch_renamed_top.pt"), "my_model")

    # A Lightning-style checkpoint (what Trainer.save_checkpoint writes), with an EMA blob.
    model = torch.nn.Sequential(torch.nn.Linear(4, 3), torch.nn.LayerNorm(3))
    opt = torch.optim.AdamW(model.parameters(), lr=1e-3, betas=(0.9, 0.999))
    model(torch.randn(2, 4)).sum().backward()
    opt.step()
    sched = torch.optim.lr_scheduler.LinearLR(opt, start_factor=1e-3, total_iters=10)
    state = collections.OrderedDict(("model." + k, v) for k, v in model.state_dict().items())
    state["global_loss.logit_scale"] = torch.tensor(2.6592)
    ckpt = {
        "epoch": 3,
        "global_step": 1234,
        "pytorch-lightning_version": "2.4.0",
        "state_dict": state,
        "loops": {"fit_loop": {"state_dict": {}, "epoch_progress": {"total": {"ready": 4, "completed": 3}}}},
        "callbacks": {"ModelCheckpoint{'monitor': 'val_loss', 'mode': 'min'}": {
            "best_model_score": torch.tensor(0.25), "best_model_path": "/runs/x.ckpt",
            "best_k_models": {"/runs/x.ckpt": torch.tensor(0.25)}}},
        "optimizer_states": [opt.state_dict()],
        "lr_schedulers": [sched.state_dict()],
        "hparams_name": "kwargs",
        "hyper_parameters": {"lr": 2e-5, "vision_model_name": "openai/clip-vit-base-patch32",
                             "args": argparse.Namespace(batch_size=128, tags={"a", "b"}, note=b"bytes"),
                             "betas": (0.9, 0.999)},
        "ema": {"teacher_state": collections.OrderedDict((k, v * 0.5) for k, v in model.state_dict().items()),
                "steps": 10, "decay": 0.9995, "warmup_steps": 2000},
    }
    ckpt_path = os.path.join(WEIGHTS_FIXTURES, "torch_lightning.ckpt")
    torch.save(ckpt, ckpt_path)
    expected_ckpt = {
        "state_dict": {k: {"shape": list(v.shape), "values": flat(v)} for k, v in state.items()},
        "ema": {k: {"shape": list(v.shape), "values": flat(v)} for k, v in ckpt["ema"]["teacher_state"].items()},
        "epoch": 3, "global_step": 1234,
    }

    # Files that must be refused.
    torch.save({"w": torch.zeros(2), "payload": Evil()}, os.path.join(WEIGHTS_FIXTURES, "torch_evil_os_system.pt"))
    torch.save({"w": torch.zeros(2), "obj": UserClass()}, os.path.join(WEIGHTS_FIXTURES, "torch_user_class.pt"))

    with open(os.path.join(WEIGHTS_FIXTURES, "torch_expected.json"), "w") as f:
        json.dump({"plain": expected, "lightning": expected_ckpt}, f, indent=1)
    print("weights fixtures written to", WEIGHTS_FIXTURES)


# --------------------------------------------------------------------------------------------
# Model fixtures: tiny ThreeLevelCLIP / OneLevelCLIP exactly as the reference's models/backbone.py
# builds them (towers from configs instead of from_pretrained, so they are tiny and random).

TINY_VOCAB = 256
BOS, EOS = TINY_VOCAB - 2, TINY_VOCAB - 1  # EOS is the largest id: legacy argmax pooling finds it
CONTEXT = 12
TEXTS = ["person holding a cup", "cup", "person holding cup", "a dog running on the grass near a tree"]


def tiny_configs(hidden, heads, layers, intermediate):
    from transformers import CLIPTextConfig, CLIPVisionConfig
    vision = CLIPVisionConfig(hidden_size=hidden, intermediate_size=intermediate, num_hidden_layers=layers,
                              num_attention_heads=heads, image_size=32, patch_size=8, hidden_act="quick_gelu")
    # eos_token_id 2 is the legacy value openai/clip-vit-base-patch32 ships: pooling takes argmax(input_ids).
    text = CLIPTextConfig(hidden_size=hidden, intermediate_size=intermediate, num_hidden_layers=layers,
                          num_attention_heads=heads, vocab_size=TINY_VOCAB, max_position_embeddings=CONTEXT,
                          hidden_act="quick_gelu", eos_token_id=2, bos_token_id=0, pad_token_id=1)
    return vision, text


class ThreeLevelCLIP(torch.nn.Module):
    """The reference's ThreeLevelCLIP (models/backbone.py) with towers built from tiny configs."""

    def __init__(self, vision_config, text_config):
        super().__init__()
        from transformers import CLIPTextModel, CLIPVisionModel
        for level in ("global", "object", "relation"):
            v = CLIPVisionModel(vision_config)
            t = CLIPTextModel(text_config)
            setattr(self, f"{level}_visual_encoder", v)
            setattr(self, f"{level}_text_encoder", t)
            setattr(self, f"{level}_image_projection", torch.nn.Linear(v.config.hidden_size, 512))
            setattr(self, f"{level}_text_projection", torch.nn.Linear(t.config.hidden_size, 512))
            setattr(self, f"{level}_image_norm", torch.nn.LayerNorm(512))
            setattr(self, f"{level}_text_norm", torch.nn.LayerNorm(512))

    def encode_image(self, level, pixels):
        x = getattr(self, f"{level}_visual_encoder")(pixel_values=pixels).pooler_output
        return getattr(self, f"{level}_image_norm")(getattr(self, f"{level}_image_projection")(x))

    def encode_text(self, level, ids):
        x = getattr(self, f"{level}_text_encoder")(input_ids=ids).pooler_output
        return getattr(self, f"{level}_text_norm")(getattr(self, f"{level}_text_projection")(x))


class OneLevelCLIP(torch.nn.Module):
    """The reference's OneLevelCLIP (PyramidCLIP stand-in): one pair of towers for every level."""

    def __init__(self, vision_config, text_config):
        super().__init__()
        from transformers import CLIPTextModel, CLIPVisionModel
        self.visual_encoder = CLIPVisionModel(vision_config)
        self.text_encoder = CLIPTextModel(text_config)
        self.image_projection = torch.nn.Linear(self.visual_encoder.config.hidden_size, 512)
        self.text_projection = torch.nn.Linear(self.text_encoder.config.hidden_size, 512)
        self.image_norm = torch.nn.LayerNorm(512)
        self.text_norm = torch.nn.LayerNorm(512)

    def encode_image(self, level, pixels):
        return self.image_norm(self.image_projection(self.visual_encoder(pixel_values=pixels).pooler_output))

    def encode_text(self, level, ids):
        return self.text_norm(self.text_projection(self.text_encoder(input_ids=ids).pooler_output))


def randomize(model, seed):
    """Random weights with non-trivial norms/biases so every parameter matters."""
    g = torch.Generator().manual_seed(seed)
    with torch.no_grad():
        for name, p in model.named_parameters():
            if name.endswith("norm.weight") or "layer_norm" in name and name.endswith("weight") \
                    or "layrnorm.weight" in name or "layernorm.weight" in name:
                p.copy_(1.0 + 0.1 * torch.randn(p.shape, generator=g))
            else:
                p.copy_(0.08 * torch.randn(p.shape, generator=g))


def token_ids():
    """CLIP BPE ids of TEXTS folded into the tiny vocabulary: [BOS, words..., EOS, EOS padding]."""
    from open_clip.tokenizer import SimpleTokenizer  # CLIP's BPE, bundled in the open_clip_torch wheel
    tokenizer = SimpleTokenizer()
    real = [tokenizer.encode(t) for t in TEXTS]
    rows = []
    for ids in real:
        row = [BOS] + [(i % (BOS - 1)) + 1 for i in ids][: CONTEXT - 2] + [EOS]
        rows.append(row + [EOS] * (CONTEXT - len(row)))
    return torch.tensor(rows, dtype=torch.int64)


JPEG_BOX = (9, 6, 33, 30)  # [x1, y1, x2, y2] of the object in scene.jpg


def reference_images():
    """scene.jpg through the reference's evaluation transform (data/datamodule.py at 32 px instead of 224):
    Resize(shorter side, BICUBIC) -> CenterCrop -> ToTensor -> Normalize(CLIP mean/std); and the object input,
    a black canvas with only the box pasted back in place (data/dataset.py)."""
    import numpy as np
    import torchvision.transforms as T
    from PIL import Image
    from torchvision.transforms import InterpolationMode
    g = np.random.default_rng(3)
    yy, xx = np.mgrid[0:40, 0:48]
    rgb = np.stack([(xx * 5) % 256, (yy * 6 + 40) % 256, ((xx + yy) * 3) % 256], axis=-1).astype(np.float64)
    rgb += g.normal(0, 12, rgb.shape)
    path = os.path.join(MODEL_FIXTURES, "scene.jpg")
    Image.fromarray(np.clip(rgb, 0, 255).astype(np.uint8)).save(path, quality=92)
    img = Image.open(path).convert("RGB")
    transform = T.Compose([T.Resize(32, interpolation=InterpolationMode.BICUBIC), T.CenterCrop(32), T.ToTensor(),
                           T.Normalize((0.48145466, 0.4578275, 0.40821073), (0.26862954, 0.26130258, 0.27577711))])
    canvas = Image.new(img.mode, img.size, color="black")
    canvas.paste(img.crop(JPEG_BOX), JPEG_BOX)
    return torch.stack([transform(img), transform(canvas)])


def pixels():
    g = torch.Generator().manual_seed(7)
    return torch.randn(2, 3, 32, 32, generator=g)


@torch.no_grad()
def embeddings(model, ids, px):
    model.eval()
    out = collections.OrderedDict()
    for level in ("global", "object", "relation"):
        out[f"{level}.text"] = model.encode_text(level, ids).contiguous()
        out[f"{level}.image"] = model.encode_image(level, px).contiguous()
    return out


def lightning_checkpoint(model, hyper_parameters):
    """What Lightning's Trainer.save_checkpoint writes for the reference's LightningModule."""
    state = collections.OrderedDict(("model." + k, v) for k, v in model.state_dict().items())
    for level in ("global", "object", "relation"):  # the reference's ContrastiveLoss modules
        state[f"{level}_loss.logit_scale"] = torch.tensor(2.6592600727081299)
    logit = state["global_loss.logit_scale"]
    return {
        "epoch": 11,
        "global_step": 4242,
        "pytorch-lightning_version": "2.4.0",
        "state_dict": state,
        "loops": {"fit_loop": {"state_dict": {}, "epoch_loop.state_dict": {"_batches_that_stepped": 4242}}},
        "callbacks": {"ModelCheckpoint{'monitor': 'val_contrastive_loss', 'mode': 'min'}": {
            "best_model_score": torch.tensor(1.5), "best_model_path": "epoch=11-step=4242.ckpt"}},
        # Kept small: the AdamW moments of one parameter only (a real run holds them for every parameter).
        "optimizer_states": [{"state": {0: {"step": torch.tensor(4242.0), "exp_avg": torch.zeros_like(logit),
                                            "exp_avg_sq": torch.zeros_like(logit)}},
                              "param_groups": [{"lr": 0.0, "betas": (0.9, 0.999), "eps": 1e-8,
                                                "weight_decay": 0.2, "amsgrad": False, "foreach": None,
                                                "maximize": False, "capturable": False, "differentiable": False,
                                                "fused": None, "initial_lr": 2e-5, "params": [0]}]}],
        "lr_schedulers": [{"_milestones": [424], "last_epoch": 4242, "_last_lr": [0.0],
                           "_schedulers": [{"start_factor": 0.001, "total_iters": 424}, {"T_max": 3818}]}],
        "hparams_name": "kwargs",
        "hyper_parameters": hyper_parameters,
    }


def hf_config_json(vision, text):
    """A Hugging Face CLIPConfig-style JSON (vision_config / text_config), the sidecar the loader reads."""
    keep_v = ["hidden_size", "intermediate_size", "num_hidden_layers", "num_attention_heads", "image_size",
              "patch_size", "hidden_act", "layer_norm_eps", "num_channels"]
    keep_t = ["hidden_size", "intermediate_size", "num_hidden_layers", "num_attention_heads", "vocab_size",
              "max_position_embeddings", "hidden_act", "layer_norm_eps", "eos_token_id", "bos_token_id",
              "pad_token_id"]
    return {"model_type": "clip", "projection_dim": 512,
            "vision_config": {k: getattr(vision, k) for k in keep_v},
            "text_config": {k: getattr(text, k) for k in keep_t}}


def save_expected(path, ids, px, groups):
    out = collections.OrderedDict()
    out["token_ids"] = ids
    out["pixels"] = px.contiguous()
    for prefix, emb in groups.items():
        for k, v in emb.items():
            out[f"{prefix}.{k}"] = v
    torch.save(out, path)


def make_models():
    os.makedirs(MODEL_FIXTURES, exist_ok=True)
    ids, px = token_ids(), pixels()

    # ThreeLevelCLIP: 2 heads of width 16 (not the default hidden/64), given by hyper-parameters in the
    # .ckpt and by the sidecar three_level.config.json for the EMA file.
    vision, text = tiny_configs(hidden=32, heads=2, layers=2, intermediate=64)
    torch.manual_seed(1)
    model = ThreeLevelCLIP(vision, text)
    randomize(model, 11)
    hp = {"vision_model_name": "openai/clip-vit-base-patch32", "text_model_name": "openai/clip-vit-base-patch32",
          "clip_tokenizer_name": "openai/clip-vit-base-patch32", "lr": 2e-5,
          "vision_config": {"num_attention_heads": 2}, "text_config": {"num_attention_heads": 2}}
    torch.save(lightning_checkpoint(model, hp), os.path.join(MODEL_FIXTURES, "three_level.ckpt"))
    with open(os.path.join(MODEL_FIXTURES, "three_level.config.json"), "w") as f:
        json.dump(hf_config_json(vision, text), f, indent=1)

    # EMA teacher: a plain state dict (no `model.` prefix), slightly different weights, saved in f16.
    teacher = ThreeLevelCLIP(vision, text)
    teacher.load_state_dict(model.state_dict())
    g = torch.Generator().manual_seed(5)
    with torch.no_grad():
        for p in teacher.parameters():
            p.add_(0.01 * torch.randn(p.shape, generator=g))
    teacher = teacher.half()
    torch.save(teacher.state_dict(), os.path.join(MODEL_FIXTURES, "three_level_ema_teacher.pt"))
    teacher = teacher.float()  # the f16-rounded weights, computed in f32 like the Swift reader does

    # OneLevelCLIP: default head rule (hidden / 64 = 1), no sidecar, no hyper-parameters.
    v1, t1 = tiny_configs(hidden=64, heads=1, layers=1, intermediate=128)
    torch.manual_seed(2)
    one = OneLevelCLIP(v1, t1)
    randomize(one, 22)
    torch.save(lightning_checkpoint(one, {}), os.path.join(MODEL_FIXTURES, "one_level.ckpt"))

    # A plain Hugging Face CLIPModel (its own projections serve every level), saved with save_pretrained.
    from transformers import CLIPConfig, CLIPModel
    v2, t2 = tiny_configs(hidden=32, heads=2, layers=1, intermediate=64)
    torch.manual_seed(3)
    clip = CLIPModel(CLIPConfig(vision_config=v2.to_dict(), text_config=t2.to_dict(), projection_dim=16))
    randomize(clip, 33)
    clip.save_pretrained(os.path.join(MODEL_FIXTURES, "hf_clip"), safe_serialization=True)
    with torch.no_grad():
        clip.eval()
        hf = collections.OrderedDict()
        hf["text"] = clip.get_text_features(input_ids=ids).contiguous()
        hf["image"] = clip.get_image_features(pixel_values=px).contiguous()

    jpeg = reference_images()
    with torch.no_grad():
        model.eval()
        jp = collections.OrderedDict()
        jp["pixels"] = jpeg.contiguous()
        jp["global.image"] = model.encode_image("global", jpeg[:1]).contiguous()
        jp["object.image"] = model.encode_image("object", jpeg[1:]).contiguous()

    save_expected(os.path.join(MODEL_FIXTURES, "expected.pt"), ids, px, {"jpeg": jp, "hf": hf,
        "three": embeddings(model, ids, px), "ema": embeddings(teacher, ids, px), "one": embeddings(one, ids, px)})
    with open(os.path.join(MODEL_FIXTURES, "expected_texts.json"), "w") as f:
        json.dump({"texts": TEXTS, "jpeg_box": list(JPEG_BOX), "token_ids": ids.tolist(), "note": "CLIP BPE ids (open_clip SimpleTokenizer) folded into the 256-token fixture vocabulary: [254, (id % 253) + 1 ..., 255, 255 padding]"}, f, indent=1)
    print("model fixtures written to", MODEL_FIXTURES)


def verify(path, out):
    """PyTorch loads a Swift-exported state dict strictly and reproduces the fixture embeddings."""
    vision, text = tiny_configs(hidden=32, heads=2, layers=2, intermediate=64)
    model = ThreeLevelCLIP(vision, text)
    state = torch.load(path, weights_only=True)
    result = model.load_state_dict(state, strict=True)
    expected = torch.load(os.path.join(MODEL_FIXTURES, "expected.pt"), weights_only=True)
    got = embeddings(model, expected["token_ids"], expected["pixels"])
    worst, cos_min = 0.0, 1.0
    for k, v in got.items():
        ref = expected["three." + k]
        worst = max(worst, (v - ref).abs().max().item())
        cos_min = min(cos_min, torch.nn.functional.cosine_similarity(v, ref, dim=-1).min().item())
    ok = worst <= 1e-4 and cos_min >= 0.99999
    report = {"file": os.path.basename(path), "torch_version": torch.__version__,
              "load_state_dict_strict": "ok" if not result.missing_keys and not result.unexpected_keys else str(result),
              "tensors": len(state), "max_abs_diff": worst, "min_cosine": cos_min, "ok": ok}
    print(json.dumps(report, indent=1))
    if out:
        with open(out, "w") as f:
            json.dump(report, f, indent=1)
    if not ok:
        sys.exit(1)


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = parser.add_subparsers(dest="command", required=True)
    sub.add_parser("weights")
    sub.add_parser("models")
    v = sub.add_parser("verify")
    v.add_argument("file")
    v.add_argument("--out", default=None)
    args = parser.parse_args()
    if args.command == "weights":
        make_weights()
    elif args.command == "models":
        make_models()
    else:
        verify(args.file, args.out)


if __name__ == "__main__":
    main()
