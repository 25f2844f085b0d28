"""Golden data for the engine's parity tests: a seeded random PraNet with realistic batch-norm statistics,
saved as legacy .pth, zip .pth and .safetensors, plus the preprocessed input and f32/f64 outputs as .npy.

  /usr/bin/python3 tools/reference/make_golden.py --config official|tiny --seed 0 --image IMG.png --out DIR
  /usr/bin/python3 tools/reference/make_golden.py --config compact --weights best.pth --image IMG.png --out DIR
(--weights: use a trained state_dict instead of the seeded random model.)

Files written to DIR (names are fixed):
  model.legacy.pth, model.zip.pth, model.safetensors   the same state_dict in three formats
  input.npy                                            1x3x352x352 float32, docs/pranet.md pre-processing
  <tensor>.f32.npy, <tensor>.f64.npy                   for every name in TENSORS (float32 / float64 runs)
  manifest.json                                        config, seed, image, shapes, f32-vs-f64 distances
"""
import argparse
import copy
import json
import os
import sys
import time

import numpy as np
import torch

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from pranet import PraNet  # noqa: E402
from pranet_config import preset  # noqa: E402
from preprocess import load_image  # noqa: E402
from safetensors_io import load_safetensors, save_safetensors  # noqa: E402
from shared_paths import kvasir_train_dir  # noqa: E402

TENSORS = ["x1", "x2", "x3", "x4", "x2_rfb", "x3_rfb", "x4_rfb", "ra5_feat", "crop_4", "s4", "crop_3", "s3",
           "crop_2", "s2", "lateral_map_5", "lateral_map_4", "lateral_map_3", "lateral_map_2"]


def randomise_bn_affine(model, gen):
    """Mildly non-trivial BN scale/shift, so the engine's BN folding is really exercised."""
    for m in model.modules():
        if isinstance(m, torch.nn.BatchNorm2d):
            with torch.no_grad():
                m.weight.copy_(0.7 + 0.6 * torch.rand(m.num_features, generator=gen))
                m.bias.copy_(0.1 * torch.randn(m.num_features, generator=gen))


def calibration_batches(count, batch):
    folder = os.path.join(kvasir_train_dir(), "images")
    names = sorted(os.listdir(folder))[:count]
    if len(names) < count:
        raise FileNotFoundError(f"{folder}: need {count} calibration images, found {len(names)}")
    images = [load_image(os.path.join(folder, n)) for n in names]
    return [torch.cat(images[i:i + batch]) for i in range(0, count, batch)]


@torch.no_grad()
def calibrate_bn(model, batches):
    """Measure running_mean/var on real images: train mode, momentum=None (cumulative average)."""
    bns = [m for m in model.modules() if isinstance(m, torch.nn.BatchNorm2d)]
    for m in bns:
        m.reset_running_stats()
        m.momentum = None
    model.train()
    for x in batches:
        model(x)
    for m in bns:
        m.momentum = 0.1
    model.eval()


def build_model(config, seed, calib_images, calib_batch):
    torch.manual_seed(seed)
    model = PraNet(preset(config))
    randomise_bn_affine(model, torch.Generator().manual_seed(seed + 1))
    calibrate_bn(model, calibration_batches(calib_images, calib_batch))
    return model


def distance(a, b):
    a, b = a.double(), b.double()
    return {"rel_l2": ((a - b).norm() / b.norm().clamp(min=1e-300)).item(), "max_abs": (a - b).abs().max().item()}


def save_checkpoints(model, out, config, seed):
    sd = model.state_dict()
    torch.save(sd, os.path.join(out, "model.legacy.pth"), _use_new_zipfile_serialization=False)
    torch.save(sd, os.path.join(out, "model.zip.pth"))
    path = os.path.join(out, "model.safetensors")
    save_safetensors(sd, path, {"format": "pt", "pranet_config": json.dumps(preset(config).to_dict()),
                                "seed": seed})
    back = load_safetensors(path)
    if list(back) != list(sd) or any(not torch.equal(back[k], v) for k, v in sd.items()):
        raise RuntimeError(f"{path}: read-back differs from the state_dict")


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--config", required=True, help="preset name: official, tiny, compact")
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--image", required=True, help="input image (PNG or JPEG)")
    ap.add_argument("--out", required=True, help="output folder (created)")
    ap.add_argument("--weights", help="trained state_dict (.pth) to use instead of random weights")
    ap.add_argument("--calib-images", type=int, default=8, help="Kvasir training images for BN calibration")
    ap.add_argument("--calib-batch", type=int, default=4)
    args = ap.parse_args()
    torch.set_num_threads(2)
    os.makedirs(args.out, exist_ok=True)

    t0 = time.time()
    if args.weights:
        model = PraNet(preset(args.config))
        model.load_state_dict(torch.load(args.weights, map_location="cpu"))
        model.eval()
    else:
        model = build_model(args.config, args.seed, args.calib_images, args.calib_batch)
    save_checkpoints(model, args.out, args.config, args.seed)

    x = load_image(args.image)
    np.save(os.path.join(args.out, "input.npy"), x.numpy())
    with torch.no_grad():
        out32 = model.forward_with_intermediates(x)
        out64 = copy.deepcopy(model).double().forward_with_intermediates(x.double())

    manifest = {"config": args.config, "config_fields": preset(args.config).to_dict(), "seed": args.seed,
                "weights": os.path.abspath(args.weights) if args.weights else None,
                "image": os.path.abspath(args.image), "input": {"file": "input.npy", "shape": list(x.shape)},
                "calibration": None if args.weights else {"images": args.calib_images, "batch": args.calib_batch},
                "tensors": {}}
    for name in TENSORS:
        np.save(os.path.join(args.out, f"{name}.f32.npy"), out32[name].numpy())
        np.save(os.path.join(args.out, f"{name}.f64.npy"), out64[name].numpy())
        manifest["tensors"][name] = {"shape": list(out32[name].shape),
                                     "f32_vs_f64": distance(out32[name], out64[name]),
                                     "f64_min": out64[name].min().item(), "f64_max": out64[name].max().item()}
    with open(os.path.join(args.out, "manifest.json"), "w") as f:
        json.dump(manifest, f, indent=2)

    d = manifest["tensors"]["lateral_map_2"]
    dist = d["f32_vs_f64"]
    print(f"lateral_map_2 f32 vs f64: rel L2 {dist['rel_l2']:.3e}, max abs {dist['max_abs']:.3e}; "
          f"f64 range [{d['f64_min']:.3f}, {d['f64_max']:.3f}]")
    print(f"wrote {args.out} in {time.time() - t0:.1f}s")


if __name__ == "__main__":
    main()
