"""Writes the tiny scene dataset used by ScenesTests (and EmbeddingCacheTests' image hashing).

Run from the repository root: python3 tools/make_scenes_fixtures.py
Output: Tests/ScenesTests/Fixtures/tiny/ (a few KB of JPEGs + metadata in the reference format).
"""
import json
import os

from PIL import Image, ImageDraw

OUT = os.path.join("Tests", "ScenesTests", "Fixtures", "tiny")


def jpeg(path, size, colour, box=None):
    img = Image.new("RGB", size, colour)
    if box:
        ImageDraw.Draw(img).rectangle(box, fill=(240, 240, 240))
    os.makedirs(os.path.dirname(path), exist_ok=True)
    img.save(path, quality=85)


def main():
    jpeg(os.path.join(OUT, "images", "kitchen.jpg"), (64, 48), (120, 60, 30), (10, 8, 30, 40))
    jpeg(os.path.join(OUT, "images", "park.jpg"), (80, 60), (30, 120, 40), (40, 10, 70, 50))
    jpeg(os.path.join(OUT, "images", "desk.jpg"), (40, 40), (60, 60, 140))
    jpeg(os.path.join(OUT, "regions", "kitchen_0.jpg"), (24, 32), (200, 100, 50))
    jpeg(os.path.join(OUT, "regions", "park_0.jpg"), (40, 30), (50, 200, 100))
    jpeg(os.path.join(OUT, "regions", "park_1.jpg"), (30, 30), (90, 90, 90))

    metadata = {"data": [
        {"id": "k1", "image_path": "images/kitchen.jpg", "action": "person holding a cup",
         "dense_caption": "a person in a kitchen holds a red cup",
         "objects": [["person", [2.7, 1.2, 40.9, 47.0]], ["cup", [10, 8, 30, 40]]],
         "relations": [["regions/kitchen_0.jpg", ["person", "holding", "cup"]]]},
        {"id": 7, "image_path": "images/park.jpg", "action": "dog chasing a ball",
         "objects": [["dog", [5, 20, 38, 58]], ["ball", [40, 10, 70, 50]], ["grass", [0, 40, 80, 60]]],
         "relations": [["regions/park_0.jpg", ["dog", "chasing", "ball"], [["dog", "eating", "ball"]]],
                       ["regions/park_1.jpg", ["dog", "on", "grass"]]],
         "split": "test", "unseen": True},
    ]}
    extra = {"data": [
        {"id": "d3", "image_path": "images/desk.jpg", "action": "person holding a cup",
         "objects": [["cup", [0, 0, 40, 40]]], "relations": []},
    ]}
    classes = {
        "actions": ["person holding a cup", "dog chasing a ball", "person reading a book"],
        "objects": ["person", "cup", "dog", "ball", "grass", "book"],
        "relations": ["person holding cup", "dog chasing ball", "dog on grass", "person reading book"],
    }
    with open(os.path.join(OUT, "metadata.json"), "w") as f:
        json.dump(metadata, f, indent=1)
    with open(os.path.join(OUT, "metadata_extra.json"), "w") as f:
        json.dump(extra, f, indent=1)
    with open(os.path.join(OUT, "classes.json"), "w") as f:
        json.dump(classes, f, indent=1)


if __name__ == "__main__":
    main()
