#!/usr/bin/env python3
"""Makes Assets/demo/contact-sheet.png: the first scene of each of 12 different actions, labelled.

Needs ImageMagick (`montage`, `convert`). Run from the repository root after regenerating the demo:
    python3 tools/demo_contact_sheet.py
"""
import json
import subprocess
import sys
from pathlib import Path

demo = Path(sys.argv[1] if len(sys.argv) > 1 else "Assets/demo")
records = json.loads((demo / "metadata.json").read_text())["data"]
seen, pick = set(), []
for r in records:
    if r["action"] not in seen:
        seen.add(r["action"])
        pick.append(r)
    if len(pick) == 12:
        break
args = ["montage"]
for r in pick:
    args += ["-label", f"{r['id']}: {r['action']}", str(demo / r["image_path"])]
raw = demo / "contact-sheet.raw.png"
args += ["-tile", "4x3", "-geometry", "192x144+3+3", "-pointsize", "10", "-background", "white", str(raw)]
subprocess.check_call(args)
# A 96-colour palette without dithering keeps the PNG small.
subprocess.check_call(["convert", str(raw), "+dither", "-colors", "96", "-define", "png:compression-level=9",
                       str(demo / "contact-sheet.png")])
raw.unlink()
