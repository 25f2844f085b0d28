"""Exports a PraNet to ONNX (opset 13) for benchmarking: input 'image' (1x3xSxS float32), outputs
lateral_map_5, lateral_map_4, lateral_map_3, lateral_map_2 (logits).

  /usr/bin/python3 tools/reference/export_onnx.py --config compact --weights best.pth --out model.onnx
Without --weights the model keeps its seeded random initialisation."""
import argparse
import os
import sys

import torch

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from pranet import PraNet  # noqa: E402
from pranet_config import preset  # noqa: E402

OUTPUTS = ["lateral_map_5", "lateral_map_4", "lateral_map_3", "lateral_map_2"]


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--config", required=True, help="preset name: official, tiny, compact")
    ap.add_argument("--weights", help="state_dict file (.pth) matching the config")
    ap.add_argument("--out", required=True)
    ap.add_argument("--size", type=int, default=352)
    ap.add_argument("--seed", type=int, default=0)
    args = ap.parse_args()
    torch.manual_seed(args.seed)
    model = PraNet(preset(args.config))
    if args.weights:
        model.load_state_dict(torch.load(args.weights, map_location="cpu"))
    model.eval()
    dummy = torch.zeros(1, 3, args.size, args.size)
    torch.onnx.export(model, dummy, args.out, opset_version=13, input_names=["image"], output_names=OUTPUTS,
                      do_constant_folding=True)
    print(f"wrote {args.out} ({os.path.getsize(args.out) / 1e6:.1f} MB)")


if __name__ == "__main__":
    main()
