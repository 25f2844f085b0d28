"""Scores polyp maps with PraNet's eval/main.m Dice/IoU rules (spec 6), for FINAL reporting only: the test
images are never used for training, tuning or model selection.

  # a trained state_dict, run through the MyTest.py pipeline (spec 1.8) on a test folder
  /usr/bin/python3 tools/train/evaluate.py --weights .cache/train/compact-v1/best.pth --config compact
  # existing 8-bit prediction PNGs (e.g. the official maps, to check this scorer: expect mDice 0.8944)
  /usr/bin/python3 tools/train/evaluate.py --maps ../shared/data/polyp/PraNet-maps/Kvasir
  # the quiet-frame numbers as well (issue 13): positive detection and false alarms on polyp-free crops
  /usr/bin/python3 tools/train/evaluate.py --weights .cache/train/compact-neg-v1/best.pth --negatives \
      --json tools/train/runs/compact-neg-v1/test-quiet.json
  # the same on the validation split (what to run while developing; never tune on the test folder)
  /usr/bin/python3 tools/train/evaluate.py --weights weights/pranet-kvasir-compact.f16.pnw --negatives \
      --data ../shared/data/polyp/TrainDataset/Kvasir --names tools/train/split_val.txt
Default data: shared/data/polyp/TestDataset/Kvasir. --weights also takes the engine's .pnw (run as is,
batchnorm folded; tools/reference/any_weights.py). --f16-weights rounds a .pth's weights to float16 first
(what the shipped model file stores). --negatives adds: det = share of the images whose unstretched max
sigmoid(lateral_map_2) at 352x352 is >= 0.5, and fa = the same share over the polyp-free crops that
negatives.py makes from the same images (same generator, seed and settings as the training crops)."""
import os

os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")  # see train.py

import argparse  # noqa: E402
import json  # noqa: E402

import numpy as np  # noqa: E402
import torch  # noqa: E402
import torch.nn.functional as F  # noqa: E402
from PIL import Image  # noqa: E402

from paths import REPO_ROOT  # noqa: E402
from any_weights import load_model  # noqa: E402
import negatives  # noqa: E402
from metrics import dice_iou_curves, stretch_to_u8  # noqa: E402
from pranet import PraNet  # noqa: E402
from pranet_config import preset  # noqa: E402
from preprocess import load_image  # noqa: E402
from shared_paths import shared_dir  # noqa: E402


def load_gt(path):
    """GT = gray > 128 (spec 6.1; the Kvasir JPEG masks carry compression noise)."""
    return torch.from_numpy(np.asarray(Image.open(path).convert("L")) > 128)


def predict_u8(model, image_path, size_hw):
    """MyTest.py: lateral_map_2 -> bilinear to GT size -> sigmoid -> min-max -> bytescale to uint8.
    Also returns the unstretched max of sigmoid(lateral_map_2) at 352x352 (the detection score)."""
    with torch.no_grad():
        logits = model(load_image(image_path))[3]
        prob = torch.sigmoid(F.interpolate(logits, size=size_hw, mode="bilinear", align_corners=False))[0, 0]
    return stretch_to_u8(prob.double()), torch.sigmoid(logits).max().item()


