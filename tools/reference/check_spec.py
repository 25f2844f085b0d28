"""Checks the reference model against numbers in docs/pranet.md that were measured independently: conv
MACs at 352x352 (Compute cost), the data-flow shapes (Data flow), the stage-block avg-pool border values
(Backbone) and the bilinear formulas (Interpolation, compared with a NumPy implementation)."""
import os
import sys

import numpy as np
import torch
import torch.nn.functional as F

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from pranet import PraNet  # noqa: E402
from pranet_config import preset  # noqa: E402

SHAPES_352 = {"x1": (256, 88), "x2": (512, 44), "x3": (1024, 22), "x4": (2048, 11), "x2_rfb": (32, 44),
              "x3_rfb": (32, 22), "x4_rfb": (32, 11), "ra5_feat": (1, 44), "crop_4": (1, 11), "s4": (1, 11),
              "crop_3": (1, 22), "s3": (1, 22), "crop_2": (1, 44), "s2": (1, 44), "lateral_map_5": (1, 352),
              "lateral_map_4": (1, 352), "lateral_map_3": (1, 352), "lateral_map_2": (1, 352)}


def check_macs_and_shapes():
    model = PraNet(preset("official")).eval()
    macs = {"backbone": 0, "head": 0}

    def hook(name):
        def count(mod, inp, out):
            k = mod.kernel_size[0] * mod.kernel_size[1] * mod.in_channels // mod.groups
            macs["backbone" if name.startswith("resnet.") else "head"] += out.numel() * k
        return count

    for name, mod in model.named_modules():
        if isinstance(mod, torch.nn.Conv2d):
            mod.register_forward_hook(hook(name))
    with torch.no_grad():
        out = model.forward_with_intermediates(torch.randn(1, 3, 352, 352))
    assert macs["backbone"] == 11_094_364_160, f"backbone MACs {macs['backbone']:,}, docs/pranet.md says 11,094,364,160"
    assert macs["head"] == 1_907_873_792, f"head MACs {macs['head']:,}, docs/pranet.md says 1,907,873,792"
    for name, (c, s) in SHAPES_352.items():
        got = tuple(out[name].shape)
        assert got == (1, c, s, s), f"{name}: shape {got}, docs/pranet.md (Data flow) says {(1, c, s, s)}"


def check_stage_pool():
    pool = PraNet(preset("tiny")).resnet.layer1[0].pool
    y = pool(torch.ones(1, 1, 5, 5))[0, 0]
    assert abs(y[0, 0].item() - 4 / 9) < 1e-7 and abs(y[0, 2].item() - 6 / 9) < 1e-7 and y[2, 2].item() == 1, \
        f"layer1.0.pool border values {y[0, 0].item()}, {y[0, 2].item()}: docs/pranet.md (Backbone) says 4/9 and 6/9"


def resize_1d(v, out, align_corners):
    """The bilinear formulas of docs/pranet.md (Interpolation) along the last axis."""
    n = v.shape[-1]
    d = np.arange(out, dtype=np.float64)
    src = d * (n - 1) / (out - 1) if align_corners else np.maximum(0, (d + 0.5) * (n / out) - 0.5)
    i0 = np.floor(src).astype(int)
    i1 = np.minimum(i0 + 1, n - 1)
    lam = src - i0
    return (1 - lam) * v[..., i0] + lam * v[..., i1]


def resize_2d(x, out, align_corners):
    return resize_1d(resize_1d(x, out, align_corners).swapaxes(-1, -2), out, align_corners).swapaxes(-1, -2)


def check_interpolation():
    rng = np.random.default_rng(0)
    for n, scale, ac in [(44, 8, False), (44, 0.25, False), (11, 32, False), (11, 2, False), (22, 16, False),
                         (11, 2, True), (22, 2, True)]:
        x = rng.standard_normal((1, 1, n, n))
        got = F.interpolate(torch.from_numpy(x), scale_factor=scale, mode="bilinear", align_corners=ac).numpy()
        want = resize_2d(x, int(n * scale), ac)
        err = np.abs(got - want).max()
        assert err < 1e-9, f"bilinear {n}->{int(n * scale)} align_corners={ac}: max diff {err} from the docs/pranet.md formula"
    x = rng.standard_normal((44, 44))
    quarter = F.interpolate(torch.from_numpy(x)[None, None], scale_factor=0.25, mode="bilinear",
                            align_corners=False)[0, 0].numpy()
    want = x.reshape(11, 4, 11, 4)[:, 1:3, :, 1:3].mean(axis=(1, 3))
    assert np.abs(quarter - want).max() < 1e-12, "x0.25 is not the mean of rows/cols {4i+1, 4i+2} (docs/pranet.md, Interpolation)"


def main():
    torch.set_num_threads(2)
    check_stage_pool()
    check_interpolation()
    check_macs_and_shapes()
    print("OK: MACs (11,094,364,160 backbone + 1,907,873,792 head), data-flow shapes, stage pool borders "
          "and bilinear formulas match docs/pranet.md")


if __name__ == "__main__":
    main()
