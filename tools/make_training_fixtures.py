#!/usr/bin/env python3
"""Loss and gradients of a TINY three-level ScenarioCLIP model (ScenarioCLIP1: per-level contrastive
losses + EMA-teacher distillation) computed by PyTorch, for Tests/TrainingTests.

    tools/make_training_fixtures.py [OUT_DIR]   (default Tests/TrainingTests/Fixtures)

Writes tiny_scenarioclip1.safetensors with:
  student.<name>, teacher.<name>   weights (reference state-dict names, float32)
  pixels.<level>, ids.<level>      the batch (3 scenes; objects [2, 1, 3], relations [1, 2, 1])
  objects_per_scene, relations_per_scene
  loss.<global|object|relation|distillation|total>
  grad.<name>                      d total / d parameter, for every student parameter, each level's
                                   `<level>_loss.logit_scale` and the distillation `logit_scale_s`
The losses follow the reference (losses/contrastive.py, losses/distillation.py,
losses/student_teacher.py), re-implemented here in float64.
"""
import math
import os
import sys

import torch
import torch.nn as nn
import torch.nn.functional as F
from safetensors.torch import save_file
from transformers import CLIPTextConfig, CLIPTextModel, CLIPVisionConfig, CLIPVisionModel

LEVELS = ["global", "object", "relation"]
EMBED = 32


def vision_config():
    return CLIPVisionConfig(hidden_size=16, intermediate_size=32, num_hidden_layers=2, num_attention_heads=2,
                            image_size=16, patch_size=8, hidden_act="quick_gelu", attn_implementation="eager")


def text_config():
    return CLIPTextConfig(vocab_size=64, hidden_size=16, intermediate_size=32, num_hidden_layers=2,
                          num_attention_heads=2, max_position_embeddings=8, hidden_act="quick_gelu", eos_token_id=2,
                          attn_implementation="eager")


class ThreeLevel(nn.Module):
    def __init__(self):
        super().__init__()
        for l in LEVELS:
            setattr(self, f"{l}_visual_encoder", CLIPVisionModel(vision_config()))
            setattr(self, f"{l}_text_encoder", CLIPTextModel(text_config()))
            setattr(self, f"{l}_image_projection", nn.Linear(16, EMBED))
            setattr(self, f"{l}_text_projection", nn.Linear(16, EMBED))
            setattr(self, f"{l}_image_norm", nn.LayerNorm(EMBED))
            setattr(self, f"{l}_text_norm", nn.LayerNorm(EMBED))

    def image(self, level, pixels):
        pooled = getattr(self, f"{level}_visual_encoder")(pixel_values=pixels).pooler_output
        return getattr(self, f"{level}_image_norm")(getattr(self, f"{level}_image_projection")(pooled))

    def text(self, level, ids):
        pooled = getattr(self, f"{level}_text_encoder")(input_ids=ids).pooler_output
        return getattr(self, f"{level}_text_norm")(getattr(self, f"{level}_text_projection")(pooled))


def contrastive(img, txt, logit_scale):
    img = img / img.norm(dim=-1, keepdim=True)
    txt = txt / txt.norm(dim=-1, keepdim=True)
    scale = logit_scale.exp().clamp(max=100.0)
    logits = scale * img @ txt.T
    labels = torch.arange(len(img))
    return 0.5 * (F.cross_entropy(logits, labels) + F.cross_entropy(logits.T, labels))


def kl_term(student, teacher, t_s):
    # KL(clamp(softmax(teacher / 0.07)) || softmax(student / T_s)) * T_s^2, KLDivLoss 'batchmean' on a 1-D input
    p = F.softmax(teacher / 0.07, dim=-1).clamp(min=1e-8, max=1.0)
    logq = F.log_softmax(student / t_s, dim=-1)
    return (p * (p.log() - logq)).sum() / student.shape[0] * t_s ** 2


def distillation(t_global_img, s_global_txt, s_obj_img, t_obj_txt, s_rel_img, t_rel_txt, objs, rels, logit_scale_s):
    t_s = 1.0 / logit_scale_s.exp().clamp(min=1.0, max=100.0)
    terms = {"go": [], "gr": [], "og": [], "rg": []}
    o = r = 0
    for i in range(len(objs)):
        so, to = s_obj_img[o:o + objs[i]], t_obj_txt[o:o + objs[i]]
        sr, tr = s_rel_img[r:r + rels[i]], t_rel_txt[r:r + rels[i]]
        terms["go"].append(sum(kl_term(so[j], t_global_img[i], t_s) for j in range(objs[i])) / objs[i])
        terms["gr"].append(sum(kl_term(sr[j], t_global_img[i], t_s) for j in range(rels[i])) / rels[i])
        terms["og"].append(sum(kl_term(s_global_txt[i], to[j], t_s) for j in range(objs[i])) / objs[i])
        terms["rg"].append(sum(kl_term(s_global_txt[i], tr[j], t_s) for j in range(rels[i])) / rels[i])
        o += objs[i]
        r += rels[i]
    return sum(sum(v) / len(v) for v in terms.values())


