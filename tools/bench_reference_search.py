#!/usr/bin/env python3
"""Times faiss on the collection and queries `scenarioclip bench search` uses, on this machine.

`scenarioclip bench search --export-npy DIR` writes its synthetic collection (the unit rows exactly as indexed) and
its queries to DIR/collection.npy and DIR/queries.npy; this script reads them and times, with the same thread count:
  - exact search, `IndexFlatIP` (also the ground truth for recall@k);
  - `IVF<lists>,Flat` (inner product) at the smallest nprobe of --nprobe whose recall@k reaches --target-recall,
    and at every nprobe tried;
  - `IVF<lists>,SQ8` (8-bit scalar quantiser, no re-rank) at the same nprobe values.
The coarse quantiser (k-means, shared by both IVF indexes) is trained on --train rows sampled with a fixed seed
(40 per list, as `bench search` trains its own k-means). Each query is searched on its own (one `search` call per query, as `bench search` times its queries)
and the per-query times are summarised like `bench search` does; "batch" is one `search` call for all queries,
per query. Run it alternately with `bench search` so that both are measured under the same load; the VM's load
average is printed with the figures.

    pip install faiss-cpu numpy
    scenarioclip bench search --export-npy /tmp/search-npy
    python3 tools/bench_reference_search.py /tmp/search-npy --threads 2 [--json]

Nothing here is used by the tests; the figures go in docs/PERFORMANCE.md.
"""
import argparse
import json
import os
import statistics
import sys
import time

import numpy as np


