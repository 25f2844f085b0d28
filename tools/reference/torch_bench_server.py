"""PyTorch CPU as a benchmark peer that stays loaded: builds the model once, then answers each line "run" on
stdin with one forward pass of a fixed input, printing its wall time in milliseconds. A driver can so
interleave its runs with other systems' runs. "quit" or the end of stdin stops it.

  /usr/bin/python3 tools/reference/torch_bench_server.py --weights model.pth --input input.npy

The weights may be a .pth, a .safetensors or the engine's .pnw (any_weights.py); the configuration comes
from their shapes.

Prints "ready <ms to build and load>" once, then one number per "run"; errors go to stderr with exit 1.
"""
import argparse
import os
import sys
import time

import numpy as np
import torch

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from any_weights import load_model  # noqa: E402


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--weights", required=True, help="PraNet weights: .pth, .safetensors or .pnw")
    ap.add_argument("--input", required=True, help=".npy float32 NCHW input, e.g. 1x3x352x352")
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--device", default="cpu", help="cpu or cuda (then each run is timed between two synchronizations)")
    args = ap.parse_args()
    t0 = time.perf_counter()
    torch.set_num_threads(args.threads)
    device = torch.device(args.device)
    if device.type == "cuda" and not torch.cuda.is_available():
        raise RuntimeError("--device cuda: this torch has no CUDA device")
    model = load_model(args.weights).to(device)
    x = torch.from_numpy(np.load(args.input).astype(np.float32))
    if x.dim() != 4 or x.shape[1] != 3:
        raise ValueError(f"{args.input}: input has shape {list(x.shape)}, expected N x 3 x H x W")
    x = x.to(device)
    sync = torch.cuda.synchronize if device.type == "cuda" else (lambda: None)
    print(f"ready {1000 * (time.perf_counter() - t0):.1f}", flush=True)
    with torch.no_grad():
        for line in sys.stdin:
            command = line.strip()
            if command == "quit":
                break
            if command != "run":
                raise ValueError(f"unknown command {command!r}; expected 'run' or 'quit'")
            sync()
            t = time.perf_counter()
            model(x)
            sync()
            print(f"{1000 * (time.perf_counter() - t):.3f}", flush=True)


if __name__ == "__main__":
    try:
        main()
    except Exception as e:  # one line the driver can show
        print(f"torch_bench_server: {type(e).__name__}: {e}", file=sys.stderr)
        sys.exit(1)
