#!/usr/bin/env python3
"""Writes Tests/SceneImportTests/Fixtures: tiny COCO, OpenPSG and Visual Genome samples with the awkward cases of
the published layouts, their pictures (Pillow: JPEG, Action Genome frames PNG), and expected.json per format — the records an importer must
produce, computed here from the source files by the rules of docs/IMPORT.md (names lower-cased, boxes
[int(x), int(y), int(x + w), int(y + h)] or int() of [x1, y1, x2, y2], action rule, splits)."""
import json, os, re
from PIL import Image

OUT = os.path.join(os.path.dirname(__file__), "..", "Tests", "SceneImportTests", "Fixtures")

def picture(path, size, colour, fmt="JPEG"):
    os.makedirs(os.path.dirname(path), exist_ok=True)
    img = Image.new("RGB", size, colour)
    # Stripes every 7 columns, so a crop in the wrong place shows. In the PNG frames they differ in brightness only:
    # a region is a JPEG, and 4:2:0 chroma subsampling blurs one-pixel colour stripes far more than brightness ones.
    stripe = (255 - colour[0], 128, colour[2]) if fmt == "JPEG" else tuple(c // 2 for c in colour)
    for x in range(0, size[0], 7):
        for y in range(size[1]):
            img.putpixel((x, y), stripe)
    if fmt == "JPEG":
        img.save(path, "JPEG", quality=90)
    else:
        img.save(path, fmt)

def norm(t):
    return " ".join(t.lower().split())

def area(b):
    return max(0, b[2] - b[0]) * max(0, b[3] - b[1])

def union(a, b):
    return [min(a[0], b[0]), min(a[1], b[1]), max(a[2], b[2]), max(a[3], b[3])]

def action(objects, relations, caption, rule):
    def by_relation():
        best = None
        for s, p, o, sb, ob in relations:
            a = area(union(sb, ob))
            if best is None or a > best[0]:
                best = (a, f"{s} {p} {o}")
        return best and best[1]
    def by_caption():
        if caption is None: return None
        t = norm(caption)
        if t.endswith("."): t = t[:-1]
        return norm(t) or None
    def by_object():
        best = None
        for n, b in objects:
            if best is None or area(b) > best[0]: best = (area(b), n)
        return best and best[1]
    order = {"relation": [by_relation, by_caption, by_object], "caption": [by_caption, by_relation, by_object],
             "object": [by_object]}[rule]
    for f in order:
        a = f()
        if a: return a
    return None

def xywh(b):
    return [int(b[0]), int(b[1]), int(b[0] + b[2]), int(b[1] + b[3])]

def record(id, picture, objects, relations, caption, split, rule):
    return {"id": id, "picture": picture, "action": action(objects, relations, caption, rule),
            "objects": [[n, b] for n, b in objects],
            "relations": [[s, p, o, sb, ob] for s, p, o, sb, ob in relations], "split": split}

def write(path, value):
    with open(path, "w") as f:
        json.dump(value, f, indent=1)

# MARK: COCO
def coco():
    root = os.path.join(OUT, "coco")
    picture(os.path.join(root, "val2017", "000000000139.jpg"), (80, 60), (200, 40, 40))
    picture(os.path.join(root, "val2017", "000000000285.jpg"), (64, 64), (40, 200, 40))
    picture(os.path.join(root, "val2017", "000000000632.jpg"), (48, 40), (40, 40, 200))
    categories = [{"id": 1, "name": "person", "supercategory": "person"},
                  {"id": 18, "name": "dog", "supercategory": "animal"},
                  {"id": 90, "name": "Tooth Brush", "supercategory": "indoor"}]
    images = [{"id": 139, "file_name": "000000000139.jpg", "width": 80, "height": 60},
              {"id": 285, "file_name": "000000000285.jpg", "width": 64, "height": 64},
              {"id": 632, "file_name": "000000000632.jpg", "width": 48, "height": 40},
              {"id": 724, "file_name": "000000000724.jpg", "width": 50, "height": 50}]  # listed, no picture
    annotations = [
        {"id": 1, "image_id": 139, "category_id": 1, "bbox": [10.7, 5.2, 30.5, 40.9], "iscrowd": 0, "area": 1.0},
        {"id": 2, "image_id": 139, "category_id": 18, "bbox": [50, 30, 20, 25], "iscrowd": 0, "area": 1.0},
        {"id": 3, "image_id": 139, "category_id": 1, "bbox": [0, 0, 80, 60], "iscrowd": 1, "area": 1.0},
        {"id": 4, "image_id": 285, "category_id": 90, "bbox": [2.5, 3.5, 10, 10], "iscrowd": 0, "area": 1.0},
        {"id": 5, "image_id": 724, "category_id": 18, "bbox": [1, 1, 5, 5], "iscrowd": 0, "area": 1.0},
    ]
    write(os.path.join(root, "instances_val2017.json"),
          {"info": {}, "licenses": [], "images": images, "annotations": annotations, "categories": categories})
    captions = [{"id": 11, "image_id": 139, "caption": "A Man  playing with his dog."},
                {"id": 12, "image_id": 139, "caption": "Second caption."},
                {"id": 13, "image_id": 632, "caption": "An empty \"blue\" room. "},
                {"id": 14, "image_id": 724, "caption": "No picture."}]
    write(os.path.join(root, "captions_val2017.json"), {"images": images, "annotations": captions})
    names = {c["id"]: norm(c["name"]) for c in categories}
    expected = []
    for im in images:
        if im["id"] == 724: continue
        objs = [(names[a["category_id"]], xywh(a["bbox"])) for a in annotations
                if a["image_id"] == im["id"] and not a["iscrowd"]]
        cap = next((c["caption"] for c in captions if c["image_id"] == im["id"]), None)
        expected.append(record(str(im["id"]), im["file_name"], objs, [], cap, None, "caption"))
    write(os.path.join(root, "expected.json"), {"records": expected, "missing": 1, "crowd": 1})

# MARK: OpenPSG
def openpsg():
    root = os.path.join(OUT, "openpsg")
    picture(os.path.join(root, "coco", "val2017", "000000000872.jpg"), (90, 70), (120, 60, 10))
    picture(os.path.join(root, "coco", "train2017", "000000107902.jpg"), (60, 50), (10, 90, 160))
    thing = ["person", "bicycle", "dog"]
    stuff = ["grass-merged", "Sky-Other-Merged"]
    predicates = ["over", "in front of", "riding", "beside"]
    data = [
        {"file_name": "val2017/000000000872.jpg", "height": 70, "width": 90, "image_id": "872",
         "pan_seg_file_name": "panoptic_val2017/000000000872.png",
         "segments_info": [{"id": 1, "category_id": 0, "iscrowd": 0, "isthing": 1, "area": 10}],
         "annotations": [{"bbox": [10.0, 10.0, 40.6, 60.0], "bbox_mode": 0, "category_id": 0},
                         {"bbox": [30.0, 20.0, 80.0, 69.0], "bbox_mode": 0, "category_id": 1},
                         {"bbox": [0.0, 50.0, 90.0, 70.0], "bbox_mode": 0, "category_id": 3},
                         {"bbox": [60.0, 5.0, 120.0, 40.0], "bbox_mode": 0, "category_id": 0}],
         "relations": [[0, 1, 2], [0, 2, 1], [0, 3, 3]]},
        {"file_name": "train2017/000000107902.jpg", "height": 50, "width": 60, "image_id": "107902",
         "pan_seg_file_name": "panoptic_train2017/000000107902.png", "segments_info": [],
         "annotations": [{"bbox": [5, 5, 25, 30], "bbox_mode": 0, "category_id": 2},
                         {"bbox": [0, 0, 60, 20], "bbox_mode": 0, "category_id": 4}],
         "relations": [[1, 0, 0]]},
    ]
    write(os.path.join(root, "psg.json"), {"data": data, "thing_classes": thing, "stuff_classes": stuff,
                                          "predicate_classes": predicates, "test_image_ids": ["872"]})
    classes = [norm(c) for c in thing + stuff]
    expected = []
    for d in data:
        objs = [(classes[a["category_id"]], [int(v) for v in a["bbox"]]) for a in d["annotations"]]
        rels = [(objs[s][0], norm(predicates[p]), objs[o][0], objs[s][1], objs[o][1]) for s, o, p in d["relations"]]
        expected.append(record(d["image_id"], d["file_name"], objs, rels, None,
                               "test" if d["image_id"] == "872" else "train", "relation"))
    write(os.path.join(root, "expected.json"), {"records": expected, "missing": 0})

# MARK: Visual Genome
def visual_genome():
    root = os.path.join(OUT, "visual-genome")
    picture(os.path.join(root, "VG_100K", "1.jpg"), (100, 80), (30, 30, 30))
    picture(os.path.join(root, "VG_100K_2", "2.jpg"), (70, 90), (220, 220, 30))
    picture(os.path.join(root, "VG_100K_2", "3.jpg"), (50, 50), (90, 10, 90))
    image_data = [
        {"image_id": 1, "url": "https://cs.stanford.edu/people/rak248/VG_100K/1.jpg", "width": 100, "height": 80, "coco_id": None, "flickr_id": None},
        {"image_id": 2, "url": "https://cs.stanford.edu/people/rak248/VG_100K_2/2.jpg", "width": 70, "height": 90, "coco_id": 5, "flickr_id": None},
        {"image_id": 3, "url": "https://cs.stanford.edu/people/rak248/VG_100K_2/3.jpg", "width": 50, "height": 50, "coco_id": None, "flickr_id": 7},
        {"image_id": 4, "url": "https://cs.stanford.edu/people/rak248/VG_100K/4.jpg", "width": 50, "height": 50, "coco_id": None, "flickr_id": 7},
    ]
    objects = [
        {"image_id": 1, "objects": [
            {"object_id": 10, "x": 5, "y": 6, "w": 30, "h": 40, "names": ["Man"], "synsets": ["man.n.01"]},
            {"object_id": 11, "x": 40, "y": 10, "w": 50, "h": 60, "names": ["horse", "pony"], "synsets": []},
            {"object_id": 12, "x": 0, "y": 70, "w": 100, "h": 10, "names": ["t\u00e9l\u00e9 \"set\""], "synsets": []},
            {"object_id": 13, "x": 1, "y": 1, "w": 1, "h": 1, "names": [], "synsets": []}]},
        {"image_id": 2, "objects": [
            {"object_id": 20, "x": 10, "y": 10, "w": 20, "h": 20, "names": ["cup"], "synsets": []}]},
        {"image_id": 3, "objects": [
            {"object_id": 30, "x": 10, "y": 10, "w": 20, "h": 20, "names": ["tree"], "synsets": []}]},
        {"image_id": 4, "objects": [
            {"object_id": 40, "x": 1, "y": 1, "w": 2, "h": 2, "names": ["rock"], "synsets": []}]},
    ]
    relationships = [  # image 3 before image 2: out of step with objects.json
        {"image_id": 1, "relationships": [
            {"relationship_id": 100, "predicate": "  Riding ", "synsets": [],
             "subject": {"object_id": 10, "x": 5, "y": 6, "w": 30, "h": 40, "name": "man"},
             "object": {"object_id": 11, "x": 40, "y": 10, "w": 50, "h": 60, "names": ["horse"]}},
            {"relationship_id": 101, "predicate": "ON  TOP of", "synsets": [],
             "subject": {"object_id": 14, "x": 20, "y": 0, "w": 10, "h": 8, "names": ["Hat"]},
             "object": {"object_id": 10, "x": 5, "y": 6, "w": 30, "h": 40, "names": ["man"]}},
            {"relationship_id": 102, "predicate": "  ", "synsets": [],
             "subject": {"object_id": 10, "x": 5, "y": 6, "w": 30, "h": 40, "names": ["man"]},
             "object": {"object_id": 11, "x": 40, "y": 10, "w": 50, "h": 60, "names": ["horse"]}}]},
        {"image_id": 3, "relationships": []},
        {"image_id": 2, "relationships": [
            {"relationship_id": 200, "predicate": "next to", "synsets": [],
             "subject": {"object_id": 20, "x": 10, "y": 10, "w": 20, "h": 20, "names": ["cup"]},
             "object": {"object_id": 21, "x": 60, "y": 80, "w": 40, "h": 40, "name": "Cup"}}]},
    ]
    write(os.path.join(root, "image_data.json"), image_data)
    write(os.path.join(root, "objects.json"), objects)
    write(os.path.join(root, "relationships.json"), relationships)
    expected = []
    left_out = 0
    urls = {d["image_id"]: d["url"].rsplit("/", 1)[1] for d in image_data}
    rel_by = {r["image_id"]: r["relationships"] for r in relationships}
    def obj(o):
        name = o["names"][0] if "names" in o else o["name"]
        return norm(name), xywh([o["x"], o["y"], o["w"], o["h"]]), o.get("object_id")
    for entry in objects:
        if entry["image_id"] == 4: continue  # picture missing
        objs, ids = [], set()
        for o in entry["objects"]:
            if not o["names"]:
                left_out += 1
                continue
            n, b, i = obj(o)
            objs.append((n, b)); ids.add(i)
        rels = []
        for r in rel_by.get(entry["image_id"], []):
            p = norm(r["predicate"])
            if not p:
                left_out += 1
                continue
            s, o = obj(r["subject"]), obj(r["object"])
            for party in (s, o):
                if party[2] not in ids:
                    ids.add(party[2]); objs.append((party[0], party[1]))
            rels.append((s[0], p, o[0], s[1], o[1]))
        expected.append(record(str(entry["image_id"]), urls[entry["image_id"]], objs, rels, None, None, "relation"))
    write(os.path.join(root, "expected.json"), {"records": expected, "missing": 1, "left_out": left_out})

coco()
openpsg()
visual_genome()

# MARK: Action Genome (pickles with numpy arrays; frames are PNG files, as the dataset's frame dumps are)
def action_genome():
    import pickle
    import numpy as np
    root = os.path.join(OUT, "action-genome")
    ann = os.path.join(root, "annotations")
    os.makedirs(ann, exist_ok=True)
    frames = os.path.join(root, "frames")
    for key, size, colour in [("50N4E.mp4/000682.png", (96, 72), (100, 100, 20)),
                              ("50N4E.mp4/000701.png", (96, 72), (90, 110, 30)),
                              ("0A8CF.mp4/000011.png", (80, 60), (20, 60, 200))]:
        picture(os.path.join(frames, key), size, colour, "PNG")
    person = {
        "50N4E.mp4/000682.png": {"bbox": np.array([[10.5, 4.2, 50.9, 70.0]], dtype=np.float32),
                                 "bbox_score": np.array([0.98], dtype=np.float32), "bbox_size": (96, 72),
                                 "bbox_mode": "xyxy", "keypoints": np.zeros((1, 17, 3), dtype=np.float32),
                                 "keypoints_logits": np.zeros((1, 17), dtype=np.float32)},
        "50N4E.mp4/000701.png": {"bbox": np.zeros((0, 4), dtype=np.float32), "bbox_score": np.float32(0.5),
                                 "bbox_size": (96, 72), "bbox_mode": "xyxy"},
        "0A8CF.mp4/000011.png": {"bbox": np.array([[0, 0, 40, 60]], dtype=np.float64), "bbox_score": np.array([0.7]),
                                 "bbox_size": (80, 60), "bbox_mode": "xyxy"},
        "ZZZZZ.mp4/000001.png": {"bbox": np.array([[1, 1, 5, 5]], dtype=np.float32), "bbox_size": (10, 10),
                                 "bbox_mode": "xyxy"},  # no frame on disk
    }
    def obj(cls, bbox, visible, att, spa, con, tag, split):
        return {"class": cls, "bbox": bbox, "visible": visible, "attention_relationship": att,
                "spatial_relationship": spa, "contacting_relationship": con,
                "metadata": {"tag": tag, "set": split}}
    objects = {
        "50N4E.mp4/000682.png": [
            obj("cup/glass/bottle", (60.2, 30.7, 10.0, 12.5), True, ["looking_at"], ["in_front_of"], ["holding", "touching"], "50N4E.mp4/cup/000682", "train"),
            obj("table", (40.0, 50.0, 56.0, 22.0), True, ["not_looking_at"], ["beneath", "on_the_side_of"], ["not_contacting"], "50N4E.mp4/table/000682", "train"),
            obj("chair", None, False, None, None, None, "50N4E.mp4/chair/000682", "train"),
        ],
        "50N4E.mp4/000701.png": [
            obj("door", (0.0, 0.0, 20.0, 60.0), True, ["unsure"], ["behind"], ["other_relationship"], "50N4E.mp4/door/000701", "train"),
        ],
        "0A8CF.mp4/000011.png": [
            obj("phone/camera", (30, 20, 15, 10), True, ["looking_at"], ["in"], ["have_it_on_the_back"], "0A8CF.mp4/phone/000011", "test"),
        ],
        "ZZZZZ.mp4/000001.png": [
            obj("bed", (1, 1, 3, 3), True, ["looking_at"], ["above"], ["lying_on"], "ZZZZZ.mp4/bed/000001", "test"),
        ],
    }
    with open(os.path.join(ann, "person_bbox.pkl"), "wb") as f:
        pickle.dump(person, f, protocol=4)
    with open(os.path.join(ann, "object_bbox_and_relationship.pkl"), "wb") as f:
        pickle.dump(objects, f, protocol=2)
    expected, left_out = [], 0
    for key in sorted(person):
        if key.startswith("ZZZZZ"): continue
        boxes = person[key]["bbox"]
        objs, rels = [], []
        p = None
        if boxes.shape[0] > 0:
            p = ("person", [int(v) for v in boxes[0].tolist()])
            objs.append(p)
        for o in objects[key]:
            if not o["visible"] or o["bbox"] is None:
                left_out += 1
                continue
            b = xywh(o["bbox"])
            objs.append((o["class"], b))
            preds = (o["attention_relationship"] or []) + (o["spatial_relationship"] or []) + (o["contacting_relationship"] or [])
            for r in preds:
                if p is None:
                    left_out += 1
                    continue
                rels.append(("person", norm(r.replace("_", " ")), o["class"], p[1], b))
        split = objects[key][0]["metadata"]["set"]
        expected.append(record(key, key, objs, rels, None, "test" if split == "test" else "train", "relation"))
    write(os.path.join(root, "expected.json"), {"records": expected, "missing": 1, "left_out": left_out})

    # numpy arrays of several kinds, for the unpickler's own tests.
    arrays = {"f4": np.array([[1.5, -2.25], [3.0, 4.0]], dtype=np.float32),
              "f8_fortran": np.asfortranarray(np.arange(6, dtype=np.float64).reshape(2, 3)),
              "i8": np.array([-3, 7, 1 << 40], dtype=np.int64), "u1": np.array([0, 255], dtype=np.uint8),
              "b1": np.array([True, False, True]), "f2": np.array([0.5, -1.0], dtype=np.float16),
              "be_i4": np.array([1, -2], dtype=">i4"), "empty": np.zeros((0, 4), dtype=np.float32),
              "scalar_f4": np.float32(2.5), "scalar_i8": np.int64(-9)}
    values = {k: (v.tolist() if isinstance(v, np.ndarray) else v.item()) for k, v in arrays.items()}
    shapes = {k: list(v.shape) for k, v in arrays.items() if isinstance(v, np.ndarray)}
    for protocol in (2, 4, 5):
        with open(os.path.join(root, f"arrays_protocol{protocol}.pkl"), "wb") as f:
            pickle.dump(arrays, f, protocol=protocol)
    write(os.path.join(root, "arrays.json"), {"values": values, "shapes": shapes})

action_genome()
