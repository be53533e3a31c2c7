#!/usr/bin/env python3
"""Writes Tests/ScenesTests/Fixtures/reference_splits.json with plain CPython `random`.

The split is the reference's (data/datamodule.py + pretrain.py): `random.seed(42)`, `random.shuffle(records)`,
`train = records[:int(0.7 * n)]`, `test = records[-int(0.2 * n):]`, `val = records[int(0.7 * n):-int(0.2 * n)]`.
Records are stood in for by their positions 0..n-1 in load order, so each list is the positions in the order the
reference holds them. The file also carries raw MT19937 streams (`getrandbits`, `random()`) for a few seeds,
including seeds whose `init_by_array` key has more than one 32-bit word.

Run: python3 tools/make_split_fixtures.py
"""
import json
import os
import random
import sys

SIZES = [0, 1, 2, 3, 4, 5, 7, 10, 100, 1000, 12345]


def reference_split(n, seed=42):
    records = list(range(n))
    random.seed(seed)
    random.shuffle(records)
    train = records[: int(0.7 * n)]
    test = records[-int(0.2 * n):]
    val = records[int(0.7 * n): -int(0.2 * n)]
    return {"n": n, "seed": seed, "train": train, "val": val, "test": test}


def streams():
    result = []
    for seed in [42, 0, 7, 2**32 + 5, 2**63 + 12345]:
        rng = random.Random(seed)
        bits = []
        for k in [32, 1, 5, 31, 33, 53, 64, 0, 17]:
            bits.append({"k": k, "values": [str(rng.getrandbits(k)) for _ in range(5)]})
        floats = [repr(rng.random()) for _ in range(5)]
        below = [{"n": n, "value": rng.randrange(n)} for n in [1, 2, 3, 10, 1000, 2**31 + 1, 12345]]
        result.append({"seed": str(seed), "getrandbits": bits, "random": floats, "randbelow": below})
    return result


def main():
    here = os.path.dirname(os.path.abspath(__file__))
    out = os.path.join(here, "..", "Tests", "ScenesTests", "Fixtures", "reference_splits.json")
    document = {
        "python": sys.version.split()[0],
        "splits": [reference_split(n) for n in SIZES] + [reference_split(10, seed=7)],
        "streams": streams(),
    }
    with open(out, "w") as f:
        json.dump(document, f, separators=(",", ":"))
        f.write("\n")
    print(f"wrote {os.path.normpath(out)}")


if __name__ == "__main__":
    main()
