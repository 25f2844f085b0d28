"""Writes broken variants of a PraNet checkpoint for the converter's error tests.

  /usr/bin/python3 tools/reference/break_checkpoint.py IN.pth OUT_DIR

OUT_DIR/missing.pth   one key removed (rfb2_1.conv_res.conv.weight) and one added (extra.weight)
OUT_DIR/shape.pth     agg1.conv5.weight with a wrong shape
OUT_DIR/nan.pth       a NaN in ra2_conv2.conv.weight
"""
import os
import sys

import torch


def main():
    src, out = sys.argv[1], sys.argv[2]
    os.makedirs(out, exist_ok=True)
    sd = torch.load(src, map_location="cpu")

    missing = dict(sd)
    del missing["rfb2_1.conv_res.conv.weight"]
    missing["extra.weight"] = torch.zeros(3)
    torch.save(missing, os.path.join(out, "missing.pth"))

    shape = dict(sd)
    w = shape["agg1.conv5.weight"]
    shape["agg1.conv5.weight"] = torch.zeros(w.shape[0], w.shape[1] + 1, 1, 1)
    torch.save(shape, os.path.join(out, "shape.pth"))

    nan = dict(sd)
    w = nan["ra2_conv2.conv.weight"].clone()
    w.view(-1)[5] = float("nan")
    nan["ra2_conv2.conv.weight"] = w
    torch.save(nan, os.path.join(out, "nan.pth"))


if __name__ == "__main__":
    main()