def summary(ms):
    s = sorted(ms)
    return {
        "mean": sum(s) / len(s),
        "median": s[len(s) // 2],
        "p90": s[min(len(s) - 1, len(s) * 9 // 10)],
        "min": s[0],
    }


def timed_single(index, queries, k):
    """Per-query latency (ms) of one `search` call per query, and the found ids."""
    index.search(queries[:1], k)  # warm-up
    times, ids = [], []
    for i in range(len(queries)):
        q = queries[i : i + 1]
        start = time.perf_counter()
        _, found = index.search(q, k)
        times.append((time.perf_counter() - start) * 1000)
        ids.append(found[0])
    return times, np.stack(ids)


def timed_batch(index, queries, k):
    start = time.perf_counter()
    _, found = index.search(queries, k)
    return (time.perf_counter() - start) * 1000 / len(queries), found


def recall(found, truth, k):
    hits = sum(len(set(f[:k].tolist()) & set(t[:k].tolist())) for f, t in zip(found, truth))
    return hits / (len(truth) * k)


def start_ours(command):
    """Starts `bench search ... --wait-for-input` (a shell command line) with pipes to alternate with it."""
    import subprocess

    return subprocess.Popen(command, shell=True, stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True, bufsize=1)


def ours_round(ours, r, last, log):
    """Lets `bench search` run its round `r` and echoes its output; after the last round, waits for it to finish
    (its text-encoding measurements) so that nothing of ours runs while faiss is timed."""
    for line in ours.stdout:
        log("ours: " + line.rstrip())
        if line.startswith(f"ready for round {r}"):
            break
    else:
        raise SystemExit(f"bench search ended before round {r} (exit status {ours.wait()})")
    ours.stdin.write("\n")
    ours.stdin.flush()
    for line in ours.stdout:
        log("ours: " + line.rstrip())
        if line.startswith(f"round {r} done") and not last:
            return
    if ours.wait() != 0:
        raise SystemExit(f"bench search failed (exit status {ours.returncode})")


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("directory", help="directory holding collection.npy and queries.npy from bench search --export-npy")
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--k", type=int, default=10)
    parser.add_argument("--lists", type=int, default=1000)
    parser.add_argument("--train", type=int, default=None, help="training rows (default 40 per list)")
    parser.add_argument("--nprobe", type=str, default="16,24,32,48,62,80,100,128",
                        help="comma-separated nprobe values tried, ascending")
    parser.add_argument("--target-recall", type=float, default=0.99)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--rounds", type=int, default=1, help="rounds of the timed searches")
    parser.add_argument("--ours", help="command line of `scenarioclip bench search ... --rounds N --wait-for-input`: "
                        "started here, its rounds alternate with this script's (ours first), its output echoed")
    parser.add_argument("--json", action="store_true", help="print one JSON object instead of text")
    args = parser.parse_args()

    import faiss

    faiss.omp_set_num_threads(args.threads)
    xb = np.load(os.path.join(args.directory, "collection.npy"))
    xq = np.ascontiguousarray(np.load(os.path.join(args.directory, "queries.npy")), dtype=np.float32)
    xb = np.ascontiguousarray(xb, dtype=np.float32)
    n, d = xb.shape
    k = args.k
    probes = [int(p) for p in args.nprobe.split(",")]
    out = {
        "faiss": faiss.__version__,
        "threads": args.threads,
        "collection": [n, d],
        "queries": len(xq),
        "k": k,
        "load_average": os.getloadavg(),
        "simd": faiss.get_compile_options() if hasattr(faiss, "get_compile_options") else "",
    }
    log = (lambda *a: None) if args.json else (lambda *a: print(*a, flush=True))
    log(f"faiss {out['faiss']} ({out['simd']}), {args.threads} threads, {n} × {d}, {len(xq)} queries, top-{k}, "
        f"load average {' '.join(f'{v:.2f}' for v in out['load_average'])}")

    # Build everything first: IndexFlatIP (exact, the ground truth), IVF-Flat, whose training builds the coarse
    # quantiser (k-means), and IVF-SQ8 on the same quantiser, so both IVF indexes scan the same lists.
    ours = start_ours(args.ours) if args.ours else None
    start = time.perf_counter()
    flat = faiss.IndexFlatIP(d)
    flat.add(xb)
    rng = np.random.default_rng(args.seed)
    sample = xb[np.sort(rng.choice(n, size=min(n, args.train or 40 * args.lists), replace=False))]
    quantizer = faiss.IndexFlatIP(d)
    ivf_flat = faiss.IndexIVFFlat(quantizer, d, args.lists, faiss.METRIC_INNER_PRODUCT)
    ivf_flat.train(sample)
    ivf_flat.add(xb)
    ivf_sq8 = faiss.IndexIVFScalarQuantizer(quantizer, d, args.lists, faiss.ScalarQuantizer.QT_8bit,
                                            faiss.METRIC_INNER_PRODUCT)
    ivf_sq8.train(sample)
    ivf_sq8.add(xb)
    del xb, sample
    out["build_s"] = time.perf_counter() - start
    log(f"faiss indexes built in {out['build_s']:.1f} s ({min(n, args.train or 40 * args.lists)} training rows, "
        f"{args.lists} lists)")

    out["rounds"] = []
    for r in range(1, args.rounds + 1):
        if ours:
            ours_round(ours, r, last=(r == args.rounds), log=log)
        load = os.getloadavg()
        log(f"faiss round {r} of {args.rounds} (load average {' '.join(f'{v:.2f}' for v in load)})")
        result = {"load_average": load}
        times, truth = timed_single(flat, xq, k)
        batch, _ = timed_batch(flat, xq, k)
        result["exact"] = {"per_query_ms": summary(times), "batch_per_query_ms": batch,
                           "read_gb_per_s": n * d * 4 / (summary(times)["median"] / 1000) / 1e9}
        log("exact (IndexFlatIP): median %.1f ms, mean %.1f ms, min %.1f ms (%.1f GB/s at the median); batch %.1f ms per query"
            % (result["exact"]["per_query_ms"]["median"], result["exact"]["per_query_ms"]["mean"],
               result["exact"]["per_query_ms"]["min"], result["exact"]["read_gb_per_s"], batch))
        tried = []
        for key, index in ((f"IVF{args.lists},Flat", ivf_flat), (f"IVF{args.lists},SQ8", ivf_sq8)):
            runs = []
            for p in (probes if key.endswith("Flat") else tried):
                index.nprobe = p
                times, found = timed_single(index, xq, k)
                batch, _ = timed_batch(index, xq, k)
                rc = recall(found, truth, k)
                runs.append({"nprobe": p, "per_query_ms": summary(times), "batch_per_query_ms": batch, "recall": rc})
                log("%s nprobe %d: median %.2f ms, mean %.2f ms, min %.2f ms; batch %.2f ms per query; recall@%d %.4f"
                    % (key, p, runs[-1]["per_query_ms"]["median"], runs[-1]["per_query_ms"]["mean"],
                       runs[-1]["per_query_ms"]["min"], batch, k, rc))
                if key.endswith("Flat") and rc >= args.target_recall:
                    break  # a larger nprobe only costs more
            if key.endswith("Flat"):
                tried = [x["nprobe"] for x in runs]  # SQ8 at the nprobe values Flat tried
                chosen = next((x["nprobe"] for x in runs if x["recall"] >= args.target_recall), None)
                log(f"{key}: smallest nprobe with recall@{k} ≥ {args.target_recall}: "
                    + (str(chosen) if chosen else "none of those tried"))
                result["chosen_nprobe"] = chosen
            result[key] = runs
        out["rounds"].append(result)
    if ours:
        ours.wait()
    if args.json:
        json.dump(out, sys.stdout, indent=1)
        print()


if __name__ == "__main__":
    main()
