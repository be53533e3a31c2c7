#!/usr/bin/env python3
"""Writes Tests/ScenarioCLIPCommandsTests/Fixtures/duplicates/000002_reencoded.jpg with Pillow: the demo's
picture 000002 resized to 250×200 and saved at JPEG quality 60 — a near duplicate (different bytes, same scene)
for the `duplicates` and `dataset split --group-duplicates` tests.

Run: python3 tools/make_duplicate_fixtures.py
"""
import os

from PIL import Image

here = os.path.dirname(os.path.abspath(__file__))
root = os.path.join(here, "..")
source = os.path.join(root, "Assets", "demo", "images", "000002.jpg")
out = os.path.join(root, "Tests", "ScenarioCLIPCommandsTests", "Fixtures", "duplicates", "000002_reencoded.jpg")
os.makedirs(os.path.dirname(out), exist_ok=True)
Image.open(source).convert("RGB").resize((250, 200)).save(out, quality=60)
print(f"wrote {os.path.normpath(out)}")
