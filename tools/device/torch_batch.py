"""PyTorch eager, the GPU anchor for the engine's batch throughput: forward passes of one batch of random
normalised images through any weights the engine runs, timed between CUDA synchronizations (fp32, TF32 off,
as the engine computes). Prints one JSON line: {"device", "batch", "size", "median_ms", "images_per_s", "runs"}.

  python3 tools/device/torch_batch.py --weights model.pth --batch 16 [--size 352] [--runs 20] [--device cuda]
"""
import argparse
import json
import os
import statistics
import sys
import time

import torch

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "reference"))
from any_weights import load_model  # noqa: E402


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--weights", required=True)
    ap.add_argument("--batch", type=int, default=16)
    ap.add_argument("--size", type=int, default=352)
    ap.add_argument("--runs", type=int, default=20)
    ap.add_argument("--device", default="cuda" if torch.cuda.is_available() else "cpu")
    args = ap.parse_args()
    device = torch.device(args.device)
    torch.backends.cuda.matmul.allow_tf32 = False
    torch.backends.cudnn.allow_tf32 = False
    model = load_model(args.weights).to(device)
    x = torch.randn(args.batch, 3, args.size, args.size, generator=torch.Generator().manual_seed(0)).to(device)
    sync = torch.cuda.synchronize if device.type == "cuda" else (lambda: None)
    times = []
    with torch.no_grad():
        for i in range(args.runs + 2):  # two warm-ups
            sync()
            t = time.perf_counter()
            model(x)
            sync()
            if i >= 2:
                times.append(1000 * (time.perf_counter() - t))
    ms = statistics.median(times)
    print(json.dumps({"device": str(device), "batch": args.batch, "size": args.size, "median_ms": ms,
                      "images_per_s": 1000 * args.batch / ms, "runs": args.runs}))


if __name__ == "__main__":
    main()