def crop_max_probs(model, crops):
    """Unstretched max of sigmoid(lateral_map_2) for each uint8 (N,352,352,3) crop (already PIL-resized)."""
    mean = torch.tensor([0.485, 0.456, 0.406]).view(1, 3, 1, 1)  # preprocess.py's float32 Normalize
    std = torch.tensor([0.229, 0.224, 0.225]).view(1, 3, 1, 1)
    out = []
    with torch.no_grad():
        for s in range(0, len(crops), 10):
            x = torch.as_tensor(crops[s:s + 10]).permute(0, 3, 1, 2).float().div(255).sub(mean).div(std)
            out.append(torch.sigmoid(model(x)[3]).amax(dim=(1, 2, 3)))
    return torch.cat(out) if out else torch.zeros(0)


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    src = ap.add_mutually_exclusive_group(required=True)
    src.add_argument("--weights", help="state_dict .pth")
    src.add_argument("--maps", help="folder of 8-bit prediction PNGs named like the masks")
    ap.add_argument("--config", default="compact")
    ap.add_argument("--data", default=os.path.join(shared_dir(), "data", "polyp", "TestDataset", "Kvasir"),
                    help="folder with images/ and masks/")
    ap.add_argument("--names", help="file listing the names of --data to use (default: all)")
    ap.add_argument("--f16-weights", action="store_true")
    ap.add_argument("--negatives", action="store_true", help="also detection and false-alarm rates")
    ap.add_argument("--neg-seed", type=int, default=negatives.SEED)
    ap.add_argument("--json", help="write the numbers to this file")
    args = ap.parse_args()
    torch.set_num_threads(2)
    if args.negatives and not args.weights:
        ap.error("--negatives needs --weights")

    model = None
    if args.weights and args.weights.endswith(".pnw"):
        if args.f16_weights:
            ap.error("a .pnw is run as stored; --f16-weights is for a .pth")
        model = load_model(args.weights)
    elif args.weights:
        model = PraNet(preset(args.config))
        sd = torch.load(args.weights, map_location="cpu")
        if args.f16_weights:
            sd = {k: v.half().float() if v.is_floating_point() else v for k, v in sd.items()}
        model.load_state_dict(sd)
        model.eval()

    names = sorted(os.path.splitext(n)[0] for n in os.listdir(os.path.join(args.data, "masks")))
    if args.names:
        with open(args.names) as f:
            wanted = f.read().split()
        if set(wanted) - set(names):
            raise ValueError(f"{args.names}: names missing from {args.data}: {sorted(set(wanted) - set(names))[:3]}")
        names = sorted(wanted)
    dice_sum, iou_sum, dice_half = torch.zeros(256, dtype=torch.float64), torch.zeros(256, dtype=torch.float64), []
    pos_max = []
    for name in names:
        gt = load_gt(os.path.join(args.data, "masks", name + ".jpg"))
        if model is not None:
            u8, pmax = predict_u8(model, os.path.join(args.data, "images", name + ".jpg"), tuple(gt.shape))
            pos_max.append(pmax)
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
    record = {"data": os.path.relpath(args.data, REPO_ROOT), "names": args.names, "weights": args.weights,
              "images": n, "mDice": dice_sum.mean().item() / n, "mIoU": iou_sum.mean().item() / n,
              "maxDice": (dice_sum / n).max().item(), "dice_u8_128": float(np.mean(dice_half))}
    print(f"{n} images from {record['data']}: mDice {record['mDice']:.4f} mIoU {record['mIoU']:.4f} "
          f"maxDice {record['maxDice']:.4f} Dice(u8>=128) {record['dice_u8_128']:.4f}")
    if args.negatives:
        crops, crop_list = negatives.make_crops(args.data, names, args.neg_seed, 352)
        neg_max = crop_max_probs(model, crops)
        info = negatives.summary(names, crop_list)
        record.update({"detection": float(np.mean(np.array(pos_max) >= 0.5)), "neg_crops": len(crops),
                       "neg_images_without_crop": info["images_without_crop"], "neg_seed": args.neg_seed,
                       "false_alarm": (neg_max >= 0.5).double().mean().item(),
                       "neg_mean_max_prob": neg_max.mean().item()})
        print(f"positives with max prob >= 0.5: {record['detection']:.4f} ({n} images); polyp-free crops with "
              f"max prob >= 0.5: {record['false_alarm']:.4f} ({len(crops)} crops, seed {args.neg_seed}, "
              f"{info['images_without_crop']} images without one)")
    if args.json:
        with open(args.json, "w") as f:
            json.dump(record, f, indent=2)


if __name__ == "__main__":
    main()
