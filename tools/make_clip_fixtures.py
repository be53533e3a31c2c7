#!/usr/bin/env python3
"""Writes the CLIP parity fixtures in Tests/CLIPTests/Fixtures (and one dtype fixture in Tests/WeightsTests/Fixtures).

Each fixture is a tiny randomly initialised Hugging Face model saved with `save_pretrained` (config.json +
model.safetensors), plus
  inputs.json           token id rows fed to the text tower
  expected.safetensors  pixels [n,3,S,S] and the reference outputs:
                        vision_pooled / text_pooled (pooler_output), image_embeds / text_embeds (projected,
                        what get_image_features / get_text_features return)
  pixels0.npy           the first image as float32 [3,S,S] (for `scenarioclip embed --pixels`)

Configs cover quick_gelu and gelu, different widths, heads, patch and image sizes, layer counts and layer-norm
eps, the legacy eos_token_id 2 (pool at argmax of the ids) and eos_token_id 49407 (first occurrence), float32
and float16 storage, and single-tower folders (CLIPVisionModel, CLIPTextModel).

Run from the repository root:  python3 tools/make_clip_fixtures.py   (transformers 4.44.2, torch, safetensors)
"""
import json
import os
import shutil

import numpy as np
import torch
from safetensors.numpy import save_file
from transformers import CLIPConfig, CLIPModel, CLIPTextModel, CLIPVisionModel

ROOT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..")
CLIP_FIXTURES = os.path.join(ROOT, "Tests", "CLIPTests", "Fixtures")
WEIGHTS_FIXTURES = os.path.join(ROOT, "Tests", "WeightsTests", "Fixtures")

CONFIGS = {
    # Legacy text config (eos_token_id 2 ⇒ pool at argmax(input_ids)); the largest id in the small vocab
    # plays the end token. quick_gelu, float32 storage.
    "quick_legacy": dict(
        dtype=torch.float32,
        projection_dim=24,
        vision=dict(hidden_size=32, intermediate_size=80, num_hidden_layers=2, num_attention_heads=4,
                    image_size=32, patch_size=8, hidden_act="quick_gelu"),
        text=dict(hidden_size=32, intermediate_size=64, num_hidden_layers=2, num_attention_heads=4,
                  vocab_size=1000, max_position_embeddings=16, hidden_act="quick_gelu",
                  eos_token_id=2, bos_token_id=0, pad_token_id=1),
        end_token=999,
    ),
    # Current config (first occurrence of eos_token_id 49407), exact gelu, non-default eps, odd image size,
    # float16 storage (the expected outputs come from the float16-rounded weights).
    "gelu_eos": dict(
        dtype=torch.float16,
        projection_dim=8,
        vision=dict(hidden_size=48, intermediate_size=96, num_hidden_layers=3, num_attention_heads=6,
                    image_size=30, patch_size=10, hidden_act="gelu", layer_norm_eps=1e-6),
        text=dict(hidden_size=16, intermediate_size=40, num_hidden_layers=3, num_attention_heads=2,
                  vocab_size=49408, max_position_embeddings=77, hidden_act="gelu", layer_norm_eps=1e-6,
                  eos_token_id=49407, bos_token_id=49406, pad_token_id=1),
        end_token=49407,
    ),
}


