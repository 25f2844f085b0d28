"""Scores polyp maps with PraNet's eval/main.m Dice/IoU rules (spec 6), for FINAL reporting only: the test
images are never used for training, tuning or model selection.

  # a trained state_dict, run through the MyTest.py pipeline (spec 1.8) on a test folder
  /usr/bin/python3 tools/train/evaluate.py --weights .cache/train/compact-v1/best.pth --config compact
  # existing 8-bit prediction PNGs (e.g. the official maps, to check this scorer: expect mDice 0.8944)
  /usr/bin/python3 tools/train/evaluate.py --maps ../shared/data/polyp/PraNet-maps/Kvasir
Default data: shared/data/polyp/TestDataset/Kvasir. --f16-weights rounds the weights to float16 first
(what the shipped model file stores)."""
import os

os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")  # see train.py

import argparse  # noqa: E402

import numpy as np  # noqa: E402
import torch  # noqa: E402
import torch.nn.functional as F  # noqa: E402
from PIL import Image  # noqa: E402

from paths import REPO_ROOT  # noqa: E402
from metrics import dice_iou_curves, stretch_to_u8  # noqa: E402
from pranet import PraNet  # noqa: E402
from pranet_config import preset  # noqa: E402
from preprocess import load_image  # noqa: E402
from shared_paths import shared_dir  # noqa: E402


def load_gt(path):
    """GT = gray > 128 (spec 6.1; the Kvasir JPEG masks carry compression noise)."""
    return torch.from_numpy(np.asarray(Image.open(path).convert("L")) > 128)


def predict_u8(model, image_path, size_hw):
    """MyTest.py: lateral_map_2 -> bilinear to GT size -> sigmoid -> min-max -> bytescale to uint8."""
    with torch.no_grad():
        logits = model(load_image(image_path))[3]
        prob = torch.sigmoid(F.interpolate(logits, size=size_hw, mode="bilinear", align_corners=False))[0, 0]
    return stretch_to_u8(prob.double())


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    src = ap.add_mutually_exclusive_group(required=True)
    src.add_argument("--weights", help="state_dict .pth")
    src.add_argument("--maps", help="folder of 8-bit prediction PNGs named like the masks")
    ap.add_argument("--config", default="compact")
    ap.add_argument("--data", default=os.path.join(shared_dir(), "data", "polyp", "TestDataset", "Kvasir"),
                    help="folder with images/ and masks/")
    ap.add_argument("--f16-weights", action="store_true")
    args = ap.parse_args()
    torch.set_num_threads(2)

    model = None
    if args.weights:
        model = PraNet(preset(args.config))
        sd = torch.load(args.weights, map_location="cpu")
        if args.f16_weights:
            sd = {k: v.half().float() if v.is_floating_point() else v for k, v in sd.items()}
        model.load_state_dict(sd)
        model.eval()

    names = sorted(os.path.splitext(n)[0] for n in os.listdir(os.path.join(args.data, "masks")))
    dice_sum, iou_sum, dice_half = torch.zeros(256, dtype=torch.float64), torch.zeros(256, dtype=torch.float64), []
    for name in names:
        gt = load_gt(os.path.join(args.data, "masks", name + ".jpg"))
        if model is not None:
            u8 = predict_u8(model, os.path.join(args.data, "images", name + ".jpg"), tuple(gt.shape))
        else:
            pred = np.asarray(Image.open(os.path.join(args.maps, name + ".png")).convert("L"))
            if pred.shape != tuple(gt.shape):
                raise ValueError(f"{args.maps}/{name}.png: size {pred.shape} differs from its mask {tuple(gt.shape)}")
            # main.m's per-image mapminmax (identity for maps already spanning 0..255), kept on 256 levels
            u8 = stretch_to_u8(torch.from_numpy(pred.astype(np.float64)))
        dice, iou = dice_iou_curves(u8, gt)
        dice_sum += dice
        iou_sum += iou
        dice_half.append(dice[128].item())
    n = len(names)
    print(f"{n} images from {os.path.relpath(args.data, REPO_ROOT)}: mDice {dice_sum.mean().item() / n:.4f} "
          f"mIoU {iou_sum.mean().item() / n:.4f} maxDice {(dice_sum / n).max().item():.4f} "
          f"Dice(u8>=128) {np.mean(dice_half):.4f}")


if __name__ == "__main__":
    main()