def main():
    out_dir = sys.argv[1] if len(sys.argv) > 1 else os.path.join(os.path.dirname(__file__), "..", "Tests",
                                                                  "TrainingTests", "Fixtures")
    torch.set_default_dtype(torch.float64)
    torch.manual_seed(0)
    student = ThreeLevel()
    teacher = ThreeLevel()
    teacher.load_state_dict(student.state_dict())
    with torch.no_grad():
        for p in student.parameters():  # break symmetric inits (LayerNorm ones/zeros, zero biases)
            p.add_(0.05 * torch.randn_like(p))
        for p in teacher.parameters():
            p.copy_(p + 0.05 * torch.randn_like(p))
    scales = {l: nn.Parameter(torch.tensor(math.log(1 / 0.07), dtype=torch.float64)) for l in LEVELS}
    logit_scale_s = nn.Parameter(torch.tensor(math.log(1 / 0.2), dtype=torch.float64))

    objs, rels = [2, 1, 3], [1, 2, 1]
    counts = {"global": 3, "object": sum(objs), "relation": sum(rels)}
    g = torch.Generator().manual_seed(1)
    pixels = {l: torch.randn(counts[l], 3, 16, 16, generator=g, dtype=torch.float64) for l in LEVELS}
    ids = {}
    for l in LEVELS:
        rows = []
        for _ in range(counts[l]):
            n = int(torch.randint(1, 5, (1,), generator=g))
            body = torch.randint(1, 62, (n,), generator=g).tolist()
            row = [62] + body + [63]
            rows.append(row + [63] * (8 - len(row)))
        ids[l] = torch.tensor(rows, dtype=torch.int64)

    img = {l: student.image(l, pixels[l]) for l in LEVELS}
    txt = {l: student.text(l, ids[l]) for l in LEVELS}
    losses = {l: contrastive(img[l], txt[l], scales[l]) for l in LEVELS}
    with torch.no_grad():
        t_global_img = teacher.image("global", pixels["global"])
        t_obj_txt = teacher.text("object", ids["object"])
        t_rel_txt = teacher.text("relation", ids["relation"])
    losses["distillation"] = distillation(t_global_img, txt["global"], img["object"], t_obj_txt, img["relation"],
                                          t_rel_txt, objs, rels, logit_scale_s)
    total = sum(losses.values())
    total.backward()

    out = {}
    for name, p in student.named_parameters():
        out[f"student.{name}"] = p.detach().float()
        out[f"grad.{name}"] = p.grad.detach().float()
    for name, p in teacher.named_parameters():
        out[f"teacher.{name}"] = p.detach().float()
    for l in LEVELS:
        out[f"student.{l}_loss.logit_scale"] = scales[l].detach().float().reshape(())
        out[f"grad.{l}_loss.logit_scale"] = scales[l].grad.detach().float().reshape(())
        out[f"pixels.{l}"] = pixels[l].float()
        out[f"ids.{l}"] = ids[l].to(torch.int32)
        out[f"loss.{l}"] = losses[l].detach().float().reshape(1)
    name_s = "student_teacher_loss_fn.distillation_loss_fn.logit_scale_s"
    out[f"student.{name_s}"] = logit_scale_s.detach().float().reshape(())
    out[f"grad.{name_s}"] = logit_scale_s.grad.detach().float().reshape(())
    out["loss.distillation"] = losses["distillation"].detach().float().reshape(1)
    out["loss.total"] = total.detach().float().reshape(1)
    out["objects_per_scene"] = torch.tensor(objs, dtype=torch.int32)
    out["relations_per_scene"] = torch.tensor(rels, dtype=torch.int32)
    os.makedirs(out_dir, exist_ok=True)
    path = os.path.join(out_dir, "tiny_scenarioclip1.safetensors")
    save_file({k: v.contiguous() for k, v in out.items()}, path)
    print(f"wrote {path}: total loss {total.item():.6f}",
          {k: round(v.item(), 6) for k, v in losses.items()})


if __name__ == "__main__":
    main()