def token_rows(rng, vocab, end_token, length, legacy):
    """Rows of `length` ids: start token-ish, random words, the end token at varied positions, then padding."""
    rows = []
    for eos_position in (1, 4, length // 2, length - 1):
        body = rng.integers(2, min(vocab, end_token) - 1, size=eos_position).tolist()
        row = body + [end_token]
        pad = end_token if len(rows) % 2 == 0 else 0  # HF pads with the end token, open_clip with 0
        rows.append(row + [pad] * (length - len(row)))
    if not legacy:
        # no end token at all: Hugging Face pools at position 0
        rows.append(rng.integers(2, 49406, size=length).tolist())
    return rows


def make(name, spec, seed):
    torch.manual_seed(seed)
    rng = np.random.default_rng(seed)
    config = CLIPConfig(text_config=spec["text"], vision_config=spec["vision"],
                        projection_dim=spec["projection_dim"])
    model = CLIPModel(config).eval()
    with torch.no_grad():
        # Random init is tiny (std 0.02); widen it so every layer matters and errors would show.
        for param_name, param in model.named_parameters():
            if param.dim() >= 2:
                param.normal_(0, 0.3 / param.shape[-1] ** 0.5 * 4)
            elif "layer_norm" in param_name or "layrnorm" in param_name or "layernorm" in param_name:
                param.copy_(1 + 0.2 * torch.randn_like(param)) if param_name.endswith("weight") else param.normal_(0, 0.2)
            else:
                param.normal_(0, 0.3)
        # Store in the fixture's dtype; compute the reference from exactly the stored values.
        for param in model.parameters():
            param.copy_(param.to(spec["dtype"]).to(torch.float32))

    out = os.path.join(CLIP_FIXTURES, name)
    shutil.rmtree(out, ignore_errors=True)
    model.to(spec["dtype"]).save_pretrained(out, safe_serialization=True)
    model.to(torch.float32)

    vision_config, text_config = config.vision_config, config.text_config
    size = vision_config.image_size
    pixels = torch.from_numpy(rng.normal(0, 1, size=(3, 3, size, size)).astype(np.float32))
    legacy = text_config.eos_token_id == 2
    ids = token_rows(rng, text_config.vocab_size, spec["end_token"], text_config.max_position_embeddings, legacy)
    input_ids = torch.tensor(ids, dtype=torch.long)

    with torch.no_grad():
        vision_pooled = model.vision_model(pixel_values=pixels).pooler_output
        text_pooled = model.text_model(input_ids=input_ids).pooler_output
        image_embeds = model.get_image_features(pixel_values=pixels)
        text_embeds = model.get_text_features(input_ids=input_ids)

        # Single towers saved as their own HF folders, with their own configs.
        vision_tower = CLIPVisionModel(vision_config).eval()
        vision_tower.vision_model.load_state_dict(model.vision_model.state_dict())
        text_tower = CLIPTextModel(text_config).eval()
        text_tower.text_model.load_state_dict(model.text_model.state_dict())
        assert torch.equal(vision_tower(pixel_values=pixels).pooler_output, vision_pooled)
        assert torch.equal(text_tower(input_ids=input_ids).pooler_output, text_pooled)
    towers = [("vision", vision_tower)] + ([("text", text_tower)] if legacy else [])  # keep fixtures small
    for suffix, tower in towers:
        tower_dir = os.path.join(CLIP_FIXTURES, f"{name}_{suffix}")
        shutil.rmtree(tower_dir, ignore_errors=True)
        tower.to(spec["dtype"]).save_pretrained(tower_dir, safe_serialization=True)

    save_file({
        "pixels": pixels.numpy(),
        "vision_pooled": vision_pooled.numpy(),
        "text_pooled": text_pooled.numpy(),
        "image_embeds": image_embeds.numpy(),
        "text_embeds": text_embeds.numpy(),
    }, os.path.join(out, "expected.safetensors"))
    with open(os.path.join(out, "inputs.json"), "w") as f:
        json.dump({"token_ids": ids}, f)
    np.save(os.path.join(out, "pixels0.npy"), pixels[0].numpy())
    print(f"{name}: vision {tuple(vision_pooled.shape)}, text {tuple(text_pooled.shape)}, "
          f"projected {tuple(image_embeds.shape)}")


def make_dtype_fixture():
    """One safetensors file written by the Python library with every float dtype, plus the values as JSON."""
    with np.errstate(over="ignore"):  # 1e20 overflows float16 to inf on purpose
        return _make_dtype_fixture()


def _make_dtype_fixture():
    values = np.array([0.0, -0.0, 1.0, -2.5, 65504.0, 6.1e-5, 5.96e-8, 3.14159, -1e-3, 1e20, np.inf, -np.inf],
                      dtype=np.float64)
    tensors = {
        "f32": values.astype(np.float32).reshape(3, 4),
        "f16": values.astype(np.float16),
        "f64": values.reshape(2, 6),
        "bf16": torch.from_numpy(values.astype(np.float32)).to(torch.bfloat16),
        "i64": np.arange(6, dtype=np.int64).reshape(2, 3),
    }
    from safetensors.torch import save_file as save_torch
    save_torch({k: (v if isinstance(v, torch.Tensor) else torch.from_numpy(v)) for k, v in tensors.items()},
               os.path.join(WEIGHTS_FIXTURES, "dtypes.safetensors"), metadata={"format": "pt", "note": "dtypes"})
    def bits(array):  # float32 bit patterns, so infinities and -0 compare exactly
        return [int(x) for x in np.asarray(array, dtype=np.float32).view(np.uint32)]
    expected = {
        "f32": bits(values.astype(np.float32)),
        "f16": bits(values.astype(np.float16).astype(np.float32)),
        "f64": bits(values.astype(np.float32)),
        "bf16": bits(tensors["bf16"].to(torch.float32).numpy()),
    }
    with open(os.path.join(WEIGHTS_FIXTURES, "dtypes.json"), "w") as f:
        json.dump(expected, f)
    print("dtypes.safetensors written")


if __name__ == "__main__":
    os.makedirs(CLIP_FIXTURES, exist_ok=True)
    os.makedirs(WEIGHTS_FIXTURES, exist_ok=True)
    for index, (fixture_name, fixture_spec) in enumerate(CONFIGS.items()):
        make(fixture_name, fixture_spec, seed=1234 + index)
    make_dtype_fixture()
