#!/usr/bin/env python3
"""Times the reference engines on the shapes `scenarioclip bench engine` uses, on this machine.

Builds a Hugging Face `CLIPModel` with openai/clip-vit-base-patch32's shapes (the default `CLIPConfig`) and random
weights, then times, with the same thread count:
  - PyTorch (eager, `torch.inference_mode`): `get_image_features` at batch 1 and 16 (per image) and
    `get_text_features` on an 8-token and a 77-token text;
  - ONNX Runtime: the same two towers exported to ONNX (dynamic batch and sequence axes), all graph
    optimisations on.
Each figure is the median of the timed runs after warm-up. Run it beside `scenarioclip bench engine` (alternate
the two) so that both are measured under the same load; the VM's load average is printed with the figures.

    pip install torch transformers onnx onnxruntime
    python3 tools/bench_reference_engines.py --threads 2 --iterations 10 [--skip-pytorch] [--json]

Nothing here is used by the tests; the figures go in the README's speed table and the issue notes.
"""
import argparse
import json
import os
import statistics
import sys
import tempfile
import time


def features(output):
    """The projected features: a tensor in transformers 4, the output's pooler_output in transformers 5."""
    return output if hasattr(output, "numpy") else output.pooler_output


def median_ms(fn, iterations, per=1):
    fn()  # warm-up
    fn()
    times = []
    for _ in range(iterations):
        start = time.perf_counter()
        fn()
        times.append((time.perf_counter() - start) * 1000 / per)
    return statistics.median(times), min(times)


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--iterations", type=int, default=10)
    parser.add_argument("--skip-onnx", action="store_true")
    parser.add_argument("--skip-pytorch", action="store_true", help="time ONNX Runtime only (PyTorch still builds the graphs)")
    parser.add_argument("--json", action="store_true", help="print one JSON object instead of a table")
    args = parser.parse_args()

    import numpy as np
    import torch
    import transformers
    from transformers import CLIPConfig, CLIPModel

    torch.manual_seed(0)
    torch.set_num_threads(args.threads)
    torch.set_num_interop_threads(1)
    model = CLIPModel(CLIPConfig()).eval()
    pixels1 = torch.randn(1, 3, 224, 224)
    pixels16 = torch.randn(16, 3, 224, 224)
    ids8 = torch.randint(1, 49000, (1, 8))
    ids77 = torch.randint(1, 49000, (1, 77))
    ids8[0, -1] = 49407
    ids77[0, -1] = 49407
    results = {"load_average": os.getloadavg()[0], "threads": args.threads, "iterations": args.iterations,
               "versions": {"torch": torch.__version__, "transformers": transformers.__version__}}

    with torch.inference_mode():
        torch_figures = {} if args.skip_pytorch else {
            "image_batch1_ms": median_ms(lambda: model.get_image_features(pixel_values=pixels1), args.iterations),
            "image_batch16_ms_per_image": median_ms(lambda: model.get_image_features(pixel_values=pixels16),
                                                    max(2, args.iterations // 4), per=16),
            "text_8_tokens_ms": median_ms(lambda: model.get_text_features(input_ids=ids8), args.iterations),
            "text_77_tokens_ms": median_ms(lambda: model.get_text_features(input_ids=ids77), args.iterations),
        }
    if torch_figures:
        results["pytorch"] = torch_figures

    if not args.skip_onnx:
        import onnxruntime as ort
        results["versions"]["onnxruntime"] = ort.__version__

        class Tower(torch.nn.Module):
            """One tower's projected features as a module, for the ONNX export."""
            def __init__(self, m, image):
                super().__init__()
                self.m, self.image = m, image

            def forward(self, x):
                if self.image:
                    return features(self.m.get_image_features(pixel_values=x))
                return features(self.m.get_text_features(input_ids=x))

        # The two exported graphs (~580 MB) live only as long as this run.
        scratch = tempfile.TemporaryDirectory(prefix="clip-onnx-")
        folder = scratch.name
        vision_path = os.path.join(folder, "vision.onnx")
        text_path = os.path.join(folder, "text.onnx")
        with torch.no_grad():
            torch.onnx.export(Tower(model, image=True), (pixels1,), vision_path, input_names=["pixel_values"],
                              output_names=["image_embeds"], dynamic_axes={"pixel_values": {0: "batch"}},
                              opset_version=17, dynamo=False)
            torch.onnx.export(Tower(model, image=False), (ids8,), text_path, input_names=["input_ids"],
                              output_names=["text_embeds"], dynamic_axes={"input_ids": {0: "batch", 1: "sequence"}},
                              opset_version=17, dynamo=False)
        options = ort.SessionOptions()
        options.intra_op_num_threads = args.threads
        options.inter_op_num_threads = 1
        options.graph_optimization_level = ort.GraphOptimizationLevel.ORT_ENABLE_ALL
        vision = ort.InferenceSession(vision_path, options, providers=["CPUExecutionProvider"])
        text = ort.InferenceSession(text_path, options, providers=["CPUExecutionProvider"])
        p1, p16 = pixels1.numpy(), pixels16.numpy()
        t8, t77 = ids8.numpy().astype(np.int64), ids77.numpy().astype(np.int64)
        # The exported graphs compute what PyTorch computes.
        with torch.inference_mode():
            ref = features(model.get_image_features(pixel_values=pixels1)).numpy()
        got = vision.run(None, {"pixel_values": p1})[0]
        results["onnx_max_abs_diff_image"] = float(np.abs(ref - got).max())
        results["onnxruntime"] = {
            "image_batch1_ms": median_ms(lambda: vision.run(None, {"pixel_values": p1}), args.iterations),
            "image_batch16_ms_per_image": median_ms(lambda: vision.run(None, {"pixel_values": p16}),
                                                    max(2, args.iterations // 4), per=16),
            "text_8_tokens_ms": median_ms(lambda: text.run(None, {"input_ids": t8}), args.iterations),
            "text_77_tokens_ms": median_ms(lambda: text.run(None, {"input_ids": t77}), args.iterations),
        }
        del vision, text
        scratch.cleanup()

    if args.json:
        print(json.dumps(results, indent=1))
        return
    print(f"reference engines: ViT-B/32 shapes, random weights, {args.threads} thread(s), median (best) of "
          f"{args.iterations} runs, load {results['load_average']:.2f}")
    for engine in ("pytorch", "onnxruntime"):
        if engine not in results:
            continue
        figures = results[engine]
        print(f"  {engine:12s} " + "  ".join(f"{name} {m:.1f} ({b:.1f})" for name, (m, b) in figures.items()))


if __name__ == "__main__":
    sys.exit(main())
