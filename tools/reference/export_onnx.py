"""Exports a PraNet to ONNX (opset 13) for benchmarking: input 'image' (1x3xSxS float32), outputs
lateral_map_5, lateral_map_4, lateral_map_3, lateral_map_2 (logits).

  /usr/bin/python3 tools/reference/export_onnx.py --weights best.pth --out model.onnx

The weights may be a .pth, a .safetensors or the engine's .pnw (any_weights.py); the configuration comes
from their shapes."""
import argparse
import inspect
import os
import sys

import torch

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from any_weights import load_model  # noqa: E402

OUTPUTS = ["lateral_map_5", "lateral_map_4", "lateral_map_3", "lateral_map_2"]


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--weights", required=True, help="PraNet weights: .pth, .safetensors or .pnw")
    ap.add_argument("--out", required=True)
    ap.add_argument("--size", type=int, default=352)
    args = ap.parse_args()
    model = load_model(args.weights)
    dummy = torch.zeros(1, 3, args.size, args.size)
    # The TorchScript exporter: torch >= 2.9 defaults to the dynamo one, which needs other packages.
    legacy = {"dynamo": False} if "dynamo" in inspect.signature(torch.onnx.export).parameters else {}
    torch.onnx.export(model, dummy, args.out, opset_version=13, input_names=["image"], output_names=OUTPUTS,
                      do_constant_folding=True, **legacy)
    print(f"wrote {args.out} ({os.path.getsize(args.out) / 1e6:.1f} MB)")


if __name__ == "__main__":
    main()
