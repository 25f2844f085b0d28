"""A seeded random PraNet checkpoint for `pranet bench --peers`: the same model make_golden.py builds (default
init, mildly random BN affine, BN statistics measured on Kvasir training images), saved as one zip .pth.

  /usr/bin/python3 tools/reference/make_bench_checkpoint.py --config official|compact|tiny --seed 0 --out FILE.pth
"""
import argparse
import os
import sys
import time

import torch

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from make_golden import build_model  # noqa: E402


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--config", required=True, help="preset name: official, compact, tiny")
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--out", required=True, help="checkpoint file to write (.pth, zip format)")
    ap.add_argument("--calib-images", type=int, default=8, help="Kvasir training images for BN calibration")
    ap.add_argument("--calib-batch", type=int, default=4)
    args = ap.parse_args()
    torch.set_num_threads(2)
    t0 = time.time()
    model = build_model(args.config, args.seed, args.calib_images, args.calib_batch)
    os.makedirs(os.path.dirname(os.path.abspath(args.out)), exist_ok=True)
    partial = args.out + ".partial"
    torch.save(model.state_dict(), partial)
    os.replace(partial, args.out)  # a killed run leaves no half-written checkpoint behind
    print(f"wrote {args.out} ({os.path.getsize(args.out) / 1e6:.1f} MB) in {time.time() - t0:.1f}s")


if __name__ == "__main__":
    main()
